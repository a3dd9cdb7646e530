// Dense backward to the parameters: [dW; db] = [X | 1]ᵀ · dZ, written straight into the layer's gradient
// slice (same layout as its parameters). X is read transposed in place; the ones row gives db = Σ_rows dZ.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import type { DenseSizes } from './denseForward.js';
import { type BlockShape, MatmulShape, checkVectorStride, fittedBlock, matmulSource, matmulWorkgroups } from './matmul.wgsl.js';
import { type SubgroupBlock, subgroupBlockFor, subgroupMatmulSource, subgroupMatmulWorkgroups } from './subgroupMatmul.wgsl.js';
import type { AdapterClass } from '../runtime/device.js';
import { TILE, tiledMatmulSource } from './tiledMatmul.wgsl.js';

export interface DenseWeightGradVariant {
  /** outputs % 4 == 0: dZ is read as vec4s. */
  readonly vectorB: boolean;
  readonly block: BlockShape;
  /** X's loads shared through subgroups instead of the register block (subgroupMatmul.wgsl.ts). */
  readonly subgroup?: SubgroupBlock;
  /** Workgroup-memory tiles of 64 x 64 over the rows (tiledMatmul.wgsl.ts); dZ is then read as scalars. */
  readonly tiled?: boolean;
  /**
   * With tiles: the rows split into weightGradSlices(rows, rowsPerSlice) runs, one per workgroup in z, whose
   * partial sums go to a `partials` buffer (at least splitKPartialsPerRow floats per row) and splitKSum.ts adds
   * them into the gradient. One slice (fewer than 2 × rowsPerSlice rows) writes the gradient directly.
   */
  readonly split?: { readonly rowsPerSlice: number };
}

/** Rows a split-K slice sums at least, on GPU-class adapters (not yet measured on a GPU). */
export const SPLIT_K_ROWS = 512;
const MAX_SLICES = 32;

/** How many slices a split weight gradient over `rows` rows runs. */
export const weightGradSlices = (rows: number, rowsPerSlice: number): number => Math.min(MAX_SLICES, Math.max(1, Math.floor(rows / rowsPerSlice)));

/** Floats per row of the batch that hold every slice's partial sums of an (inputs + 1) x outputs gradient. */
export const splitKPartialsPerRow = (inputs: number, outputs: number, rowsPerSlice: number): number => Math.ceil(((inputs + 1) * outputs) / rowsPerSlice);

/**
 * The variant for a layer of these sizes: its (inputs + 1) x outputs product in blocks fitted to it; on lavapipe
 * with subgroups, X's loads shared through them (1.4-3.4x faster on the benchmark's layers, the same at 2 x 24),
 * in one subgroup's rows where inputs + 1 fit them (bench/results/kernel-variants-2026-11-30-lavapipe-subgroups.txt).
 */
export function denseWeightGradVariant({ inputs, outputs }: Omit<DenseSizes, 'rows'>, adapterClass?: AdapterClass, subgroupSize?: number): DenseWeightGradVariant {
  const variant = { vectorB: outputs % 4 === 0, block: fittedBlock(inputs + 1, outputs) };
  // GPU-class adapters: workgroup-memory tiles, as their forward and input-gradient products, and K split over the
  // rows (the partial sums in a workspace buffer, src/mdn/layers/weightGradStages.ts): a 257 x 256 gradient is only
  // 20 tiles, too few workgroups for a large GPU, each summing thousands of rows (neither measured on a GPU yet).
  if (adapterClass === 'gpu') return { ...variant, vectorB: false, tiled: true, split: { rowsPerSlice: SPLIT_K_ROWS } };
  if (adapterClass !== 'lavapipe' || !subgroupSize) return variant;
  return { ...variant, subgroup: subgroupBlockFor(outputs, subgroupSize, inputs + 1 <= subgroupSize ? subgroupSize : 16) };
}

export const denseWeightGrad = defineKernel<DenseWeightGradVariant, DenseSizes>()({
  name: 'denseWeightGrad',
  bindings: (v) => [
    readOnly('input'),
    readOnly('outputGrad', v.vectorB ? 'vec4<f32>' : 'f32'),
    readWrite('weightGrad'),
    ...(v.split ? [optional(readWrite('partials'))] : []),
    uniform('shape', MatmulShape),
  ],
  enables: (v) => (v.subgroup ? ['subgroups'] : []),
  source: ({ vectorB, block, subgroup, tiled, split }) => {
    if (split && !tiled) throw new Error('denseWeightGrad: only the tiles split K');
    if (tiled) {
      if (vectorB) throw new Error('denseWeightGrad: tiles read dZ as scalars');
      return tiledMatmulSource('weightGrad', 'identity', { a: 'input', b: 'outputGrad', c: 'weightGrad', ...(split ? { partials: 'partials' } : {}) });
    }
    const product = { transposeA: true, transposeB: false, onesColumnA: false, onesRowA: true, epilogue: 'activation', activation: 'identity', vectorB } as const;
    const names = { a: 'input', b: 'outputGrad', c: 'weightGrad' };
    return subgroup ? subgroupMatmulSource({ ...product, block: subgroup }, names) : matmulSource({ ...product, block }, names);
  },
  plan: ({ rows, inputs, outputs }, v) => {
    checkVectorStride('denseWeightGrad', v.vectorB, outputs);
    const uniforms = { m: inputs + 1, n: outputs, k: rows, lda: inputs, ldb: outputs };
    const slices = v.split ? weightGradSlices(rows, v.split.rowsPerSlice) : 1;
    if (v.tiled) return { uniforms, workgroups: [Math.ceil(outputs / TILE), Math.ceil((inputs + 1) / TILE), slices] as const };
    return { uniforms, workgroups: v.subgroup ? subgroupMatmulWorkgroups(inputs + 1, outputs, v.subgroup) : matmulWorkgroups(inputs + 1, outputs, v.block) };
  },
});
