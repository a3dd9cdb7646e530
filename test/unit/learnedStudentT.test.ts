// Student-t components with learned degrees of freedom on the CPU: the float64 reference against central
// differences and against the fixed-ν reference, the normaliser's derivative, the model description and its
// file, and the distribution functions of a mixture with per-component ν against the fixed-ν ones.
import { describe, expect, it } from 'vitest';
import { type MdnArchitecture, headWidth, validateArchitecture } from '../../src/mdn/architecture.js';
import { degreesOfFreedomFrom, studentTNormalizer } from '../../src/mdn/heads/learnedDegreesOfFreedom.js';
import { learnedStudentTNll, learnedStudentTParams } from '../../src/mdn/reference/learnedStudentT.js';
import { mixtureNll } from '../../src/mdn/reference/mixture.js';
import { type Mixture, mixtureMean, mixtureVariance, splitMixture } from '../../src/mdn/mixture.js';
import { mixtureCdf, mixtureMode, mixtureQuantile } from '../../src/mdn/distribution.js';
import { mixtureCrps } from '../../src/mdn/calibration.js';
import { initialParameters } from '../../src/mdn/init.js';
import { decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { exportWgsl } from '../../src/inference.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';
import { Random } from '../../src/mdn/random.js';
import { centralDifference } from './fd.js';

const base: MdnArchitecture = { inputDim: 2, outputDim: 2, hidden: [4], activation: 'tanh', components: 3, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'student-t', degreesOfFreedom: 'learned' };

function randomHead(rows: number, K: number, D: number, seed: number, nuRange = 3) {
  const random = new Random(seed);
  const width = K * (1 + 3 * D);
  const head = Float64Array.from({ length: rows * width }, (_, i) => {
    const c = i % width;
    return c >= K + 2 * K * D ? random.range(-nuRange, nuRange) : random.range(-1.5, 1.5);
  });
  const target = Float64Array.from({ length: rows * D }, () => random.range(-3, 3));
  return { head, target };
}

describe('learned degrees of freedom: float64 reference', () => {
  it.each([
    { K: 1, D: 1, sigma: 'softplus' as const, nuRange: 3 },
    { K: 3, D: 2, sigma: 'exp' as const, nuRange: 3 },
    { K: 2, D: 3, sigma: 'elu1' as const, nuRange: 8 },
  ])('the gradient of every head output matches central differences: K $K, D $D, $sigma σ, ν pre-activations in ±$nuRange', ({ K, D, sigma, nuRange }) => {
    const rows = 3;
    const { head, target } = randomHead(rows, K, D, K * 10 + D, nuRange);
    const shape = { batch: rows, components: K, dims: D, sigma, sigmaEpsilon: 1e-7, sigmaPenalty: 0.02 };
    const { headGrad } = learnedStudentTNll(head, target, shape);
    const numeric = centralDifference(head, () => learnedStudentTNll(head, target, shape).sampleNll.reduce((a, b) => a + b, 0));
    for (let i = 0; i < head.length; i++) expect(Math.abs(headGrad[i] - numeric[i]), `entry ${i}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric[i])));
  });

  it('equals the fixed-ν reference where every ν is the same', () => {
    const K = 3;
    const D = 2;
    const rows = 4;
    for (const a of [-2.5, 0.7, 4]) {
      const { head, target } = randomHead(rows, K, D, 5);
      const width = K * (1 + 3 * D);
      for (let r = 0; r < rows; r++) for (let i = 0; i < K * D; i++) head[r * width + K + 2 * K * D + i] = a;
      const nu = degreesOfFreedomFrom(a).nu;
      const fixedHead = Float64Array.from({ length: rows * K * (1 + 2 * D) }, (_, i) => head[Math.floor(i / (K * (1 + 2 * D))) * width + (i % (K * (1 + 2 * D)))]);
      const learned = learnedStudentTNll(head, target, { batch: rows, components: K, dims: D, sigma: 'softplus', sigmaEpsilon: 1e-7 });
      const fixed = mixtureNll(fixedHead, target, { batch: rows, components: K, dims: D, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'student-t', degreesOfFreedom: nu });
      for (let r = 0; r < rows; r++) expect(learned.sampleNll[r]).toBeCloseTo(fixed.sampleNll[r], 11);
      for (let i = 0; i < fixedHead.length; i++) {
        const r = Math.floor(i / (K * (1 + 2 * D)));
        expect(learned.headGrad[r * width + (i % (K * (1 + 2 * D)))]).toBeCloseTo(fixed.headGrad[i], 11);
      }
    }
  });

  it('the normaliser’s derivative in ν matches central differences; ν spans (1.5, 100)', () => {
    for (const nu of [1.5, 2.5, 7, 40, 100]) {
      const h = 1e-5 * nu;
      const numeric = (studentTNormalizer(nu + h).logNormalizer - studentTNormalizer(nu - h).logNormalizer) / (2 * h);
      expect(studentTNormalizer(nu).dLogNormalizer).toBeCloseTo(numeric, 8);
    }
    expect(degreesOfFreedomFrom(-40).nu).toBeCloseTo(1.5, 12);
    expect(degreesOfFreedomFrom(40).nu).toBeCloseTo(100, 12);
    expect(degreesOfFreedomFrom(0)).toEqual({ nu: 50.75, dNu: 98.5 / 4 });
  });

  it('stays finite with ν at its bounds and targets 1e4 scales away', () => {
    const { head, target } = randomHead(2, 2, 2, 9, 40);
    target.fill(1e4);
    const out = learnedStudentTNll(head, target, { batch: 2, components: 2, dims: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 });
    expect([...out.sampleNll, ...out.headGrad].every(Number.isFinite)).toBe(true);
  });
});

describe('learned degrees of freedom in the model description', () => {
  it("takes degreesOfFreedom 'learned', a head of K(1 + 3D), and refuses other strings", () => {
    expect(() => validateArchitecture(base)).not.toThrow();
    expect(headWidth(base)).toBe(3 * (1 + 3 * 2));
    expect(() => validateArchitecture({ ...base, degreesOfFreedom: 'Learned' as never })).toThrow(InvalidArgumentError);
    expect(() => validateArchitecture({ ...base, degreesOfFreedom: 'Learned' as never })).toThrow(/degreesOfFreedom must be 'learned' or a number above 1/);
    expect(() => validateArchitecture({ ...base, family: 'laplace' })).toThrow(/degreesOfFreedom is for family 'student-t'/);
  });

  it('saves and reads back bit for bit; exportWgsl gives ν after the scales', () => {
    const bytes = encodeModel(base, initialParameters(base, 1).map((b) => Float32Array.from(b)));
    expect(decodeModel(bytes).architecture).toEqual(base);
    expect(encodeModel(decodeModel(bytes).architecture, decodeModel(bytes).blocks)).toEqual(bytes);
    const stages = exportWgsl(base);
    expect(stages[stages.length - 1].code).toContain('nuOf(head[');
  });
});

describe('a mixture with learned ν', () => {
  const K = 2;
  const shape = { batch: 3, components: K, dims: 1, sigma: 'softplus' as const, sigmaEpsilon: 1e-7 };
  const { head } = randomHead(3, K, 1, 21);
  const width = K * 4;
  // Every ν the same: the distribution functions must equal the fixed-ν mixture's.
  for (let r = 0; r < 3; r++) for (let k = 0; k < K; k++) head[r * width + K + 2 * K + k] = -1.2;
  const nu = degreesOfFreedomFrom(-1.2).nu;
  const learned = splitMixture(Float32Array.from(learnedStudentTParams(head, shape)), 3, K, 1, { family: 'student-t', learnedDegreesOfFreedom: true });
  const fixed: Mixture = { rows: 3, components: K, dims: 1, pi: learned.pi, mu: learned.mu, sigma: learned.sigma, family: 'student-t', degreesOfFreedom: nu };

  it('splits ν per component after the scales', () => {
    expect(learned.nu).toHaveLength(3 * K);
    expect(learned.lower).toBeUndefined();
    expect(learned.nu![0]).toBeCloseTo(nu, 5);
  });

  it('gives the fixed-ν mixture’s mean, variance, mode, CDF, quantile and CRPS when every ν is equal', () => {
    const close = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).forEach((v, i) => expect(v).toBeCloseTo(b[i], 6));
    close(mixtureMean(learned), mixtureMean(fixed));
    close(mixtureVariance(learned), mixtureVariance(fixed));
    close(mixtureMode(learned), mixtureMode(fixed));
    close(mixtureCdf(learned, [0.1, -2, 3]), mixtureCdf(fixed, [0.1, -2, 3]));
    close(mixtureQuantile(learned, 0.9), mixtureQuantile(fixed, 0.9));
    close(mixtureCrps(learned, [0.1, -2, 3]), mixtureCrps(fixed, [0.1, -2, 3]));
  });

  it('uses each component’s own ν: its variance is ν/(ν − 2) σ², Infinity at ν ≤ 2', () => {
    const two: Mixture = { rows: 1, components: 2, dims: 1, pi: Float32Array.of(0.5, 0.5), mu: Float32Array.of(0, 0), sigma: Float32Array.of(1, 1), family: 'student-t', nu: Float32Array.of(4, 10) };
    expect(mixtureVariance(two)[0]).toBeCloseTo(0.5 * 2 + 0.5 * 1.25, 6);
    expect(mixtureVariance({ ...two, nu: Float32Array.of(1.8, 10) })[0]).toBe(Infinity);
  });
});
