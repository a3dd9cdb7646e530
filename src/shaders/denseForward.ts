// Dense forward: Y[rows, outputs] = act([X | 1] · [W; b]).
// A layer's parameters are one slice of (inputs + 1) x outputs floats: W row by row, then the bias row,
// so the bias is folded into the product as a ones column of X instead of a separate epilogue read.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import type { Activation } from './activation.wgsl.js';
import type { AdapterClass } from '../runtime/device.js';
import { type BlockShape, MatmulShape, SQUARE_BLOCK, checkVectorStride, matmulSource, matmulWorkgroups, TALL_BLOCK } from './matmul.wgsl.js';
import { TILE, tiledMatmulSource } from './tiledMatmul.wgsl.js';
import { BATCH_ROWS_PER_GROUP, type SubgroupBlock, subgroupBlockFor, subgroupMatmulSource, subgroupMatmulWorkgroups } from './subgroupMatmul.wgsl.js';

export interface DenseSizes {
  readonly rows: number;
  readonly inputs: number;
  readonly outputs: number;
}

export interface DenseForwardVariant {
  readonly activation: Activation;
  /** outputs % 4 == 0: W is read as vec4s. */
  readonly vectorB: boolean;
  /** The register block per invocation (default TALL_BLOCK, 16 x 8). */
  readonly block?: BlockShape;
  /** Workgroup-memory tiles of 64 x 64 (tiledMatmul.wgsl.ts) instead of register blocks; W is then read as scalars. */
  readonly tiled?: boolean;
  /** X's loads shared through subgroups (subgroupMatmul.wgsl.ts) instead of register blocks. */
  readonly subgroup?: SubgroupBlock;
}

/**
 * The block each adapter class runs the forward product fastest in (bench/results/kernel-variants-2026-11-30-*):
 * on lavapipe, where loads are most of the time, 8 x 8 took 24-29% less time than 16 x 8 on the benchmark's
 * larger layers; on SwiftShader 16 x 8 was 9% faster on the largest. GPUs keep 16 x 8 until one is measured.
 */
export const forwardBlockFor = (adapterClass: AdapterClass | undefined): BlockShape => (adapterClass === 'lavapipe' ? SQUARE_BLOCK : TALL_BLOCK);

/**
 * The variant for a layer of these sizes, on an adapter of this class (none: exportWgsl's, 16 x 8). GPU-class
 * adapters take workgroup-memory tiles, the way GPUs are fast; on both software adapters those were measured
 * 1.7-4.7x (lavapipe) and 3.4-22x (SwiftShader) slower than register blocks, whose loads are cheap there and
 * whose barriers are dear (bench/results/kernel-variants-2026-11-30-*-tiled.txt), so they keep register blocks.
 */
export function denseForwardVariant(activation: Activation, { outputs }: Omit<DenseSizes, 'rows' | 'inputs'>, adapterClass?: AdapterClass, subgroupSize?: number): DenseForwardVariant {
  if (adapterClass === 'gpu') return { activation, vectorB: outputs % 4 === 0, tiled: true };
  // lavapipe with subgroups: loads shared through them (subgroupMatmul.wgsl.ts says by how much that wins).
  if (adapterClass === 'lavapipe' && subgroupSize) return { activation, vectorB: outputs % 4 === 0, subgroup: subgroupBlockFor(outputs, subgroupSize, BATCH_ROWS_PER_GROUP) };
  const block = forwardBlockFor(adapterClass);
  // The default block is left out, so those variants keep the pipeline keys they always had.
  return { activation, vectorB: outputs % 4 === 0, ...(block === TALL_BLOCK ? {} : { block }) };
}

export const denseForward = defineKernel<DenseForwardVariant, DenseSizes>()({
  name: 'denseForward',
  bindings: (v) => [readOnly('input'), readOnly('weights', v.vectorB && !v.tiled ? 'vec4<f32>' : 'f32'), readWrite('output'), uniform('shape', MatmulShape)],
  enables: (v) => (v.subgroup ? ['subgroups'] : []),
  source: (v) => {
    const names = { a: 'input', b: 'weights', c: 'output' };
    if (v.tiled) return tiledMatmulSource('forward', v.activation, names);
    const product = { transposeA: false, transposeB: false, onesColumnA: true, onesRowA: false, epilogue: 'activation', activation: v.activation, vectorB: v.vectorB } as const;
    return v.subgroup ? subgroupMatmulSource({ ...product, block: v.subgroup }, names) : matmulSource({ ...product, block: v.block ?? TALL_BLOCK }, names);
  },
  plan: ({ rows, inputs, outputs }, v) => {
    const uniforms = { m: rows, n: outputs, k: inputs + 1, lda: inputs, ldb: outputs };
    if (v.tiled) return { uniforms, workgroups: [Math.ceil(outputs / TILE), Math.ceil(rows / TILE), 1] as const };
    if (v.subgroup) return { uniforms, workgroups: subgroupMatmulWorkgroups(rows, outputs, v.subgroup) };
    checkVectorStride('denseForward', v.vectorB, outputs);
    return { uniforms, workgroups: matmulWorkgroups(rows, outputs, v.block ?? TALL_BLOCK) };
  },
});
