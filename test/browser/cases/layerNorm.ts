// LayerNorm kernels against the float64 reference (src/mdn/reference/layerNorm.ts). Tolerances, with u = 2^-24
// and n the row width. Forward: the row mean and the variance are sums of n terms, each off by at most n·u of
// the sum of magnitudes, so x̂ = (x − mean)·inv carries (n + 8)·u·|x̂| through the variance's square root
// (inverseSqrt may err by 2 ulp) and n·u·mean|x|·inv through the mean; the output adds 3u of |γx̂| + |β|. The
// statistics it keeps (mean, inv) are compared with the same two terms. Backward kernels read the statistics
// (given here as the float64 ones rounded to f32, as the forward pass would leave them): x̂ then carries 4u of
// |x̂| + |mean|·inv (two roundings of its own, one each of mean and inv); the input gradient sums n such terms
// twice and multiplies by inv and the activation's derivative: (n + 12)·u of the magnitude of its terms. The
// parameter gradient sums R rows: (R + 6)·u·Σ|dy|(|x̂| + |mean|·inv) for γ, R·u·Σ|dy| for β. atol 1e-6 covers
// rounding near 0.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { Activation } from '../../../src/shaders/activation.wgsl.js';
import { layerNormForward, layerNormInputGrad, layerNormParamGrad } from '../../../src/shaders/layerNorm.js';
import * as ref from '../../../src/mdn/reference/layerNorm.js';
import { activate, activationGradFromOutput } from '../../../src/mdn/reference/activations.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { runKernel, toF32 } from '../runKernel.js';

const U = 2 ** -24;

interface LayerNormArgs {
  rows: number;
  width: number;
  /** The activation that produced the input (the input is drawn as its outputs). */
  activation: Activation;
  /** Offset added to every input: a large one tests that the variance does not cancel away. */
  offset: number;
  epsilon: number;
  /** The forward pass keeps each row's statistics (training). */
  save?: boolean;
}

// Each row's mean and 1 / sqrt(var + ε) in float64, interleaved as the kernels keep them.
function statisticsOf(x: Float64Array, { rows, width, epsilon }: LayerNormArgs): Float64Array {
  const out = new Float64Array(2 * rows);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * width, (r + 1) * width);
    const mean = row.reduce((a, b) => a + b, 0) / width;
    out[2 * r] = mean;
    out[2 * r + 1] = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / width + epsilon);
  }
  return out;
}

function inputsFor({ rows, width, activation, offset }: LayerNormArgs) {
  const random = new Random(rows * 7919 + width * 13 + Math.round(offset));
  const x = toF32(random.fill(rows * width, (r) => offset + activate(activation, r.range(-3, 3))));
  const scale = random.fill(width, (r) => 1 + 0.5 * r.normal());
  const shift = random.fill(width, (r) => 0.3 * r.normal());
  const params = toF32([...scale, ...shift]);
  const dy = toF32(random.fill(rows * width, (r) => r.range(-1, 1)));
  return { x, params, dy };
}

// x̂ and the per-element magnitudes the bounds are built from.
function statistics(x: Float64Array, { rows, width, epsilon }: LayerNormArgs) {
  const normalised = new Float64Array(rows * width);
  const inv = new Float64Array(rows);
  const meanAbs = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const row = x.subarray(r * width, (r + 1) * width);
    const mean = row.reduce((a, b) => a + b, 0) / width;
    inv[r] = 1 / Math.sqrt(row.reduce((a, v) => a + (v - mean) ** 2, 0) / width + epsilon);
    meanAbs[r] = row.reduce((a, v) => a + Math.abs(v), 0) / width;
    for (let j = 0; j < width; j++) normalised[r * width + j] = (row[j] - mean) * inv[r];
  }
  return { normalised, inv, meanAbs };
}

export const layerNormCases = {
  async layerNormForward(gpu: GpuContext, args: LayerNormArgs) {
    const { rows, width, epsilon } = args;
    const { x, params } = inputsFor(args);
    const expected = ref.layerNormForward(x, params, args);
    const { normalised, inv, meanAbs } = statistics(x, args);
    const bound = expected.map((_, i) => {
      const r = Math.floor(i / width);
      const j = i % width;
      const g = Math.abs(params[j]);
      return g * ((width + 8) * U * Math.abs(normalised[i]) + width * U * meanAbs[r] * inv[r]) + 3 * U * (g * Math.abs(normalised[i]) + Math.abs(params[width + j]));
    });
    const buffers = { input: x, weights: params, output: rows * width, ...(args.save ? { statistics: 2 * rows } : {}) };
    const got = await runKernel(gpu, layerNormForward, { save: args.save }, { rows, width, epsilon }, { buffers, read: args.save ? ['output', 'statistics'] : ['output'] });
    const reports = [compareArrays(`layerNormForward ${rows}x${width} save ${args.save}`, got.output, expected, { atol: 1e-6, rtol: 0, bound })];
    if (args.save) {
      const stats = statisticsOf(x, args);
      const statsBound = stats.map((v, i) => (i % 2 === 0 ? width * U * meanAbs[i >> 1] : (width + 8) * U * v));
      reports.push(compareArrays(`layerNormForward statistics ${rows}x${width}`, got.statistics, stats, { atol: 1e-6, rtol: 0, bound: statsBound }));
    }
    return reports;
  },

  async layerNormInputGrad(gpu: GpuContext, args: LayerNormArgs) {
    const { rows, width, epsilon, activation, offset } = args;
    const { x, params, dy } = inputsFor(args);
    // The input is the activation's output (before the offset, which a real previous layer would not add).
    const derivative = (i: number) => activationGradFromOutput(activation, x[i] - offset);
    const { inputGrad } = ref.layerNormBackward(x, dy, params, args);
    const expected = inputGrad.map((g, i) => g * derivative(i));
    const { normalised, inv } = statistics(x, args);
    const stats = toF32(statisticsOf(x, args));
    const bound = expected.map((_, i) => {
      const r = Math.floor(i / width);
      const shift = Math.abs(stats[2 * r]) * inv[r];
      let sumG = 0;
      let sumGx = 0;
      for (let j = 0; j < width; j++) {
        const g = Math.abs(dy[r * width + j] * params[j]);
        sumG += g;
        sumGx += g * (Math.abs(normalised[r * width + j]) + shift);
      }
      const terms = Math.abs(dy[i] * params[i % width]) + sumG / width + ((Math.abs(normalised[i]) + shift) * sumGx) / width;
      return (width + 12) * U * terms * inv[r] * Math.abs(derivative(i));
    });
    // The kernel applies the activation's derivative to its input as given, so the offset must be zero here.
    if (offset !== 0) throw new Error('layerNormInputGrad cases take offset 0');
    const { inputGrad: got } = await runKernel(gpu, layerNormInputGrad, { inputActivation: activation }, { rows, width, epsilon }, {
      buffers: { input: x, weights: params, statistics: stats, outputGrad: dy, inputGrad: rows * width },
      read: ['inputGrad'],
    });
    return [compareArrays(`layerNormInputGrad ${activation} ${rows}x${width}`, got, expected, { atol: 1e-6, rtol: 0, bound })];
  },

  async layerNormParamGrad(gpu: GpuContext, args: LayerNormArgs) {
    const { rows, width, epsilon } = args;
    const { x, params, dy } = inputsFor(args);
    const { paramGrad } = ref.layerNormBackward(x, dy, params, args);
    const { normalised, inv } = statistics(x, args);
    const stats = toF32(statisticsOf(x, args));
    const bound = new Float64Array(2 * width);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        const i = r * width + j;
        bound[j] += (rows + 6) * U * Math.abs(dy[i]) * (Math.abs(normalised[i]) + Math.abs(stats[2 * r]) * inv[r]);
        bound[width + j] += rows * U * Math.abs(dy[i]);
      }
    }
    const { weightGrad } = await runKernel(gpu, layerNormParamGrad, {}, { rows, width, epsilon }, {
      buffers: { input: x, statistics: stats, outputGrad: dy, weightGrad: 2 * width },
      read: ['weightGrad'],
    });
    return [compareArrays(`layerNormParamGrad ${rows}x${width}`, weightGrad, paramGrad, { atol: 1e-6, rtol: 0, bound })];
  },
};
