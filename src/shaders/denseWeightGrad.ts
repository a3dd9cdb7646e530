// Dense backward to the parameters: [dW; db] = [X | 1]ᵀ · dZ, written straight into the layer's gradient
// slice (same layout as its parameters). X is read transposed in place; the ones row gives db = Σ_rows dZ.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import type { DenseSizes } from './denseForward.js';
import { type BlockShape, MatmulShape, checkVectorStride, fittedBlock, matmulSource, matmulWorkgroups } from './matmul.wgsl.js';

export interface DenseWeightGradVariant {
  /** outputs % 4 == 0: dZ is read as vec4s. */
  readonly vectorB: boolean;
  readonly block: BlockShape;
}

/** The variant for a layer of these sizes: its (inputs + 1) x outputs product in blocks fitted to it. */
export const denseWeightGradVariant = ({ inputs, outputs }: Omit<DenseSizes, 'rows'>): DenseWeightGradVariant => ({
  vectorB: outputs % 4 === 0,
  block: fittedBlock(inputs + 1, outputs),
});

export const denseWeightGrad = defineKernel<DenseWeightGradVariant, DenseSizes>()({
  name: 'denseWeightGrad',
  bindings: (v) => [readOnly('input'), readOnly('outputGrad', v.vectorB ? 'vec4<f32>' : 'f32'), readWrite('weightGrad'), uniform('shape', MatmulShape)],
  source: (v) =>
    matmulSource(
      { transposeA: true, transposeB: false, onesColumnA: false, onesRowA: true, epilogue: 'activation', activation: 'identity', ...v },
      { a: 'input', b: 'outputGrad', c: 'weightGrad' },
    ),
  plan: ({ rows, inputs, outputs }, v) => {
    checkVectorStride('denseWeightGrad', v.vectorB, outputs);
    return { uniforms: { m: inputs + 1, n: outputs, k: rows, lda: inputs, ldb: outputs }, workgroups: matmulWorkgroups(inputs + 1, outputs, v.block) };
  },
});
