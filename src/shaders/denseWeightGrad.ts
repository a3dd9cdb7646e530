// Dense backward to the parameters: [dW; db] = [X | 1]ᵀ · dZ, written straight into the layer's gradient
// slice (same layout as its parameters). X is read transposed in place; the ones row gives db = Σ_rows dZ.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import type { KernelDefinition } from '../runtime/kernel.js';
import type { DenseSizes } from './denseForward.js';
import { MatmulShape, matmulWorkgroups, matmulSource } from './matmul.wgsl.js';

export const denseWeightGrad: KernelDefinition<Record<string, never>, DenseSizes> = {
  name: 'denseWeightGrad',
  bindings: () => [readOnly('a'), readOnly('b'), readWrite('c'), uniform('shape', MatmulShape)],
  source: () =>
    matmulSource({
      transposeA: true,
      transposeB: false,
      onesColumnA: false,
      onesRowA: true,
      epilogue: 'activation',
      activation: 'identity',
    }),
  plan: ({ rows, inputs, outputs }) => ({
    uniforms: { m: inputs + 1, n: outputs, k: rows, lda: inputs, ldb: outputs },
    workgroups: matmulWorkgroups(inputs + 1, outputs),
  }),
};
