// Dense backward to the layer's input: dZprev[rows, inputs] = (dZ · Wᵀ) ⊙ act'(X), where dZ is the gradient
// at this layer's pre-activation and X (this layer's input) is the previous layer's output, whose activation
// derivative is fused here. W is read transposed in place; the bias row is never touched.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import type { Activation } from './activation.wgsl.js';
import type { DenseSizes } from './denseForward.js';
import { MatmulShape, matmulSource, matmulWorkgroups, TALL_BLOCK } from './matmul.wgsl.js';
import { TILE, tiledMatmulSource } from './tiledMatmul.wgsl.js';

export interface DenseInputGradVariant {
  readonly inputActivation: Activation;
  /** Workgroup-memory tiles (the GPU class, as for the forward product: denseForward.ts says why not elsewhere). */
  readonly tiled?: boolean;
}

export const denseInputGrad = defineKernel<DenseInputGradVariant, DenseSizes>()({
  name: 'denseInputGrad',
  bindings: () => [readOnly('outputGrad'), readOnly('weights'), readOnly('activationOutput'), readWrite('inputGrad'), uniform('shape', MatmulShape)],
  source: ({ inputActivation, tiled }) =>
    tiled ? tiledMatmulSource('inputGrad', inputActivation, { a: 'outputGrad', b: 'weights', c: 'inputGrad' }) : matmulSource({
      block: TALL_BLOCK,
      transposeA: false,
      transposeB: true,
      onesColumnA: false,
      onesRowA: false,
      epilogue: 'activationGrad',
      activation: inputActivation,
      vectorB: false,
    }, { a: 'outputGrad', b: 'weights', c: 'inputGrad' }),
  plan: ({ rows, inputs, outputs }, v) => ({
    uniforms: { m: rows, n: inputs, k: outputs, lda: outputs, ldb: outputs },
    workgroups: v.tiled ? [Math.ceil(inputs / TILE), Math.ceil(rows / TILE), 1] : matmulWorkgroups(rows, inputs, TALL_BLOCK),
  }),
});
