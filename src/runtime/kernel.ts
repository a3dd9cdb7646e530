// A kernel is a plain object: a name, its bindings, a WGSL source builder for a compile-time variant, and a
// function from runtime sizes to its uniforms and dispatch size. Shapes live in uniforms, except a mixture
// head's K and D, which its kernels may compile in (see shaders/unrolledHead.ts).
import { type BindingDecl, bindGroupLayoutEntries, bindingsWgsl } from './bindings.js';
import type { GpuContext } from './device.js';
import { debugEnabled } from './debug.js';

export type Workgroups = readonly [number, number, number];

export interface DispatchPlan {
  /** Values for the kernel's one static uniform binding (if it has one). */
  readonly uniforms: Readonly<Record<string, number>>;
  readonly workgroups: Workgroups;
}

export interface KernelDefinition<Variant, Sizes, B extends BindingDecl = BindingDecl> {
  readonly name: string;
  /** The kernel's bindings in order: the WGSL declarations, the bind group layout and the resources a program gives. */
  bindings(variant: Variant): readonly B[];
  /** WGSL after the binding declarations (which are generated from `bindings`). */
  source(variant: Variant): string;
  plan(sizes: Sizes, variant: Variant): DispatchPlan;
  /** Override constants, for workgroup sizes. */
  constants?(variant: Variant): Record<string, number>;
  /** WGSL extensions the variant needs ('subgroups'): `enable` directives, which must come before all else. */
  enables?(variant: Variant): readonly string[];
}

export interface CompiledKernel<Variant = unknown, Sizes = unknown, B extends BindingDecl = BindingDecl> {
  readonly definition: KernelDefinition<Variant, Sizes, B>;
  readonly variant: Variant;
  readonly label: string;
  readonly bindings: readonly BindingDecl[];
  readonly code: string;
  readonly layout: GPUBindGroupLayout;
  readonly pipeline: GPUComputePipeline;
}

/** Full WGSL text of a kernel variant: its `enable` directives, generated declarations, then the kernel's own source. */
export function kernelCode<V, S, B extends BindingDecl>(definition: KernelDefinition<V, S, B>, variant: V): string {
  const enables = (definition.enables?.(variant) ?? []).map((name) => `enable ${name};\n`).join('');
  return `${enables}${bindingsWgsl(definition.bindings(variant))}\n${definition.source(variant)}`;
}

/** The compiled form of a kernel definition, binding names included. */
export type CompiledOf<K> = K extends KernelDefinition<infer V, infer S, infer B> ? CompiledKernel<V, S, B> : never;

/**
 * Declares a kernel, keeping the binding names' types (so programs that bind it are checked by name).
 * @example
 * export const meanReduce = defineKernel<{}, ReduceSizes>()({ name: 'meanReduce', bindings: () => [...], ... });
 */
export const defineKernel =
  <Variant, Sizes>() =>
  <B extends BindingDecl>(definition: KernelDefinition<Variant, Sizes, B>): KernelDefinition<Variant, Sizes, B> =>
    definition;

/**
 * Compiles a kernel variant through the context's pipeline cache.
 * @example
 * const matmul = await compileKernel(gpu, denseForward, { activation: 'tanh' });
 */
export async function compileKernel<V, S, B extends BindingDecl>(
  gpu: GpuContext,
  definition: KernelDefinition<V, S, B>,
  variant: V,
): Promise<CompiledKernel<V, S, B>> {
  const bindings = definition.bindings(variant);
  const code = kernelCode(definition, variant);
  const label = `${definition.name}${variantSuffix(variant)}`;
  if (debugEnabled('shaders')) console.log(`// ---- ${label} ----\n${code}`);
  const layout = gpu.pipelines.bindGroupLayout(bindGroupLayoutEntries(bindings), label);
  const pipeline = await gpu.pipelines.pipeline(code, layout, label, definition.constants?.(variant) ?? {});
  return { definition, variant, label, bindings, code, layout, pipeline };
}

function variantSuffix(variant: unknown): string {
  if (variant === null || typeof variant !== 'object') return '';
  const parts = Object.values(variant as Record<string, unknown>).filter((v) => typeof v !== 'object');
  return parts.length ? `[${parts.join(',')}]` : '';
}

/**
 * Workgroups for a one-thread-per-element kernel, folded into a second dimension past the 65,535 limit.
 * Kernels index with `(wid.y * nwg.x + wid.x) * workgroupSize + lid.x`.
 */
export function elementwiseWorkgroups(elements: number, workgroupSize: number): Workgroups {
  const groups = Math.max(1, Math.ceil(elements / workgroupSize));
  if (groups <= 65535) return [groups, 1, 1];
  return [65535, Math.ceil(groups / 65535), 1];
}
