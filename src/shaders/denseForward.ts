// Dense forward: Y[rows, outputs] = act([X | 1] · [W; b]).
// A layer's parameters are one slice of (inputs + 1) x outputs floats: W row by row, then the bias row,
// so the bias is folded into the product as a ones column of X instead of a separate epilogue read.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import type { KernelDefinition } from '../runtime/kernel.js';
import type { Activation } from './activation.wgsl.js';
import { MatmulShape, matmulWorkgroups, matmulSource } from './matmul.wgsl.js';

export interface DenseSizes {
  readonly rows: number;
  readonly inputs: number;
  readonly outputs: number;
}

export const denseForward: KernelDefinition<{ activation: Activation }, DenseSizes> = {
  name: 'denseForward',
  bindings: () => [readOnly('a'), readOnly('b'), readWrite('c'), uniform('shape', MatmulShape)],
  source: ({ activation }) =>
    matmulSource({ transposeA: false, transposeB: false, onesColumnA: true, onesRowA: false, epilogue: 'activation', activation }),
  plan: ({ rows, inputs, outputs }) => ({
    uniforms: { m: rows, n: outputs, k: inputs + 1, lda: inputs, ldb: outputs },
    workgroups: matmulWorkgroups(rows, outputs),
  }),
};
