// Runtime pieces that need no GPU: uniform packing, generated declarations, arena layout.
import { describe, expect, it } from 'vitest';
import { defineUniformStruct, packUniforms, uniformByteSize, uniformStructWgsl } from '../../src/runtime/uniforms.js';
import { bindingsWgsl, readOnly, readWrite, uniform } from '../../src/runtime/bindings.js';
import { ArenaLayout } from '../../src/runtime/arena.js';
import { GpuContext } from '../../src/runtime/device.js';
import { type CompiledOf, elementwiseWorkgroups, kernelCode } from '../../src/runtime/kernel.js';
import type { ProgramBuilder } from '../../src/runtime/program.js';
import type { denseForward } from '../../src/shaders/denseForward.js';
import type { adam } from '../../src/shaders/adam.js';

const Shape = defineUniformStruct('Shape', { rows: 'u32', scale: 'f32', offset: 'i32' });

describe('uniform structs', () => {
  it('derive WGSL text and byte size from one declaration', () => {
    expect(uniformStructWgsl(Shape)).toBe('struct Shape {\n  rows: u32,\n  scale: f32,\n  offset: i32,\n}');
    expect(uniformByteSize(Shape)).toBe(16);
    expect(uniformByteSize(defineUniformStruct('Five', { a: 'u32', b: 'u32', c: 'u32', d: 'u32', e: 'u32' }))).toBe(32);
  });

  it('pack values little-endian at the declared positions', () => {
    const view = new DataView(new ArrayBuffer(32));
    packUniforms(Shape, { rows: 7, scale: 0.5, offset: -3 }, view, 16);
    expect(view.getUint32(16, true)).toBe(7);
    expect(view.getFloat32(20, true)).toBe(0.5);
    expect(view.getInt32(24, true)).toBe(-3);
  });

  it('refuse missing, unknown and non-integer values', () => {
    const view = new DataView(new ArrayBuffer(16));
    expect(() => packUniforms(Shape, { rows: 1, scale: 1 }, view, 0)).toThrow(/'offset' not given/);
    expect(() => packUniforms(Shape, { rows: 1, scale: 1, offset: 0, extra: 2 }, view, 0)).toThrow(/unknown uniform 'extra'/);
    expect(() => packUniforms(Shape, { rows: 1.5, scale: 1, offset: 0 }, view, 0)).toThrow(/integer/);
    expect(() => packUniforms(Shape, { rows: -1, scale: 1, offset: 0 }, view, 0)).toThrow(/u32 range/);
  });
});

describe('binding declarations', () => {
  it('number bindings in order and declare each struct once', () => {
    const text = bindingsWgsl([readOnly('a'), readWrite('b', 'vec4<f32>'), uniform('shape', Shape), uniform('more', Shape, true)]);
    expect(text).toContain('@group(0) @binding(0) var<storage, read> a: array<f32>;');
    expect(text).toContain('@group(0) @binding(1) var<storage, read_write> b: array<vec4<f32>>;');
    expect(text).toContain('@group(0) @binding(2) var<uniform> shape: Shape;');
    expect(text).toContain('@group(0) @binding(3) var<uniform> more: Shape;');
    expect(text.match(/struct Shape/g)).toHaveLength(1);
  });
});

describe('arena layout', () => {
  it('aligns every slice to 64 floats and round-trips packed values', () => {
    const layout = ArenaLayout.build([{ name: 'w0', length: 50 }, { name: 'w1', length: 64 }, { name: 'w2', length: 3 }]);
    expect(layout.slices.map((s) => s.offset)).toEqual([0, 64, 128]);
    expect(layout.totalFloats).toBe(192);
    const values = { w0: Float32Array.from({ length: 50 }, (_, i) => i), w1: new Float32Array(64).fill(2), w2: Float32Array.of(7, 8, 9) };
    const flat = layout.pack(values);
    expect(flat[50]).toBe(0); // padding stays zero
    expect(layout.unpack(flat)).toEqual(values);
    expect(() => layout.pack({ ...values, w2: Float32Array.of(1) })).toThrow(/'w2' needs 3 values, got 1/);
  });
});

describe('elementwise workgroups', () => {
  it('fold past the 65,535-per-dimension limit', () => {
    expect(elementwiseWorkgroups(1000, 256)).toEqual([4, 1, 1]);
    expect(elementwiseWorkgroups(0, 256)).toEqual([1, 1, 1]);
    const [x, y] = elementwiseWorkgroups(70_000 * 256, 256);
    expect(x).toBe(65535);
    expect(x * y).toBeGreaterThanOrEqual(70_000);
  });
});

describe('kernel interfaces', () => {
  it('make a program that misses or misspells a binding fail to compile', () => {
    // Checked by the type-check `npm test` runs first: each @ts-expect-error line must be a type error.
    const bind = (builder: ProgramBuilder, forward: CompiledOf<typeof denseForward>, update: CompiledOf<typeof adam>, r: GPUBuffer) => {
      const sizes = { rows: 1, inputs: 1, outputs: 1 };
      // @ts-expect-error 'a' is no binding of denseForward (its bindings say what they hold)
      builder.add(forward, { a: r, weights: r, output: r }, sizes);
      // @ts-expect-error 'output' is missing
      builder.add(forward, { input: r, weights: r }, sizes);
      builder.add(forward, { input: r, weights: r, output: r }, sizes);
      const settings = { count: 4, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };
      // 'clip' exists only in the clipped variant: optional.
      builder.add(update, { params: r, grads: r, firstMoment: r, secondMoment: r, loss: r, health: r, step: r }, settings);
      // @ts-expect-error the dynamic 'step' uniform must be bound
      builder.add(update, { params: r, grads: r, firstMoment: r, secondMoment: r, loss: r, health: r }, settings);
    };
    expect(bind).toBeTypeOf('function');
  });
});

describe('subgroups', () => {
  // A device as far as GpuContext looks at it: its features, its adapter's subgroup sizes, a lost promise.
  const device = (features: string[], info: { subgroupMinSize?: number; subgroupMaxSize?: number } | undefined) =>
    ({ features: new Set(features), adapterInfo: info, lost: new Promise(() => {}) }) as unknown as GPUDevice;

  it('kernels are written for a subgroup size only where the device has subgroups and the adapter one size', () => {
    expect(new GpuContext(device(['subgroups'], { subgroupMinSize: 8, subgroupMaxSize: 8 }), 'lavapipe', true, false).subgroupSize).toBe(8);
    expect(new GpuContext(device(['subgroups'], { subgroupMinSize: 4, subgroupMaxSize: 4 }), 'swiftshader', true, false).subgroupSize).toBe(4);
    // A GPU that runs subgroups of 32 or 64 lanes: no one size to write broadcasts for.
    expect(new GpuContext(device(['subgroups'], { subgroupMinSize: 32, subgroupMaxSize: 64 }), 'a GPU', false, false).subgroupSize).toBeUndefined();
    expect(new GpuContext(device([], { subgroupMinSize: 8, subgroupMaxSize: 8 }), 'no feature', true, false).subgroupSize).toBeUndefined();
    expect(new GpuContext(device(['subgroups'], undefined), 'no adapter info', true, false).subgroupSize).toBeUndefined();
  });

  it("a kernel's enable directives come before everything else in its code", () => {
    const definition = { name: 'k', bindings: () => [readOnly('x')], source: () => 'fn main() {}', plan: () => ({ uniforms: {}, workgroups: [1, 1, 1] as const }), enables: () => ['subgroups'] };
    expect(kernelCode(definition, {})).toMatch(/^enable subgroups;\n@group\(0\) @binding\(0\)/);
    expect(kernelCode({ ...definition, enables: undefined }, {})).toMatch(/^@group/);
  });
});
