// Bindings are declared once per kernel; the WGSL `var` declarations and the bind group layout both come from here.
import { type UniformStruct, uniformStructWgsl } from './uniforms.js';

export type StorageElement = 'f32' | 'u32' | 'vec4<f32>';

export interface StorageBinding {
  readonly kind: 'storage';
  readonly name: string;
  readonly access: 'read' | 'read_write';
  readonly element: StorageElement;
}

export interface UniformBinding {
  readonly kind: 'uniform';
  readonly name: string;
  readonly struct: UniformStruct;
  /** Bound with a dynamic offset, so one bind group can point at a different slot each step. */
  readonly dynamicOffset: boolean;
}

export type BindingDecl = StorageBinding | UniformBinding;

/** A read-only storage array. */
export const readOnly = (name: string, element: StorageElement = 'f32'): StorageBinding =>
  ({ kind: 'storage', name, access: 'read', element });

/** A read-write storage array. */
export const readWrite = (name: string, element: StorageElement = 'f32'): StorageBinding =>
  ({ kind: 'storage', name, access: 'read_write', element });

/** A uniform struct; `dynamicOffset` for per-step values kept in a ring. */
export const uniform = (name: string, struct: UniformStruct, dynamicOffset = false): UniformBinding =>
  ({ kind: 'uniform', name, struct, dynamicOffset });

/** WGSL declarations of the bindings, in group 0, numbered in order. */
export function bindingsWgsl(bindings: readonly BindingDecl[]): string {
  const structs = new Map<string, string>();
  const vars = bindings.map((b, i) => {
    if (b.kind === 'storage') {
      return `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.element}>;`;
    }
    structs.set(b.struct.typeName, uniformStructWgsl(b.struct));
    return `@group(0) @binding(${i}) var<uniform> ${b.name}: ${b.struct.typeName};`;
  });
  return [...structs.values(), ...vars].join('\n');
}

/** Bind group layout entries matching `bindingsWgsl`. */
export function bindGroupLayoutEntries(bindings: readonly BindingDecl[]): GPUBindGroupLayoutEntry[] {
  return bindings.map((b, i) => ({
    binding: i,
    // GPUShaderStage.COMPUTE is 4; the literal lets this run where WebGPU's globals are absent (exporting WGSL in Node).
    visibility: 4,
    buffer:
      b.kind === 'storage'
        ? { type: b.access === 'read' ? 'read-only-storage' : 'storage' }
        : { type: 'uniform', hasDynamicOffset: b.dynamicOffset },
  }));
}
