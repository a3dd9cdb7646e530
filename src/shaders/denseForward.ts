// Dense forward: Y[rows, outputs] = act([X | 1] · [W; b]).
// A layer's parameters are one slice of (inputs + 1) x outputs floats: W row by row, then the bias row,
// so the bias is folded into the product as a ones column of X instead of a separate epilogue read.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import type { Activation } from './activation.wgsl.js';
import { MatmulShape, checkVectorStride, matmulSource, matmulWorkgroups, TALL_BLOCK } from './matmul.wgsl.js';

export interface DenseSizes {
  readonly rows: number;
  readonly inputs: number;
  readonly outputs: number;
}

export interface DenseForwardVariant {
  readonly activation: Activation;
  /** outputs % 4 == 0: W is read as vec4s. */
  readonly vectorB: boolean;
}

/** The variant for a layer of these sizes. */
export const denseForwardVariant = (activation: Activation, { outputs }: Omit<DenseSizes, 'rows' | 'inputs'>): DenseForwardVariant => ({
  activation,
  vectorB: outputs % 4 === 0,
});

export const denseForward = defineKernel<DenseForwardVariant, DenseSizes>()({
  name: 'denseForward',
  bindings: (v) => [readOnly('input'), readOnly('weights', v.vectorB ? 'vec4<f32>' : 'f32'), readWrite('output'), uniform('shape', MatmulShape)],
  source: (v) =>
    matmulSource({ block: TALL_BLOCK, transposeA: false, transposeB: false, onesColumnA: true, onesRowA: false, epilogue: 'activation', ...v }, { a: 'input', b: 'weights', c: 'output' }),
  plan: ({ rows, inputs, outputs }, v) => {
    checkVectorStride('denseForward', v.vectorB, outputs);
    return { uniforms: { m: rows, n: outputs, k: inputs + 1, lda: inputs, ldb: outputs }, workgroups: matmulWorkgroups(rows, outputs, TALL_BLOCK) };
  },
});
