// Dense kernels against the float64 reference. Tolerances: a matmul over n terms carries at most
// (n + 1)·u·Σ|a||b| of rounding error (u = 2^-24, recursive summation bound); that is passed as the
// per-element bound. Activations are at most 1-Lipschitz and WGSL lets exp/tanh err by (3 + 2|x|) ulp,
// so (8 + 4|pre|)·u·(1 + |y|) more is allowed on top of the forward output. atol 1e-6 covers rounding near 0.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { Activation } from '../../../src/shaders/activation.wgsl.js';
import { denseForward, denseForwardVariant, forwardBlockFor } from '../../../src/shaders/denseForward.js';
import { denseInputGrad } from '../../../src/shaders/denseInputGrad.js';
import { denseWeightGrad, denseWeightGradVariant, weightGradSlices } from '../../../src/shaders/denseWeightGrad.js';
import { splitKSum } from '../../../src/shaders/splitKSum.js';
import * as ref from '../../../src/mdn/reference/dense.js';
import { activate, activationGradFromOutput } from '../../../src/mdn/reference/activations.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { type SubgroupBlock, subgroupBlockFor } from '../../../src/shaders/subgroupMatmul.wgsl.js';
import { runKernel, toF32 } from '../runKernel.js';

const U = 2 ** -24;

interface DenseArgs {
  rows: number;
  inputs: number;
  outputs: number;
  activation: Activation;
  /** Read B as vec4s where its stride allows (else scalar); the input gradient has one variant only. */
  vector: boolean;
  /** The weight gradient's block: 'fitted' (what denseWeightGradVariant picks, the default) or 8x16. */
  block?: 'fitted' | 'wide';
  /** The forward product's adapter class: its block is 16x8, or 8x8 for 'lavapipe' (forwardBlockFor). */
  adapterClass?: 'swiftshader' | 'lavapipe' | 'gpu';
  /** The product in workgroup-memory tiles (tiledMatmul.wgsl.ts) rather than register blocks. */
  tiled?: boolean;
  /** Any of the three products with loads shared through subgroups (subgroupMatmul.wgsl.ts), at this adapter's subgroup size and `subgroupRows` rows per workgroup. */
  subgroups?: boolean;
  subgroupRows?: number;
  /** The weight gradient in tiles with K split over the rows in slices of at least this many (then splitKSum). */
  splitRows?: number;
  seed?: number;
}

function inputsFor({ rows, inputs, outputs, seed = 1 }: DenseArgs) {
  const random = new Random(seed + rows * 7919 + inputs * 104729 + outputs * 13);
  const x = toF32(random.fill(rows * inputs, (r) => r.range(-1, 1)));
  const params = toF32(random.fill((inputs + 1) * outputs, (r) => r.range(-1, 1)));
  return { random, x, params };
}

/** Σ_k |a_ik||b_kj| of the forward product (bias term included), for the rounding bound. */
function forwardMagnitude(x: Float64Array, params: Float64Array, { rows, inputs, outputs }: DenseArgs): Float64Array {
  const absX = x.map(Math.abs);
  const absP = params.map(Math.abs);
  return ref.denseForward(absX, absP, { rows, inputs, outputs }, 'identity');
}

/** The subgroup block a case forces for an N-column product; fails where the adapter offers no fixed subgroup size. */
function subgroupBlock(gpu: GpuContext, args: DenseArgs, n: number): { subgroup?: SubgroupBlock } {
  if (!args.subgroups) return {};
  const size = gpu.subgroupSize;
  if (!size) throw new Error(`this adapter (${gpu.adapterDescription}) offers no subgroups of one size, so the subgroup kernels cannot be tested here`);
  return { subgroup: subgroupBlockFor(n, size, args.subgroupRows) };
}

/**
 * The GPU class's weight gradient with K split over the rows: the tiled product's slices write partial sums (or,
 * one slice, the gradient itself), then splitKSum adds them. Each slice sums at most its run of rows and the sum
 * adds one term per slice, so the (rows + 1)·u bound of one long sum still holds.
 */
async function splitWeightGrad(gpu: GpuContext, args: DenseArgs, x: Float64Array, dPre: Float64Array, expected: Float64Array, bound: Float64Array) {
  const { rows, inputs, outputs } = args;
  const count = (inputs + 1) * outputs;
  const slices = weightGradSlices(rows, args.splitRows!);
  const variant = { vectorB: false, block: denseWeightGradVariant(args).block, tiled: true, split: { rowsPerSlice: args.splitRows! } };
  const { weightGrad, partials } = await runKernel(gpu, denseWeightGrad, variant, { rows, inputs, outputs }, {
    buffers: { input: x, outputGrad: dPre, weightGrad: count, partials: slices * count },
    read: ['weightGrad', 'partials'],
  });
  const summed = slices === 1 ? weightGrad : (await runKernel(gpu, splitKSum, {}, { count, slices }, { buffers: { partials, output: count }, read: ['output'] })).output;
  return compareArrays(`denseWeightGrad tiles, K split in ${slices} slices of >= ${args.splitRows} rows, ${rows}x${inputs}->${outputs}`, summed, expected, { atol: 1e-7, rtol: 0, bound });
}

export const denseCases = {
  async denseForward(gpu: GpuContext, args: DenseArgs) {
    const { rows, inputs, outputs, activation } = args;
    const { x, params } = inputsFor(args);
    const pre = ref.denseForward(x, params, args, 'identity');
    const expected = pre.map((p) => activate(activation, p));
    const magnitude = forwardMagnitude(x, params, args);
    const bound = magnitude.map((m, i) => (inputs + 2) * U * m + (8 + 4 * Math.abs(pre[i])) * U * (1 + Math.abs(expected[i])));
    const block = forwardBlockFor(args.adapterClass);
    const variant = args.tiled
      ? { activation, vectorB: args.vector && outputs % 4 === 0, tiled: true }
      : args.subgroups
        ? { activation, vectorB: args.vector && outputs % 4 === 0, ...subgroupBlock(gpu, args, outputs) }
      : args.vector
        ? denseForwardVariant(activation, args, args.adapterClass)
        : { activation, vectorB: false, block };
    if (!args.tiled && 'block' in variant && variant.block && variant.block !== block) throw new Error('the forward block is not the one asked for');
    const { output: c } = await runKernel(gpu, denseForward, variant, { rows, inputs, outputs }, {
      buffers: { input: x, weights: params, output: rows * outputs },
      read: ['output'],
    });
    return [compareArrays(`denseForward ${JSON.stringify(variant)} ${rows}x${inputs}->${outputs}`, c, expected, { atol: 1e-6, rtol: 0, bound })];
  },

  async denseInputGrad(gpu: GpuContext, args: DenseArgs) {
    const { rows, inputs, outputs, activation } = args;
    const { random, params } = inputsFor(args);
    const dPre = toF32(random.fill(rows * outputs, (r) => r.range(-1, 1)));
    // The previous layer's output, as its activation would produce it.
    const prevOutput = toF32(random.fill(rows * inputs, (r) => activate(activation, r.range(-3, 3))));
    const { inputGrad } = ref.denseBackward(new Float64Array(rows * inputs), dPre, params, args);
    const expected = inputGrad.map((g, i) => g * activationGradFromOutput(activation, prevOutput[i]));
    const { inputGrad: magnitude } = ref.denseBackward(new Float64Array(rows * inputs), dPre.map(Math.abs), params.map(Math.abs), args);
    const bound = magnitude.map((m, i) => (outputs + 1) * U * m * Math.abs(activationGradFromOutput(activation, prevOutput[i])) + 4 * U * Math.abs(expected[i]));
    const variant = { inputActivation: activation, ...(args.tiled ? { tiled: true } : {}), ...subgroupBlock(gpu, args, inputs) };
    const { inputGrad: c } = await runKernel(gpu, denseInputGrad, variant, { rows, inputs, outputs }, {
      buffers: { outputGrad: dPre, weights: params, activationOutput: prevOutput, inputGrad: rows * inputs },
      read: ['inputGrad'],
    });
    return [compareArrays(`denseInputGrad ${JSON.stringify(variant)} ${rows}x${inputs}<-${outputs}`, c, expected, { atol: 1e-7, rtol: 0, bound })];
  },

  async denseWeightGrad(gpu: GpuContext, args: DenseArgs) {
    const { rows, inputs, outputs } = args;
    const { random, x, params } = inputsFor(args);
    const dPre = toF32(random.fill(rows * outputs, (r) => r.range(-1, 1)));
    const { paramGrad } = ref.denseBackward(x, dPre, params, args);
    const { paramGrad: magnitude } = ref.denseBackward(x.map(Math.abs), dPre.map(Math.abs), params, args);
    const bound = magnitude.map((m) => (rows + 1) * U * m);
    const picked = denseWeightGradVariant(args);
    const block = args.block === 'wide' ? { rows: 8, cols: 16 } : picked.block;
    if (args.splitRows) return [await splitWeightGrad(gpu, args, x, dPre, paramGrad, bound)];
    const variant = args.tiled ? { vectorB: false, block, tiled: true } : { vectorB: args.vector && picked.vectorB, block, ...subgroupBlock(gpu, args, outputs) };
    const { weightGrad: c } = await runKernel(gpu, denseWeightGrad, variant, { rows, inputs, outputs }, {
      buffers: { input: x, outputGrad: dPre, weightGrad: (inputs + 1) * outputs },
      read: ['weightGrad'],
    });
    return [compareArrays(`denseWeightGrad ${JSON.stringify(variant)} ${rows}x${inputs}->${outputs}`, c, paramGrad, { atol: 1e-7, rtol: 0, bound })];
  },
};
