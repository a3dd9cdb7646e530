// Family 'gaussian-full' on the GPU: the NLL kernel (training and log-density variants) against the float64
// reference, its sampler checked by statistics, training steps against the reference network, and a model
// through every entry point.
// Tolerances are stated in test/gpu/fullCovariance.test.ts.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { SigmaActivation } from '../../../src/shaders/sigma.wgsl.js';
import { fullCovarianceNll } from '../../../src/shaders/fullCovarianceNll.js';
import { fullCovarianceSample } from '../../../src/shaders/fullCovarianceSample.js';
import { mixtureSample, SampleCall } from '../../../src/shaders/mixtureSample.js';
import { mixtureParams } from '../../../src/shaders/mixtureParams.js';
import { lowerCount } from '../../../src/shaders/fullCovarianceNll.wgsl.js';
import * as ref from '../../../src/mdn/reference/fullCovariance.js';
import { mixtureCovariance, mixtureMean, splitMixture } from '../../../src/mdn/mixture.js';
import { StepRing } from '../../../src/runtime/stepRing.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { fullCovarianceBound } from '../../support/fullCovarianceBound.js';
import { runKernel, toF32 } from '../runKernel.js';
import { networkLayers } from '../../../src/mdn/architecture.js';
import { createMdn } from '../../../src/mdn/createMdn.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { correlated } from '../../../src/mdn/datasets.js';
import { same, throughEveryLoader } from '../ownDevice.js';
import { SMALL_ARCHITECTURE, stepsAgainstReference } from './training.js';

export type FullCovarianceScenario = 'random' | 'far' | 'sigma50' | 'nearSingular';

interface NllArgs {
  batch: number;
  components: number;
  dims: number;
  sigma: SigmaActivation;
  scenario: FullCovarianceScenario;
  sigmaPenalty?: number;
}

const EPSILON = 1e-7;
/** A diagonal pre-activation giving L_ii close to 1 under each activation. */
const UNIT_SIGMA: Record<SigmaActivation, number> = { exp: 0, softplus: 0.5413, elu1: 0 };

function makeHead({ batch, components: K, dims: D, sigma, scenario }: NllArgs): { head: Float64Array; target: Float64Array } {
  const random = new Random(batch * 31 + K * 1009 + D * 7 + scenario.length);
  const width = ref.fullCovarianceHeadWidth(K, D);
  const head = new Float64Array(batch * width);
  const target = new Float64Array(batch * D);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    for (let k = 0; k < K; k++) {
      const o = ref.componentOffsets(base, K, D, k);
      head[base + k] = random.range(-2, 2);
      for (let i = 0; i < D; i++) {
        head[o.mu + i] = random.range(-2, 2);
        head[o.diag + i] = scenario === 'random' ? UNIT_SIGMA[sigma] + random.range(-0.7, 0.7) : UNIT_SIGMA[sigma];
      }
      // Below the diagonal: ±0.8 / √D keeps L's rows comparable in size at every D.
      for (let i = 0; i < lowerCount(D); i++) head[o.lower + i] = random.range(-0.8, 0.8) / Math.sqrt(D);
      if (scenario === 'far') for (let i = 0; i < D; i++) head[o.mu + i] = -0.5 * k;
      // σ pre-activations of ±50, alternating between components, nothing below the diagonal (an O(1) entry
      // beside a diagonal of e^-50 would be the near-singular case below, past f32's precision).
      if (scenario === 'sigma50') {
        for (let i = 0; i < D; i++) head[o.diag + i] = (k + r) % 2 === 0 ? 50 : -50;
        head.fill(0, o.lower, o.lower + lowerCount(D));
      }
      // The last diagonal entry of L is 1e-3 beside O(1) entries: Σ's condition number is about 1e6, and the
      // solve loses about three of f32's seven digits in z's last entry (the tolerance says how many).
      if (scenario === 'nearSingular') head[o.diag + D - 1] = inverseSigma(sigma, 1e-3);
    }
    for (let d = 0; d < D; d++) target[r * D + d] = random.range(-3, 3);
    if (scenario === 'far') for (let d = 0; d < D; d++) target[r * D + d] = 1000;
    if (scenario === 'sigma50') {
      // On one component's mean: its z is exactly 0 whatever its scale.
      const o = ref.componentOffsets(base, K, D, Math.floor(random.uniform() * K));
      for (let d = 0; d < D; d++) target[r * D + d] = Math.fround(head[o.mu + d]);
    }
    if (scenario === 'nearSingular') {
      // The target drawn from one component (z in ±1), so its density is not negligible.
      const k = Math.floor(random.uniform() * K);
      const o = ref.componentOffsets(base, K, D, k);
      const p = ref.fullCovarianceParams(Float32Array.from(head.subarray(base, base + width)), { batch: 1, components: K, dims: D, sigma, sigmaEpsilon: EPSILON });
      const z = Array.from({ length: D }, () => random.range(-1, 1));
      for (let i = 0; i < D; i++) {
        let v = head[o.mu + i] + p[K + K * D + k * D + i] * z[i];
        for (let j = 0; j < i; j++) v += head[o.lower + (i * (i - 1)) / 2 + j] * z[j];
        target[r * D + i] = v;
      }
    }
  }
  return { head: toF32(head), target: toF32(target) };
}

/** The pre-activation giving σ under each activation. */
function inverseSigma(sigma: SigmaActivation, value: number): number {
  if (sigma === 'exp') return Math.log(value);
  if (sigma === 'softplus') return Math.log(Math.expm1(value));
  return Math.log(value - EPSILON);
}

const FULL = { family: 'gaussian-full' } as const;

export const fullCovarianceCases = {
  fullCovarianceTrainingSteps: (gpu: GpuContext, { steps, rows, dims }: { steps: number; rows: number; dims: number }) =>
    stepsAgainstReference(gpu, { ...SMALL_ARCHITECTURE, outputDim: dims, ...FULL }, steps, rows, rows + dims, `gaussian-full D${dims}`),

  /**
   * A model on the correlated data set through createMdn/fit, predict, logProb, covariance, mode, sample,
   * save/load and the inference kernel on a device of its own; predict and logProb against the reference of the
   * trained weights with the model's scaling applied on the CPU (the predictor's tolerances, cases/model.ts).
   */
  async fullCovarianceModel(gpu: GpuContext) {
    const d = correlated(400, 3);
    const K = 2;
    const D = 2;
    const model = await createMdn({ inputDim: 1, outputDim: D, hidden: [16], components: K, ...FULL, scale: 'zscore', seed: 2, gpu });
    try {
      const fit = await model.fit(d.x, d.y, { steps: 200, learningRate: 0.02, evaluateEvery: 100 });
      const rows = 21;
      const xs = Float32Array.from({ length: rows }, (_, i) => -3 + 0.3 * i);
      const ys = Float32Array.from({ length: rows * D }, (_, i) => Math.sin(i));
      const mixture = await model.predict(xs);
      const logDensity = await model.logProb(xs, ys);
      const covariance = await model.covariance(xs);
      const mode = await model.mode(xs);
      const draws = await model.sample(xs, 8, { seed: 4 });
      const { x: sx, y: sy } = model.scaling!;
      const weights = (await model.getWeights()).map((w) => Float64Array.from(w));
      let h: ArrayLike<number> = Float64Array.from(xs, (v) => (v - sx.shift[0]) / sx.scale[0]);
      for (const l of networkLayers(model.architecture)) h = l.kind.reference.forward(l, weights[l.index], h, rows);
      const shape = { batch: rows, components: K, dims: D, sigma: 'softplus' as const, sigmaEpsilon: 1e-7 };
      const params = ref.fullCovarianceParams(h, shape);
      const scaledY = Float64Array.from(ys, (v, i) => (v - sy.shift[i % D]) / sy.scale[i % D]);
      const logScale = Math.log(sy.scale[0]) + Math.log(sy.scale[1]);
      const expectedLog = ref.fullCovarianceNll(h, scaledY, shape).sampleNll.map((v) => -v - logScale);
      const width = ref.fullCovarianceHeadWidth(K, D);
      const pick = (from: number, count: number, unscale: (v: number, i: number) => number) =>
        Array.from({ length: rows }, (_, r) => Array.from(params.slice(r * width + from, r * width + from + count), unscale)).flat();
      const loaders = await throughEveryLoader(model, gpu, xs, ys);
      const expectedPi = pick(0, K, (v) => v);
      const expectedMu = pick(K, K * D, (v, i) => v * sy.scale[i % D] + sy.shift[i % D]);
      const expectedDiag = pick(K + K * D, K * D, (v, i) => v * sy.scale[i % D]);
      const expectedBelow = pick(K + 2 * K * D, K, (v) => v * sy.scale[1]);
      // Cov[y | x] written out for D = 2 from the reference's parameters: Σ_k = [[a², a·l], [a·l, l² + b²]] for
      // L_k = [[a, 0], [l, b]], plus the spread of the means, Σ_k π_k (Σ_k + (μ_k − m)(μ_k − m)ᵀ).
      const expectedCovariance = Array.from({ length: rows }, (_, r) => {
        const c = [0, 0, 0, 0];
        const mean = [0, 1].map((d) => Array.from({ length: K }, (__, k) => expectedPi[r * K + k] * expectedMu[(r * K + k) * 2 + d]).reduce((x, y) => x + y, 0));
        for (let k = 0; k < K; k++) {
          const [a, b] = [expectedDiag[(r * K + k) * 2], expectedDiag[(r * K + k) * 2 + 1]];
          const l = expectedBelow[r * K + k];
          const [d0, d1] = [expectedMu[(r * K + k) * 2] - mean[0], expectedMu[(r * K + k) * 2 + 1] - mean[1]];
          const w = expectedPi[r * K + k];
          c[0] += w * (a * a + d0 * d0);
          c[1] += w * (a * l + d0 * d1);
          c[2] += w * (a * l + d0 * d1);
          c[3] += w * (l * l + b * b + d1 * d1);
        }
        return c;
      }).flat();
      return {
        losses: fit.history.map((p) => p.loss),
        family: decodeModel(loaders.saved).architecture.family,
        lowerLength: mixture.lower?.length,
        validation: loaders.validation,
        kernelWidth: loaders.kernelRows.length / rows,
        loadedSame: same(loaders.loadedLogProb, logDensity),
        kernelSame: same(loaders.kernelLogProb, logDensity),
        // The kernel's mixture rows end with the factor below the diagonal, as predict splits it.
        kernelLowerSame: same(Array.from({ length: rows * K }, (_, i) => loaders.kernelRows[Math.floor(i / K) * 12 + 10 + (i % K)]), mixture.lower ?? []),
        modeFinite: mode.every(Number.isFinite),
        drawShape: Array.from(draws.shape),
        drawsFinite: draws.every(Number.isFinite),
        reports: [
          compareArrays('gaussian-full π', mixture.pi, expectedPi, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('gaussian-full μ', mixture.mu, expectedMu, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('gaussian-full L diagonal', mixture.sigma, expectedDiag, { atol: 1e-5, rtol: 1e-4 }),
          // D = 2: one entry below the diagonal, (1, 0), in target 1's units.
          compareArrays('gaussian-full L below', mixture.lower ?? [], expectedBelow, { atol: 1e-5, rtol: 1e-4 }),
          // Products of two parameters, each within the 1e-4 above: twice that, relatively.
          compareArrays('gaussian-full covariance', covariance, expectedCovariance, { atol: 1e-5, rtol: 2e-4 }),
          compareArrays('gaussian-full log p(y|x)', logDensity, expectedLog, { atol: 1e-4, rtol: 1e-5 }),
        ],
      };
    } finally {
      model.destroy();
    }
  },

  async fullCovarianceNll(gpu: GpuContext, args: NllArgs) {
    const { batch, components, dims, sigma } = args;
    const { head, target } = makeHead(args);
    const sigmaPenalty = Math.fround(args.sigmaPenalty ?? 0);
    const expected = ref.fullCovarianceNll(head, target, { batch, components, dims, sigma, sigmaEpsilon: EPSILON, sigmaPenalty });
    const sizes = { batch, components, dims, gradScale: 1, sigmaEpsilon: EPSILON, sigmaPenalty, sigmaGradScale: 1 };
    const trained = await runKernel(gpu, fullCovarianceNll, { sigma, dims, withGradient: true }, sizes, {
      buffers: { head, targets: target, headGrad: head.length, sampleNll: batch },
      read: ['sampleNll', 'headGrad'],
    });
    const inferred = await runKernel(gpu, fullCovarianceNll, { sigma, dims, withGradient: false }, { ...sizes, sigmaPenalty: 0 }, {
      buffers: { head, targets: target, logDensity: batch },
      read: ['logDensity'],
    });
    const plain = sigmaPenalty === 0 ? expected.sampleNll : ref.fullCovarianceNll(head, target, { batch, components, dims, sigma, sigmaEpsilon: EPSILON }).sampleNll;
    const label = `fullCovarianceNll ${args.scenario} ${sigma} B${batch} K${components} D${dims} λ${sigmaPenalty}`;
    // The NLL's terms grow with D (½|z|² sums D squares, the log-determinant D logs): the atol scales with D/3,
    // the D = 3 of the diagonal kernel's stated tolerance.
    const atol = 2e-5 * Math.max(1, dims / 3);
    // Plus what the conditioning of each component's factor allows (test/support/fullCovarianceBound.ts).
    const bound = fullCovarianceBound(head, target, { batch, components, dims, sigma, sigmaEpsilon: EPSILON });
    return {
      referenceFinite: [...expected.sampleNll, ...expected.headGrad].every(Number.isFinite),
      reports: [
        compareArrays(`${label} nll`, trained.sampleNll, expected.sampleNll, { atol, rtol: 2e-5, bound: bound.nll }),
        compareArrays(`${label} grad`, trained.headGrad, expected.headGrad, { atol, rtol: 1e-4, bound: bound.grad }),
        compareArrays(`${label} log-density`, inferred.logDensity, Array.from(plain, (v) => -v), { atol, rtol: 2e-5, bound: bound.nll }),
      ],
    };
  },

  /** Draws of one hand-made head (K 2, D 3, two rows) against the mixture's moments; and the special cases. */
  async fullCovarianceSampling(gpu: GpuContext, { n }: { n: number }) {
    const K = 2;
    const D = 3;
    const rows = 2;
    const width = ref.fullCovarianceHeadWidth(K, D);
    const random = new Random(21);
    const head = toF32(random.fill(rows * width, (r) => r.range(-1, 1)));
    const ring = new StepRing(gpu, SampleCall, 1, 'test sample call');
    const draw = async (temperature: number, sigmaTemperature: number, samplesPerRow: number, values = head) => {
      ring.writeSlot(gpu.device.queue, 0, { temperature, sigmaTemperature, seed: 5, rowOffset: 0 });
      return (
        await runKernel(gpu, fullCovarianceSample, { sigma: 'softplus', dims: D }, { rows, samplesPerRow, components: K, dims: D, sigmaEpsilon: EPSILON }, {
          buffers: { head: values, samples: rows * samplesPerRow * D },
          resources: { call: ring.binding() },
          read: ['samples'],
        })
      ).samples;
    };
    try {
      const params = await runKernel(gpu, mixtureParams, { sigma: 'softplus', unrolled: null, extraPerComponent: lowerCount(D) }, { batch: rows, components: K, dims: D, sigmaEpsilon: EPSILON }, {
        buffers: { head, params: head.length },
        read: ['params'],
      });
      const m = splitMixture(params.params, rows, K, D, { lowerPerComponent: lowerCount(D) });
      const mean = mixtureMean(m);
      const covariance = mixtureCovariance(m);
      const samples = await draw(1, 1, n);
      const checks: { label: string; value: number; bound: number }[] = [];
      for (let r = 0; r < rows; r++) {
        const at = (j: number, d: number) => samples[(r * n + j) * D + d];
        const sampleMean = Array.from({ length: D }, (_, d) => Array.from({ length: n }, (__, j) => at(j, d)).reduce((a, b) => a + b, 0) / n);
        for (let d = 0; d < D; d++) {
          checks.push({ label: `row ${r} mean ${d}`, value: Math.abs(sampleMean[d] - mean[r * D + d]), bound: 5 * Math.sqrt(covariance[(r * D + d) * D + d] / n) });
        }
        for (let i = 0; i < D; i++) {
          for (let j = 0; j <= i; j++) {
            // The standard error of a sample covariance, from the draws' own fourth moments.
            const products = Array.from({ length: n }, (_, s) => (at(s, i) - sampleMean[i]) * (at(s, j) - sampleMean[j]));
            const c = products.reduce((a, b) => a + b, 0) / (n - 1);
            const spread = products.reduce((a, b) => a + (b - c) ** 2, 0) / (n - 1);
            checks.push({ label: `row ${r} covariance (${i}, ${j})`, value: Math.abs(c - covariance[(r * D + i) * D + j]), bound: 5 * Math.sqrt(spread / n) });
          }
        }
      }
      // σ temperature 0 and π temperature 0: the most probable component's mean, exactly.
      const frozen = await draw(0, 0, 4);
      const argmax = (r: number) => (m.pi[r * K] >= m.pi[r * K + 1] ? 0 : 1);
      const frozenIsMean = Array.from({ length: rows }, (_, r) => Array.from({ length: 4 * D }, (_, i) => frozen[r * 4 * D + i] === m.mu[(r * K + argmax(r)) * D + (i % D)])).flat().every(Boolean);
      // Nothing below the diagonal: the same draws as the diagonal sampler, bit for bit (same stream, same order).
      const diagonalHead = Float64Array.from(head);
      const diagonalWidth = K * (1 + 2 * D);
      for (let r = 0; r < rows; r++) diagonalHead.fill(0, r * width + diagonalWidth, (r + 1) * width);
      const fullDraws = await draw(0.8, 1.2, 16, diagonalHead);
      ring.writeSlot(gpu.device.queue, 0, { temperature: 0.8, sigmaTemperature: 1.2, seed: 5, rowOffset: 0 });
      const compact = Float64Array.from({ length: rows * diagonalWidth }, (_, i) => diagonalHead[Math.floor(i / diagonalWidth) * width + (i % diagonalWidth)]);
      const diagonal = await runKernel(gpu, mixtureSample, { sigma: 'softplus', unrolled: null }, { rows, samplesPerRow: 16, components: K, dims: D, sigmaEpsilon: EPSILON }, {
        buffers: { head: compact, samples: rows * 16 * D },
        resources: { call: ring.binding() },
        read: ['samples'],
      });
      return {
        checks,
        frozenIsMean,
        matchesDiagonal: fullDraws.every((v, i) => Object.is(v, diagonal.samples[i])),
        allFinite: samples.every(Number.isFinite),
      };
    } finally {
      ring.destroy();
    }
  },
};
