// Sampling on the GPU, checked by statistics with fixed seeds against the mixture the GPU predicted.
// Bounds: sample means within 5 standard errors; sample variances within 5 standard errors of the variance
// estimate (from the mixture's exact fourth central moment); the Kolmogorov–Smirnov distance below
// 1.95/√n (its 0.1% critical value); component frequencies within 5 binomial standard errors.
import type { GpuContext } from '../../../src/runtime/device.js';
import { createMdn } from '../../../src/mdn/createMdn.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { MdnPredictor } from '../../../src/mdn/predictor.js';
import type { Mixture } from '../../../src/mdn/mixture.js';
import { SMALL_ARCHITECTURE } from './training.js';
import { StepRing } from '../../../src/runtime/stepRing.js';
import { SampleCall, mixtureSample } from '../../../src/shaders/mixtureSample.js';
import type { SigmaActivation } from '../../../src/shaders/sigma.wgsl.js';
import { Random } from '../../../src/mdn/random.js';
import betainc from '@stdlib/math-base-special-betainc';
import { runKernel } from '../runKernel.js';

// Complementary error function, fractional error below 1.2e-7 (Chebyshev fit, Numerical Recipes' erfcc).
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}
const normalCdf = (x: number) => 0.5 * erfc(-x / Math.SQRT2);
const laplaceCdf = (x: number) => (x < 0 ? 0.5 * Math.exp(x) : 1 - 0.5 * Math.exp(-x));
// Student-t with ν = 6 (fourth moment finite, as the variance check needs): ½ I_{ν/(ν+x²)}(ν/2, ½) in the lower tail.
const NU = 6;
const tCdf = (x: number) => {
  const tail = 0.5 * betainc(NU / (NU + x * x), NU / 2, 0.5);
  return x < 0 ? tail : 1 - tail;
};

type Family = 'gaussian' | 'laplace' | 'student-t';
// Per family: the standard CDF, and a component's variance and fourth central moment from its scale
// (Gaussian σ², 3σ⁴; Laplace 2b², 24b⁴).
const FAMILY = {
  gaussian: { cdf: normalCdf, variance: (s: number) => s ** 2, fourth: (s: number) => 3 * s ** 4 },
  laplace: { cdf: laplaceCdf, variance: (s: number) => 2 * s ** 2, fourth: (s: number) => 24 * s ** 4 },
  // ν/(ν − 2) σ² and 3ν²/((ν − 2)(ν − 4)) σ⁴.
  'student-t': { cdf: tCdf, variance: (s: number) => (NU / (NU - 2)) * s ** 2, fourth: (s: number) => ((3 * NU * NU) / ((NU - 2) * (NU - 4))) * s ** 4 },
};

interface Component {
  weight: number;
  mu: number;
  sigma: number;
}

const componentsOf = (m: Mixture, row: number, d: number): Component[] =>
  Array.from({ length: m.components }, (_, k) => ({
    weight: m.pi[row * m.components + k],
    mu: m.mu[(row * m.components + k) * m.dims + d],
    sigma: m.sigma[(row * m.components + k) * m.dims + d],
  }));

function moments(cs: Component[], family: Family) {
  const f = FAMILY[family];
  const total = cs.reduce((s, c) => s + c.weight, 0);
  const mean = cs.reduce((s, c) => s + c.weight * c.mu, 0) / total;
  const variance = cs.reduce((s, c) => s + c.weight * (f.variance(c.sigma) + (c.mu - mean) ** 2), 0) / total;
  // Symmetric components: Σ w (δ⁴ + 6 δ² v + m4), δ the component's offset from the mixture mean.
  const fourth = cs.reduce((s, c) => {
    const delta = c.mu - mean;
    return s + c.weight * (delta ** 4 + 6 * delta ** 2 * f.variance(c.sigma) + f.fourth(c.sigma));
  }, 0) / total;
  return { mean, variance, fourth };
}

export const samplingCases = {
  async samplingStatistics(gpu: GpuContext, { n, family = 'gaussian' }: { n: number; family?: Family }) {
    const familyOptions = family === 'gaussian' ? {} : family === 'student-t' ? { family, degreesOfFreedom: NU } : { family };
    const model = await createMdn({ inputDim: 1, outputDim: 2, hidden: [8], activation: 'tanh', components: 3, sigma: 'softplus', seed: 11, gpu, ...familyOptions });
    try {
      const x = Float32Array.of(-1.5, 0.2, 1.7);
      const rows = 3;
      const D = 2;
      const mixture = await model.predict(x);
      const samples = await model.sample(x, n, { seed: 1 });
      const same = await model.sample(x, n, { seed: 1 });
      const other = await model.sample(x, n, { seed: 2 });
      const checks: { label: string; value: number; bound: number }[] = [];
      for (let r = 0; r < rows; r++) {
        for (let d = 0; d < D; d++) {
          const values = Float64Array.from({ length: n }, (_, j) => samples[(r * n + j) * D + d]);
          const cs = componentsOf(mixture, r, d);
          const m = moments(cs, family);
          const sampleMean = values.reduce((a, b) => a + b, 0) / n;
          const sampleVariance = values.reduce((a, b) => a + (b - sampleMean) ** 2, 0) / (n - 1);
          checks.push({ label: `row ${r} dim ${d} mean`, value: Math.abs(sampleMean - m.mean), bound: 5 * Math.sqrt(m.variance / n) });
          checks.push({ label: `row ${r} dim ${d} variance`, value: Math.abs(sampleVariance - m.variance), bound: 5 * Math.sqrt((m.fourth - m.variance ** 2) / n) });
          const sorted = [...values].sort((a, b) => a - b);
          let ks = 0;
          sorted.forEach((v, i) => {
            const cdf = cs.reduce((s, c) => s + c.weight * FAMILY[family].cdf((v - c.mu) / c.sigma), 0);
            ks = Math.max(ks, Math.abs(cdf - i / n), Math.abs(cdf - (i + 1) / n));
          });
          checks.push({ label: `row ${r} dim ${d} Kolmogorov–Smirnov`, value: ks, bound: 1.95 / Math.sqrt(n) });
        }
      }
      return {
        checks,
        repeatable: samples.every((v, i) => Object.is(v, same[i])),
        seedsDiffer: samples.some((v, i) => v !== other[i]),
        allFinite: samples.every(Number.isFinite),
      };
    } finally {
      model.destroy();
    }
  },

  async samplingTemperatures(gpu: GpuContext, { n }: { n: number }) {
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [8], components: 4, sigma: 'exp', seed: 5, gpu });
    try {
      const x = Float32Array.of(0.3);
      const m = await model.predict(x);
      const pi = Array.from(m.pi);
      const mu = Array.from(m.mu);
      const frequencies = async (temperature: number) => {
        const draws = await model.sample(x, n, { temperature, sigmaTemperature: 0, seed: 9 });
        const counts = mu.map((v) => draws.filter((d) => d === v).length);
        return { counts, unmatched: n - counts.reduce((a, b) => a + b, 0) };
      };
      const sharpened = pi.map((p) => p * p);
      const total = sharpened.reduce((a, b) => a + b, 0);
      const argmax = pi.indexOf(Math.max(...pi));
      const frozen = await model.sample(x, 100, { temperature: 0, sigmaTemperature: 0, seed: 4 });
      return {
        pi,
        atOne: await frequencies(1),
        atHalf: await frequencies(0.5),
        expectedAtHalf: sharpened.map((p) => p / total),
        frozenIsArgmaxMean: frozen.every((v) => v === mu[argmax]),
      };
    } finally {
      model.destroy();
    }
  },

  async samplingChunks(gpu: GpuContext) {
    const trainer = await MdnTrainer.create(gpu, SMALL_ARCHITECTURE, { rows: 4, optimizer: { kind: 'adam', learningRate: 0.01 }, seed: 3 });
    const whole = await MdnPredictor.create(gpu, SMALL_ARCHITECTURE, trainer.parameters);
    const chunked = await MdnPredictor.create(gpu, SMALL_ARCHITECTURE, trainer.parameters, { maxRows: 2 });
    try {
      const x = Float32Array.from({ length: 5 * 3 }, (_, i) => Math.sin(i));
      const a = await whole.sample(x, 7, { seed: 12, temperature: 0.7, sigmaTemperature: 1.3 });
      const b = await chunked.sample(x, 7, { seed: 12, temperature: 0.7, sigmaTemperature: 1.3 });
      return { length: a.length, identical: a.every((v, i) => Object.is(v, b[i])) };
    } finally {
      chunked.destroy();
      whole.destroy();
      trainer.destroy();
    }
  },

  /** The unrolled sampling kernel and the looping one draw the same values, bit for bit, from the same head. */
  async samplingVariantsAgree(
    gpu: GpuContext,
    { components, dims, sigma, temperature, family = 'gaussian', degreesOfFreedom }: { components: number; dims: number; sigma: SigmaActivation; temperature: number; family?: Family; degreesOfFreedom?: number },
  ) {
    const rows = 33;
    const samplesPerRow = 5;
    const random = new Random(components * 17 + dims);
    const head = random.fill(rows * components * (1 + 2 * dims), (r) => r.range(-3, 3));
    const ring = new StepRing(gpu, SampleCall, 1, 'test sample call');
    try {
      ring.writeSlot(gpu.device.queue, 0, { temperature, sigmaTemperature: 1.3, seed: 77, rowOffset: 5 });
      const draw = async (unrolled: { components: number; dims: number } | null) =>
        (
          await runKernel(gpu, mixtureSample, { family, degreesOfFreedom, sigma, unrolled }, { rows, samplesPerRow, components, dims, sigmaEpsilon: 1e-7 }, {
            buffers: { head, samples: rows * samplesPerRow * dims },
            resources: { call: ring.binding() },
            read: ['samples'],
          })
        ).samples;
      const loops = await draw(null);
      const unrolled = await draw({ components, dims });
      return { identical: loops.every((v, i) => Object.is(v, unrolled[i])), allFinite: loops.every(Number.isFinite), distinct: new Set(loops).size };
    } finally {
      ring.destroy();
    }
  },
};
