// Von Mises components on the GPU: the NLL kernel (training and log-density variants) against the float64
// reference, the sampler by a Kolmogorov–Smirnov bound against the circular CDF, training steps against the
// reference network, and a model on the angular problem through every entry point. Tolerances are stated in
// test/gpu/vonMises.test.ts.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { SigmaActivation } from '../../../src/shaders/sigma.wgsl.js';
import { vonMisesNll } from '../../../src/shaders/vonMisesNll.js';
import * as ref from '../../../src/mdn/reference/vonMises.js';
import type { MdnArchitecture } from '../../../src/mdn/architecture.js';
import { Mdn } from '../../../src/mdn/model.js';
import { createMdn } from '../../../src/mdn/createMdn.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { angular } from '../../../src/mdn/datasets.js';
import { circularCdfOfRow, mixtureCdf, mixtureMode, mixtureQuantile } from '../../../src/mdn/distribution.js';
import { mixtureMean, mixtureVariance } from '../../../src/mdn/mixture.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { referenceLogDensity } from '../../support/referenceModel.js';
import { runKernel, toF32 } from '../runKernel.js';
import { same, throughEveryLoader } from '../ownDevice.js';
import { SMALL_ARCHITECTURE, stepsAgainstReference } from './training.js';

export type VonMisesScenario = 'random' | 'diffuse' | 'concentrated' | 'far';

interface NllArgs {
  batch: number;
  components: number;
  dims: number;
  sigma: SigmaActivation;
  scenario: VonMisesScenario;
}

const EPSILON = 1e-7;

/** The σ pre-activation giving σ under each activation (κ = 1/σ²). */
function preActivationFor(sigma: SigmaActivation, value: number): number {
  if (sigma === 'exp') return Math.log(value);
  if (sigma === 'softplus') return value > 30 ? value : Math.log(Math.expm1(value));
  return value - EPSILON >= 1 ? value - EPSILON - 1 : Math.log(value - EPSILON);
}

// Random heads: logits in ±2, μ in ±4 (beyond ±π: directions wrap), σ from 0.1 to 3 (κ from 0.1 to 100); 'diffuse'
// puts every σ at 100 (κ = 1e-4), 'concentrated' at 0.01 (κ = 1e4, targets within a few σ); 'far' puts targets
// 1e3 radians out (wrapping 159 times).
function makeHead({ batch, components: K, dims: D, sigma, scenario }: NllArgs): { head: Float64Array; target: Float64Array } {
  const random = new Random(batch * 13 + K * 101 + D * 7 + scenario.length);
  const KD = K * D;
  const width = K + 2 * KD;
  const head = new Float64Array(batch * width);
  const target = new Float64Array(batch * D);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    for (let k = 0; k < K; k++) head[base + k] = random.range(-2, 2);
    for (let i = 0; i < KD; i++) {
      head[base + K + i] = random.range(-4, 4);
      const s = scenario === 'diffuse' ? 100 : scenario === 'concentrated' ? 0.01 : Math.exp(random.range(Math.log(0.1), Math.log(3)));
      head[base + K + KD + i] = preActivationFor(sigma, s);
    }
    for (let d = 0; d < D; d++) {
      const near = head[base + K + Math.floor(random.uniform() * K) * D + d];
      target[r * D + d] = scenario === 'far' ? near + (random.uniform() < 0.5 ? -1e3 : 1e3) : scenario === 'concentrated' ? near + 0.02 * random.normal() : random.range(-Math.PI, Math.PI);
    }
  }
  return { head: toF32(head), target: toF32(target) };
}

export const vonMisesCases = {
  async vonMisesNll(gpu: GpuContext, args: NllArgs) {
    const { batch, components, dims, sigma } = args;
    const { head, target } = makeHead(args);
    const shape = { batch, components, dims, sigma, sigmaEpsilon: EPSILON, sigmaPenalty: Math.fround(0.01) };
    const expected = ref.vonMisesNll(head, target, shape);
    const sizes = { batch, components, dims, gradScale: 1, sigmaEpsilon: EPSILON, sigmaPenalty: shape.sigmaPenalty, sigmaGradScale: 1 };
    const trained = await runKernel(gpu, vonMisesNll, { sigma, withGradient: true }, sizes, { buffers: { head, targets: target, headGrad: head.length, sampleNll: batch }, read: ['sampleNll', 'headGrad'] });
    const scored = await runKernel(gpu, vonMisesNll, { sigma, withGradient: false }, { ...sizes, sigmaPenalty: 0 }, { buffers: { head, targets: target, logDensity: batch }, read: ['logDensity'] });
    const withoutPenalty = ref.vonMisesNll(head, target, { ...shape, sigmaPenalty: 0 }).sampleNll;
    const label = `von Mises ${args.scenario} ${sigma} B${batch} K${components} D${dims}`;
    // Targets 1e3 out carry f32's rounding of the angle itself: 1e3 · 2^-24 = 6e-5 rad, times κ ≤ 100 in the gradient.
    const far = args.scenario === 'far' ? { atol: 1e-2, rtol: 1e-3 } : undefined;
    return {
      referenceFinite: [...expected.sampleNll, ...expected.headGrad].every(Number.isFinite),
      gpuFinite: [...trained.sampleNll, ...trained.headGrad, ...scored.logDensity].every(Number.isFinite),
      reports: [
        compareArrays(`${label} nll`, trained.sampleNll, expected.sampleNll, far ?? { atol: 2e-5, rtol: 2e-5 }),
        compareArrays(`${label} grad`, trained.headGrad, expected.headGrad, far ?? { atol: 2e-5, rtol: 1e-4 }),
        compareArrays(`${label} log-density`, scored.logDensity, withoutPenalty.map((v) => -v), far ?? { atol: 2e-5, rtol: 2e-5 }),
      ],
    };
  },

  // One known mixture for every row (the head layer's weights zero, its bias the head): κ = 0.5, 4 and 1e4.
  async vonMisesSampling(gpu: GpuContext, { n }: { n: number }) {
    const arch: MdnArchitecture = { inputDim: 1, outputDim: 1, hidden: [], activation: 'tanh', components: 3, sigma: 'exp', sigmaEpsilon: EPSILON, family: 'von-mises' };
    const sigmas = [1 / Math.sqrt(0.5), 0.5, 0.01];
    const bias = [0.2, -0.1, 0.4, 2.8, -1, 3.1, ...sigmas.map(Math.log)];
    const model = await Mdn.fromWeights(arch, [Float32Array.from([...bias.map(() => 0), ...bias])], gpu);
    try {
      const x = new Float32Array(4);
      const mixture = await model.predict(x);
      const draws = await model.sample(x, n, { seed: 5 });
      const frozen = await model.sample(x.subarray(0, 1), 20, { seed: 1, temperature: 0, sigmaTemperature: 0 });
      const cdf = circularCdfOfRow(mixture, 0);
      const sorted = Array.from(draws).sort((a, b) => a - b);
      let ks = 0;
      sorted.forEach((v, i) => {
        const F = cdf(v);
        ks = Math.max(ks, Math.abs(F - i / sorted.length), Math.abs(F - (i + 1) / sorted.length));
      });
      // The heaviest component at temperature 0, its mean direction wrapped (3.1 is inside (−π, π]).
      return { ks, bound: 1.95 / Math.sqrt(sorted.length), inRange: draws.every((v) => v > -Math.PI && v <= Math.PI), frozen: Array.from(new Set(frozen)), heaviestMu: Math.fround(3.1) };
    } finally {
      model.destroy();
    }
  },

  vonMisesTrainingSteps: (gpu: GpuContext, { steps, rows }: { steps: number; rows: number }) =>
    stepsAgainstReference(gpu, { ...SMALL_ARCHITECTURE, family: 'von-mises' }, steps, rows, rows + 11, 'von Mises'),

  async vonMisesModelEndToEnd(gpu: GpuContext) {
    const d = angular(400, 3);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 3, family: 'von-mises', scale: 'zscore', seed: 2, gpu });
    try {
      const fit = await model.fit(d.x, d.y, { steps: 300, learningRate: 0.02, evaluateEvery: 100 });
      const rows = 37;
      const xs = Float32Array.from({ length: rows }, (_, i) => -3 + i / 6);
      const ys = Float32Array.from({ length: rows }, (_, i) => Math.sin(i) * 3);
      const mixture = await model.predict(xs);
      const logDensity = await model.logProb(xs, ys);
      const calibration = await model.calibration(xs, ys, { levels: [0.9], bins: 4 });
      const draws = await model.sample(xs, 5, { seed: 1 });
      const loaders = await throughEveryLoader(model, gpu, xs, ys);
      const decoded = decodeModel(loaders.saved);
      const angles = [...mixtureMean(mixture), ...mixtureMode(mixture), ...mixtureQuantile(mixture, 0.3), ...draws];
      const cdf = mixtureCdf(mixture, ys);
      const variance = mixtureVariance(mixture);
      return {
        losses: fit.history.map((p) => p.loss),
        family: decoded.architecture.family,
        yScaled: decoded.scaling ? decoded.scaling.y.shift.some((v) => v !== 0) || decoded.scaling.y.scale.some((v) => v !== 1) : false,
        anglesInRange: angles.every((v) => v > -Math.PI - 1e-9 && v <= Math.PI + 1e-9),
        cdfInRange: cdf.every((v) => v >= 0 && v <= 1),
        varianceInRange: variance.every((v) => v >= 0 && v <= 1),
        crpsFinite: Number.isFinite(calibration.crps) && calibration.pit.reduce((a, b) => a + b, 0) === rows,
        validation: loaders.validation,
        loadedSame: same(loaders.loadedLogProb, logDensity),
        kernelSame: same(loaders.kernelLogProb, logDensity),
        reports: [compareArrays('von Mises log p(y|x)', logDensity, referenceLogDensity(decoded, xs, ys), { atol: 1e-4, rtol: 1e-5 })],
      };
    } finally {
      model.destroy();
    }
  },
};
