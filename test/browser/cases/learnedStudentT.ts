// Student-t components with learned degrees of freedom on the GPU: the NLL kernel (training and log-density
// variants) against the float64 reference, the sampler by a Kolmogorov–Smirnov bound, training steps against the
// reference network, and a model through every entry point. Tolerances are stated in
// test/gpu/learnedStudentT.test.ts.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { SigmaActivation } from '../../../src/shaders/sigma.wgsl.js';
import { learnedStudentTNll } from '../../../src/shaders/learnedStudentTNll.js';
import * as ref from '../../../src/mdn/reference/learnedStudentT.js';
import type { MdnArchitecture } from '../../../src/mdn/architecture.js';
import { Mdn } from '../../../src/mdn/model.js';
import { createMdn } from '../../../src/mdn/createMdn.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { heavyTailed } from '../../../src/mdn/datasets.js';
import { mixtureCdf, mixtureMode } from '../../../src/mdn/distribution.js';
import { mixtureMean, mixtureVariance } from '../../../src/mdn/mixture.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { referenceLogDensity, referenceMixture } from '../../support/referenceModel.js';
import { runKernel, toF32 } from '../runKernel.js';
import { same, throughEveryLoader } from '../ownDevice.js';
import { SMALL_ARCHITECTURE, stepsAgainstReference } from './training.js';

export type LearnedScenario = 'random' | 'bounds' | 'far';

interface NllArgs {
  batch: number;
  components: number;
  dims: number;
  sigma: SigmaActivation;
  scenario: LearnedScenario;
}

const EPSILON = 1e-7;

// Random heads: logits in ±2, μ in ±1, σ pre-activations in ±1, ν pre-activations in ±3; 'bounds' puts every ν
// pre-activation at ±30 (ν at 1.5 and 100 to f32 precision); 'far' puts targets 1e3 from every μ.
function makeHead({ batch, components: K, dims: D, scenario }: NllArgs): { head: Float64Array; target: Float64Array } {
  const random = new Random(batch * 17 + K * 101 + D * 7 + scenario.length);
  const width = ref.learnedStudentTHeadWidth(K, D);
  const KD = K * D;
  const head = new Float64Array(batch * width);
  const target = new Float64Array(batch * D);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    for (let k = 0; k < K; k++) head[base + k] = random.range(-2, 2);
    for (let i = 0; i < KD; i++) {
      head[base + K + i] = random.range(-1, 1);
      head[base + K + KD + i] = random.range(-1, 1);
      head[base + K + 2 * KD + i] = scenario === 'bounds' ? (random.uniform() < 0.5 ? -30 : 30) : random.range(-3, 3);
    }
    for (let d = 0; d < D; d++) target[r * D + d] = scenario === 'far' ? (random.uniform() < 0.5 ? -1e3 : 1e3) : random.range(-2, 2);
  }
  return { head: toF32(head), target: toF32(target) };
}

export const learnedStudentTCases = {
  async learnedStudentTNll(gpu: GpuContext, args: NllArgs) {
    const { batch, components, dims, sigma } = args;
    const { head, target } = makeHead(args);
    const shape = { batch, components, dims, sigma, sigmaEpsilon: EPSILON, sigmaPenalty: Math.fround(0.01) };
    const expected = ref.learnedStudentTNll(head, target, shape);
    const sizes = { batch, components, dims, gradScale: 1, sigmaEpsilon: EPSILON, sigmaPenalty: shape.sigmaPenalty, sigmaGradScale: 1 };
    const trained = await runKernel(gpu, learnedStudentTNll, { sigma, withGradient: true }, sizes, { buffers: { head, targets: target, headGrad: head.length, sampleNll: batch }, read: ['sampleNll', 'headGrad'] });
    const scored = await runKernel(gpu, learnedStudentTNll, { sigma, withGradient: false }, { ...sizes, sigmaPenalty: 0 }, { buffers: { head, targets: target, logDensity: batch }, read: ['logDensity'] });
    const withoutPenalty = ref.learnedStudentTNll(head, target, { ...shape, sigmaPenalty: 0 }).sampleNll;
    const label = `learned-ν Student-t ${args.scenario} ${sigma} B${batch} K${components} D${dims}`;
    return {
      referenceFinite: [...expected.sampleNll, ...expected.headGrad].every(Number.isFinite),
      gpuFinite: [...trained.sampleNll, ...trained.headGrad, ...scored.logDensity].every(Number.isFinite),
      reports: [
        compareArrays(`${label} nll`, trained.sampleNll, expected.sampleNll, { atol: 2e-5, rtol: 2e-5 }),
        compareArrays(`${label} grad`, trained.headGrad, expected.headGrad, { atol: 2e-5, rtol: 1e-4 }),
        compareArrays(`${label} log-density`, scored.logDensity, withoutPenalty.map((v) => -v), { atol: 2e-5, rtol: 2e-5 }),
      ],
    };
  },

  // One known mixture for every row (the head layer's weights zero, its bias the head): ν = 1.6 (a Gamma shape
  // of 0.8, the boosted branch) and ν ≈ 6.
  async learnedStudentTSampling(gpu: GpuContext, { n }: { n: number }) {
    const arch: MdnArchitecture = { inputDim: 1, outputDim: 1, hidden: [], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: EPSILON, family: 'student-t', degreesOfFreedom: 'learned' };
    // logistic(a) = (ν − 1.5) / 98.5.
    const preActivation = (nu: number) => Math.log((nu - 1.5) / (100 - nu));
    const bias = [0.4, -0.2, -1, 2, 0.3, 0.8, preActivation(1.6), preActivation(6)];
    const model = await Mdn.fromWeights(arch, [Float32Array.from([...bias.map(() => 0), ...bias])], gpu);
    try {
      const x = new Float32Array(4);
      const mixture = await model.predict(x);
      const draws = await model.sample(x, n, { seed: 3 });
      // Every row has the same mixture: one sample of 4n draws against its CDF.
      const sorted = Array.from(draws).sort((a, b) => a - b);
      const m = { ...mixture, rows: 1, pi: mixture.pi.subarray(0, 2), mu: mixture.mu.subarray(0, 2), sigma: mixture.sigma.subarray(0, 2), nu: mixture.nu!.subarray(0, 2) };
      const cdf = (v: number) => mixtureCdf(m, [v])[0];
      let ks = 0;
      sorted.forEach((v, i) => {
        const F = cdf(v);
        ks = Math.max(ks, Math.abs(F - i / sorted.length), Math.abs(F - (i + 1) / sorted.length));
      });
      return { nu: Array.from(m.nu), ks, bound: 1.95 / Math.sqrt(sorted.length), finite: draws.every(Number.isFinite) };
    } finally {
      model.destroy();
    }
  },

  learnedStudentTTrainingSteps: (gpu: GpuContext, { steps, rows }: { steps: number; rows: number }) =>
    stepsAgainstReference(gpu, { ...SMALL_ARCHITECTURE, family: 'student-t', degreesOfFreedom: 'learned' }, steps, rows, rows + 7, 'learned-ν Student-t'),

  async learnedStudentTModelEndToEnd(gpu: GpuContext) {
    const d = heavyTailed(400, 3);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 3, family: 'student-t', degreesOfFreedom: 'learned', scale: 'zscore', seed: 2, gpu });
    try {
      const fit = await model.fit(d.x, d.y, { steps: 200, learningRate: 0.02, evaluateEvery: 100 });
      const rows = 37;
      const xs = Float32Array.from({ length: rows }, (_, i) => -4 + i / 4.5);
      const ys = Float32Array.from({ length: rows }, (_, i) => Math.sin(i));
      const mixture = await model.predict(xs);
      const logDensity = await model.logProb(xs, ys);
      const calibration = await model.calibration(xs, ys, { levels: [0.9], bins: 4 });
      const draws = await model.sample(xs, 5, { seed: 1 });
      const loaders = await throughEveryLoader(model, gpu, xs, ys);
      const decoded = decodeModel(loaders.saved);
      const expected = referenceMixture(decoded, xs);
      return {
        losses: fit.history.map((p) => p.loss),
        degreesOfFreedom: decoded.architecture.degreesOfFreedom,
        nuInRange: Array.from(mixture.nu!).every((v) => v > 1.5 && v < 100),
        summariesFinite: [...mixtureMean(mixture), ...mixtureMode(mixture), calibration.crps, ...draws].every(Number.isFinite),
        // Infinite exactly in the rows where a component with weight has ν ≤ 2 (no variance), finite elsewhere.
        varianceAsNu: Array.from(mixtureVariance(mixture)).every((v, r) => (v === Infinity) === [0, 1, 2].some((k) => mixture.pi[r * 3 + k] > 0 && mixture.nu![r * 3 + k] <= 2) && !Number.isNaN(v)),
        validation: loaders.validation,
        loadedSame: same(loaders.loadedLogProb, logDensity),
        kernelSame: same(loaders.kernelLogProb, logDensity),
        reports: [
          compareArrays('learned ν: π', mixture.pi, expected.pi, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('learned ν: μ', mixture.mu, expected.mu, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('learned ν: scale', mixture.sigma, expected.sigma, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('learned ν: ν', mixture.nu!, expected.nu, { atol: 1e-4, rtol: 1e-5 }),
          compareArrays('learned ν: log p(y|x)', logDensity, referenceLogDensity(decoded, xs, ys), { atol: 1e-4, rtol: 1e-5 }),
        ],
      };
    } finally {
      model.destroy();
    }
  },
};
