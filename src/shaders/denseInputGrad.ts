// Dense backward to the layer's input: dZprev[rows, inputs] = (dZ · Wᵀ) ⊙ act'(X), where dZ is the gradient
// at this layer's pre-activation and X (this layer's input) is the previous layer's output, whose activation
// derivative is fused here. W is read transposed in place; the bias row is never touched.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import type { Activation } from './activation.wgsl.js';
import type { DenseSizes } from './denseForward.js';
import { MatmulShape, matmulSource, matmulWorkgroups, TALL_BLOCK } from './matmul.wgsl.js';
import { TILE, tiledMatmulSource } from './tiledMatmul.wgsl.js';
import { BATCH_ROWS_PER_GROUP, type SubgroupBlock, subgroupBlockFor, subgroupMatmulSource, subgroupMatmulWorkgroups } from './subgroupMatmul.wgsl.js';
import type { AdapterClass } from '../runtime/device.js';

export interface DenseInputGradVariant {
  readonly inputActivation: Activation;
  /** Workgroup-memory tiles (the GPU class, as for the forward product: denseForward.ts says why not elsewhere). */
  readonly tiled?: boolean;
  /** dZ's loads shared through subgroups (lavapipe, as for the forward product). */
  readonly subgroup?: SubgroupBlock;
}

/**
 * The variant for a layer with these inputs, on an adapter of this class: GPUs take tiles, as for the forward
 * product; lavapipe with subgroups shares dZ's loads through them where the layer has 16 inputs or more (1.9-2.6x
 * faster there; 0.7-0.95x at 1 to 8 inputs, bench/results/kernel-variants-2026-11-30-lavapipe-subgroups.txt).
 */
export function denseInputGradVariant(inputActivation: Activation, { inputs }: Pick<DenseSizes, 'inputs'>, adapterClass?: AdapterClass, subgroupSize?: number): DenseInputGradVariant {
  if (adapterClass === 'gpu') return { inputActivation, tiled: true };
  if (adapterClass === 'lavapipe' && subgroupSize && inputs >= 16) return { inputActivation, subgroup: subgroupBlockFor(inputs, subgroupSize, BATCH_ROWS_PER_GROUP) };
  return { inputActivation };
}

export const denseInputGrad = defineKernel<DenseInputGradVariant, DenseSizes>()({
  name: 'denseInputGrad',
  bindings: () => [readOnly('outputGrad'), readOnly('weights'), readOnly('activationOutput'), readWrite('inputGrad'), uniform('shape', MatmulShape)],
  enables: (v) => (v.subgroup ? ['subgroups'] : []),
  source: ({ inputActivation, tiled, subgroup }) => {
    const names = { a: 'outputGrad', b: 'weights', c: 'inputGrad' };
    if (tiled) return tiledMatmulSource('inputGrad', inputActivation, names);
    const product = { transposeA: false, transposeB: true, onesColumnA: false, onesRowA: false, epilogue: 'activationGrad', activation: inputActivation, vectorB: false } as const;
    return subgroup ? subgroupMatmulSource({ ...product, block: subgroup }, names) : matmulSource({ ...product, block: TALL_BLOCK }, names);
  },
  plan: ({ rows, inputs, outputs }, v) => ({
    uniforms: { m: rows, n: inputs, k: outputs, lda: outputs, ldb: outputs },
    workgroups: v.tiled ? [Math.ceil(inputs / TILE), Math.ceil(rows / TILE), 1] : v.subgroup ? subgroupMatmulWorkgroups(rows, inputs, v.subgroup) : matmulWorkgroups(rows, inputs, TALL_BLOCK),
  }),
});
