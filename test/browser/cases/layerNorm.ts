// LayerNorm kernels against the float64 reference (src/mdn/reference/layerNorm.ts). Tolerances, with u = 2^-24
// and n the row width: the row mean and the variance are sums of n terms, each off by at most n·u of the sum of
// magnitudes; so x̂ = (x − mean)·inv carries (n + 8)·u·|x̂| from the variance's square root (inverseSqrt may
// err by 2 ulp) and n·u·mean|x|·inv from the mean. The forward output adds 3u of |γx̂| + |β| for its own
// rounding. The input gradient multiplies three such terms (g, its row means, x̂) by inv and the activation's
// derivative, so its relative error is within the sum of theirs: (3n + 24)·u of the magnitude of its terms.
// The parameter gradient sums R rows of dy·x̂: (R + n + 8)·u·Σ|dy|(|x̂| + 1). atol 1e-6 covers rounding near 0.
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
    const { output } = await runKernel(gpu, layerNormForward, {}, { rows, width, epsilon }, { buffers: { input: x, weights: params, output: rows * width }, read: ['output'] });
    return [compareArrays(`layerNormForward ${rows}x${width}`, output, expected, { atol: 1e-6, rtol: 0, bound })];
  },

  async layerNormInputGrad(gpu: GpuContext, args: LayerNormArgs) {
    const { rows, width, epsilon, activation, offset } = args;
    const { x, params, dy } = inputsFor(args);
    // The input is the activation's output (before the offset, which a real previous layer would not add).
    const derivative = (i: number) => activationGradFromOutput(activation, x[i] - offset);
    const { inputGrad } = ref.layerNormBackward(x, dy, params, args);
    const expected = inputGrad.map((g, i) => g * derivative(i));
    const { normalised, inv } = statistics(x, args);
    const bound = expected.map((_, i) => {
      const r = Math.floor(i / width);
      let sumG = 0;
      let sumGx = 0;
      for (let j = 0; j < width; j++) {
        const g = Math.abs(dy[r * width + j] * params[j]);
        sumG += g;
        sumGx += g * Math.abs(normalised[r * width + j]);
      }
      const terms = Math.abs(dy[i] * params[i % width]) + sumG / width + (Math.abs(normalised[i]) * sumGx) / width;
      return (3 * width + 24) * U * terms * inv[r] * Math.abs(derivative(i));
    });
    // The kernel applies the activation's derivative to its input as given, so the offset must be zero here.
    if (offset !== 0) throw new Error('layerNormInputGrad cases take offset 0');
    const { inputGrad: got } = await runKernel(gpu, layerNormInputGrad, { inputActivation: activation }, { rows, width, epsilon }, {
      buffers: { input: x, weights: params, outputGrad: dy, inputGrad: rows * width },
      read: ['inputGrad'],
    });
    return [compareArrays(`layerNormInputGrad ${activation} ${rows}x${width}`, got, expected, { atol: 1e-6, rtol: 0, bound })];
  },

  async layerNormParamGrad(gpu: GpuContext, args: LayerNormArgs) {
    const { rows, width, epsilon } = args;
    const { x, params, dy } = inputsFor(args);
    const { paramGrad } = ref.layerNormBackward(x, dy, params, args);
    const { normalised } = statistics(x, args);
    const bound = new Float64Array(2 * width);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < width; j++) {
        const i = r * width + j;
        bound[j] += (rows + width + 8) * U * Math.abs(dy[i]) * (Math.abs(normalised[i]) + 1);
        bound[width + j] += rows * U * Math.abs(dy[i]);
      }
    }
    const { weightGrad } = await runKernel(gpu, layerNormParamGrad, {}, { rows, width, epsilon }, {
      buffers: { input: x, outputGrad: dy, weightGrad: 2 * width },
      read: ['weightGrad'],
    });
    return [compareArrays(`layerNormParamGrad ${rows}x${width}`, weightGrad, paramGrad, { atol: 1e-6, rtol: 0, bound })];
  },
};
