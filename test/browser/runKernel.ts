// Runs one kernel dispatch on fresh buffers and reads chosen buffers back; everything it made is destroyed.
import type { GpuContext } from '../../src/runtime/device.js';
import { compileKernel, type KernelDefinition } from '../../src/runtime/kernel.js';
import { ProgramBuilder, type Resource } from '../../src/runtime/program.js';
import { createStorageBuffer, readFloats, uploadFloats } from '../../src/runtime/buffers.js';

export interface KernelRun {
  /** Storage bindings: an array is uploaded, a number makes a zeroed buffer of that many floats. */
  readonly buffers: Readonly<Record<string, ArrayLike<number> | number>>;
  /** Other resources (e.g. a step ring binding), bound as given. */
  readonly resources?: Readonly<Record<string, Resource>>;
  readonly read: readonly string[];
  readonly dynamicOffset?: number;
}

export async function runKernel<V, S>(
  gpu: GpuContext,
  definition: KernelDefinition<V, S>,
  variant: V,
  sizes: S,
  run: KernelRun,
): Promise<Record<string, Float32Array>> {
  const kernel = await compileKernel(gpu, definition, variant);
  const made: GPUBuffer[] = [];
  const resources: Record<string, Resource> = { ...run.resources };
  for (const [name, value] of Object.entries(run.buffers)) {
    const floats = typeof value === 'number' ? value : value.length;
    const buffer = createStorageBuffer(gpu, name, floats);
    made.push(buffer);
    if (typeof value !== 'number') uploadFloats(gpu, buffer, Float32Array.from(value));
    resources[name] = { buffer, offset: 0, size: Math.max(4, floats * 4) };
  }
  const program = new ProgramBuilder(gpu, `test ${definition.name}`).add(kernel, resources, sizes).build();
  try {
    const encoder = gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    program.encode(pass, run.dynamicOffset ?? 0);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    const out: Record<string, Float32Array> = {};
    for (const name of run.read) {
      const value = run.buffers[name];
      const floats = typeof value === 'number' ? value : value.length;
      out[name] = await readFloats(gpu, (resources[name] as GPUBufferBinding).buffer, floats);
    }
    return out;
  } finally {
    program.destroy();
    for (const b of made) b.destroy();
  }
}

/** Rounds a Float64Array to the f32 values the GPU will see. */
export const toF32 = (values: ArrayLike<number>): Float64Array => Float64Array.from(Float32Array.from(values));
