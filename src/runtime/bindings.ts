// Bindings are declared once per kernel; the WGSL `var` declarations and the bind group layout both come from here.
import { type UniformStruct, uniformStructWgsl } from './uniforms.js';

export type StorageElement = 'f32' | 'u32' | 'vec4<f32>';

export interface StorageBinding<N extends string = string> {
  readonly kind: 'storage';
  readonly name: N;
  readonly access: 'read' | 'read_write';
  readonly element: StorageElement;
}

export interface UniformBinding<N extends string = string, Dynamic extends boolean = boolean> {
  readonly kind: 'uniform';
  readonly name: N;
  readonly struct: UniformStruct;
  /** Bound with a dynamic offset, so one bind group can point at a different slot each step. */
  readonly dynamicOffset: Dynamic;
}

export type BindingDecl<N extends string = string> = StorageBinding<N> | UniformBinding<N>;

/** A read-only storage array. */
export const readOnly = <N extends string>(name: N, element: StorageElement = 'f32'): StorageBinding<N> =>
  ({ kind: 'storage', name, access: 'read', element });

/** A read-write storage array. */
export const readWrite = <N extends string>(name: N, element: StorageElement = 'f32'): StorageBinding<N> =>
  ({ kind: 'storage', name, access: 'read_write', element });

/** A uniform struct; `dynamicOffset` for per-step values kept in a ring. */
export function uniform<N extends string>(name: N, struct: UniformStruct): UniformBinding<N, false>;
export function uniform<N extends string, D extends boolean>(name: N, struct: UniformStruct, dynamicOffset: D): UniformBinding<N, D>;
export function uniform(name: string, struct: UniformStruct, dynamicOffset = false): UniformBinding {
  return { kind: 'uniform', name, struct, dynamicOffset };
}

/** A binding some variants of a kernel have and others do not: a program may leave it out. */
export const optional = <B extends BindingDecl>(binding: B): B & { readonly optional: true } => ({ ...binding, optional: true as const });

type NameOf<B> = B extends { readonly name: infer N extends string } ? N : never;
// Static uniforms are filled by the program from the dispatch plan; everything else the caller binds.
type Bound<B> = B extends UniformBinding<string, false> ? never : B;

/**
 * The resources a program must give a kernel whose bindings are `B` (a union of binding declarations): one per
 * storage or dynamic uniform binding, by name; optional bindings may be left out. A missing or misspelt name
 * fails to compile.
 */
export type KernelResources<B, R> = { readonly [N in NameOf<Exclude<Bound<B>, { readonly optional: true }>>]: R } & {
  readonly [N in NameOf<Extract<Bound<B>, { readonly optional: true }>>]?: R;
};

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
