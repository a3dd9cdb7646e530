// Family 'gaussian-full': its float64 reference (against finite differences, against the diagonal family where
// the factor is diagonal, against an explicitly formed Σ), the CPU distribution functions on its mixtures, and the
// checks of the model description. Finite-difference tolerances as in reference.test.ts (atol 1e-6 + rtol 1e-6).
import { describe, expect, it } from 'vitest';
import { SIGMA_ACTIVATIONS } from '../../src/shaders/sigma.wgsl.js';
import { fullCovarianceHeadWidth, fullCovarianceNll, fullCovarianceParams } from '../../src/mdn/reference/fullCovariance.js';
import { headWidthOf, mixtureNll } from '../../src/mdn/reference/mixture.js';
import { lossAndGradient } from '../../src/mdn/reference/network.js';
import { type MdnArchitecture, headWidth, validateArchitecture } from '../../src/mdn/architecture.js';
import { initialParameters } from '../../src/mdn/init.js';
import { type Mixture, mixtureCovariance, mixtureMean, mixtureVariance, splitMixture } from '../../src/mdn/mixture.js';
import { mixtureMode } from '../../src/mdn/distribution.js';
import { mixtureColumns } from '../../src/mdn/scaling.js';
import { decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { exportWgsl } from '../../src/inference.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';
import { Random } from '../../src/mdn/random.js';
import { compareArrays } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { centralDifference } from './fd.js';

const FD = { atol: 1e-6, rtol: 1e-6 };

/** A random head: logits and μ in ±1.5, diagonal pre-activations near σ = 1, below-diagonal entries in ±0.8. */
function randomHead(batch: number, K: number, D: number, seed: number): Float64Array {
  const random = new Random(seed);
  const width = fullCovarianceHeadWidth(K, D);
  const head = new Float64Array(batch * width);
  for (let r = 0; r < batch; r++) {
    for (let i = 0; i < K + K * D; i++) head[r * width + i] = random.range(-1.5, 1.5);
    for (let i = 0; i < K * D; i++) head[r * width + K + K * D + i] = 0.5 + random.range(-0.6, 0.6);
    for (let i = K + 2 * K * D; i < width; i++) head[r * width + i] = random.range(-0.8, 0.8);
  }
  return head;
}

// log N(y; μ, Σ) with Σ = L Lᵀ formed explicitly and inverted by Gauss–Jordan: an independent route to the density.
function explicitLogDensity(mu: number[], L: number[][], y: number[]): number {
  const D = mu.length;
  const sigma = mu.map((_, i) => mu.map((__, j) => L[i].reduce((s, v, t) => s + v * L[j][t], 0)));
  const a = sigma.map((row, i) => [...row, ...mu.map((_, j) => (i === j ? 1 : 0))]);
  let det = 1;
  for (let c = 0; c < D; c++) {
    const pivot = a[c][c];
    det *= pivot;
    for (let j = 0; j < 2 * D; j++) a[c][j] /= pivot;
    for (let r = 0; r < D; r++) if (r !== c) for (let j = 2 * D - 1; j >= 0; j--) a[r][j] -= a[r][c] * a[c][j];
  }
  const d = y.map((v, i) => v - mu[i]);
  let quadratic = 0;
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) quadratic += d[i] * a[i][D + j] * d[j];
  return -0.5 * D * Math.log(2 * Math.PI) - 0.5 * Math.log(det) - 0.5 * quadratic;
}

describe('full-covariance reference', () => {
  it.each(SIGMA_ACTIVATIONS.flatMap((sigma) => [2, 3, 8].map((dims) => ({ sigma, dims }))))('NLL gradient matches finite differences: $sigma, D $dims, K 3, λ 0.01', ({ sigma, dims }) => {
    const shape = { batch: 2, components: 3, dims, sigma, sigmaEpsilon: 1e-7, sigmaPenalty: 0.01 };
    const head = randomHead(2, 3, dims, dims * 7);
    const target = new Random(dims).fill(2 * dims, (r) => r.range(-2, 2));
    const total = () => fullCovarianceNll(head, target, shape).sampleNll.reduce((a, b) => a + b, 0);
    expectReportsPass([compareArrays(`gaussian-full ${sigma} D${dims} head grad`, fullCovarianceNll(head, target, shape).headGrad, centralDifference(head, total), FD)]);
  });

  it('with nothing below the diagonal it is the diagonal Gaussian, gradient included', () => {
    const K = 3;
    const D = 3;
    const shape = { batch: 4, components: K, dims: D, sigma: 'softplus' as const, sigmaEpsilon: 1e-7, sigmaPenalty: 0.02 };
    const head = randomHead(4, K, D, 11);
    const full = fullCovarianceHeadWidth(K, D);
    const diagonal = headWidthOf(K, D);
    for (let r = 0; r < 4; r++) head.fill(0, r * full + diagonal, (r + 1) * full);
    const target = new Random(3).fill(4 * D, (r) => r.range(-2, 2));
    const a = fullCovarianceNll(head, target, shape);
    const rowsOf = (values: Float64Array) => Array.from({ length: 4 }, (_, r) => Array.from(values.subarray(r * full, r * full + diagonal))).flat();
    const b = mixtureNll(Float64Array.from(rowsOf(head)), target, shape);
    expectReportsPass([compareArrays('NLL', a.sampleNll, b.sampleNll, { atol: 1e-12, rtol: 1e-12 }), compareArrays('grad', rowsOf(a.headGrad), b.headGrad, { atol: 1e-12, rtol: 1e-12 })]);
  });

  it('one component is log N(y; μ, L Lᵀ) with Σ formed and inverted explicitly (D 4)', () => {
    const D = 4;
    const head = randomHead(1, 1, D, 5);
    head[0] = 0;
    const y = [0.3, -1.1, 2, 0.5];
    const params = fullCovarianceParams(head, { batch: 1, components: 1, dims: D, sigma: 'exp', sigmaEpsilon: 0 });
    const mu = Array.from(params.subarray(1, 1 + D));
    const L = mu.map((_, i) => mu.map((__, j) => (i === j ? params[1 + D + i] : j < i ? params[1 + 2 * D + (i * (i - 1)) / 2 + j] : 0)));
    const nll = fullCovarianceNll(head, y, { batch: 1, components: 1, dims: D, sigma: 'exp', sigmaEpsilon: 0 }).sampleNll[0];
    expect(-nll).toBeCloseTo(explicitLogDensity(mu, L, y), 10);
  });

  it('stays finite for targets 1e3 scales away, near-singular factors and pre-activations of ±50', () => {
    const D = 3;
    const shape = { batch: 1, components: 2, dims: D, sigma: 'exp' as const, sigmaEpsilon: 0 };
    const head = randomHead(1, 2, D, 8);
    const far = fullCovarianceNll(head, [1000, -1000, 1000], shape);
    // L = [[1, 0, 0], [1e3, 1e-3, 0], …]: Σ's condition number is about 1e12.
    const singular = Float64Array.from(head);
    singular[2 + 2 * D + 1] = Math.log(1e-3);
    singular[2 + 4 * D] = 1e3;
    const nearSingular = fullCovarianceNll(singular, [0.5, 500.2, 0.1], shape);
    const extreme = Float64Array.from(head);
    for (let i = 0; i < 2 * D; i++) extreme[2 + 2 * D + i] = i % 2 === 0 ? 50 : -50;
    const wide = fullCovarianceNll(extreme, [0.1, 0.2, 0.3], shape);
    for (const r of [far, nearSingular, wide]) expect([...r.sampleNll, ...r.headGrad].every(Number.isFinite)).toBe(true);
  });

  it('through a whole network, every parameter gradient matches finite differences', () => {
    const arch: MdnArchitecture = { inputDim: 2, outputDim: 3, hidden: [5], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'gaussian-full' };
    const random = new Random(4);
    const rows = 4;
    const x = random.fill(rows * 2, (r) => r.normal());
    const y = random.fill(rows * 3, (r) => r.normal());
    const params = initialParameters(arch, 3).map((p) => p.map((v) => v + 0.05 * random.normal()));
    const { grads } = lossAndGradient(arch, params, x, y, rows);
    expectReportsPass(params.map((p, i) => compareArrays(`layer${i}`, grads[i], centralDifference(p, () => lossAndGradient(arch, params, x, y, rows).loss), FD)));
  });
});

// Two components in two dimensions: L_0 = [[1, 0], [0.8, 0.6]] (Σ_0 = [[1, 0.8], [0.8, 1]]), L_1 = 0.5·I.
const twoComponents = (): Mixture =>
  splitMixture(Float32Array.of(0.25, 0.75, 1, 2, -1, 0, 1, 0.6, 0.5, 0.5, 0.8, 0), 1, 2, 2, { lowerPerComponent: 1 });

describe('full-covariance mixtures on the CPU', () => {
  it('splitMixture keeps the factor below the diagonal; mean, variance and covariance follow the law of total covariance', () => {
    const m = twoComponents();
    expect(Array.from(m.lower!)).toEqual([Math.fround(0.8), 0]);
    expect(Array.from(mixtureMean(m))).toEqual([0.25 * 1 + 0.75 * -1, 0.25 * 2 + 0]);
    const mean = [-0.5, 0.5];
    const d0 = [1.5, 1.5];
    const d1 = [-0.5, -0.5];
    const sigma0 = [1, Math.fround(0.8), Math.fround(0.8), Math.fround(0.8) ** 2 + Math.fround(0.6) ** 2];
    const expected = [0, 1, 2, 3].map((e) => {
      const [i, j] = [Math.floor(e / 2), e % 2];
      return 0.25 * (sigma0[e] + d0[i] * d0[j]) + 0.75 * ((i === j ? 0.25 : 0) + d1[i] * d1[j]);
    });
    expect(mean).toEqual(Array.from(mixtureMean(m)));
    expectReportsPass([compareArrays('covariance', mixtureCovariance(m), expected, { atol: 1e-7, rtol: 1e-7 })]);
    expectReportsPass([compareArrays('variance', mixtureVariance(m), [expected[0], expected[3]], { atol: 1e-7, rtol: 1e-7 })]);
  });

  it('the mode of one component is its mean; of two far apart, the heavier one’s; between close ones, the density’s peak', () => {
    const one = splitMixture(Float32Array.of(1, 0.3, -0.2, 1, 0.4, 0.9), 1, 1, 2, { lowerPerComponent: 1 });
    expectReportsPass([compareArrays('one', mixtureMode(one), [Math.fround(0.3), Math.fround(-0.2)], { atol: 1e-9, rtol: 0 })]);
    const far = splitMixture(Float32Array.of(0.3, 0.7, 0, 0, 10, 10, 1, 1, 1, 1, 0.5, -0.5), 1, 2, 2, { lowerPerComponent: 1 });
    expectReportsPass([compareArrays('far', mixtureMode(far), [10, 10], { atol: 1e-6, rtol: 0 })]);
    // Close components: the mode is where the gradient of the density vanishes, checked by finite differences.
    const close = twoComponents();
    const [a, b] = mixtureMode(close);
    const density = (y0: number, y1: number) => {
      const q0 = (y0 - 1) ** 2 / 0.36 - (2 * 0.8 * (y0 - 1) * (y1 - 2)) / 0.36 + (y1 - 2) ** 2 / 0.36;
      return (0.25 / (2 * Math.PI * 0.6)) * Math.exp(-0.5 * q0) + (0.75 / (2 * Math.PI * 0.25)) * Math.exp(-0.5 * ((y0 + 1) ** 2 + y1 ** 2) / 0.25);
    };
    const h = 1e-5;
    expect(Math.abs(density(a + h, b) - density(a - h, b)) / (2 * h)).toBeLessThan(1e-6);
    expect(Math.abs(density(a, b + h) - density(a, b - h)) / (2 * h)).toBeLessThan(1e-6);
    expect(density(a, b)).toBeGreaterThan(density(-1, 0));
  });

  it('scaled back to original units, the factor’s rows scale with their target dimension', () => {
    const columns = mixtureColumns({ kind: 'zscore', log: false, shift: [1, 2, 3], scale: [10, 20, 30] }, 1, [1, 2, 2]);
    // π, μ (3), σ (3), then L's (1,0), (2,0), (2,1) entries: scaled by s_1, s_2, s_2.
    expect(Array.from({ length: 10 }, (_, i) => columns[4 * i])).toEqual([1, 10, 20, 30, 10, 20, 30, 20, 30, 30]);
  });
});

describe('family gaussian-full in the model description', () => {
  const base: MdnArchitecture = { inputDim: 2, outputDim: 3, hidden: [4], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'gaussian-full' };

  it('sizes the head K(1 + 2D + D(D−1)/2), saves and reads back bit for bit', () => {
    expect(headWidth(base)).toBe(2 * (1 + 6 + 3));
    const bytes = encodeModel(base, initialParameters(base, 1).map((b) => Float32Array.from(b)));
    expect(decodeModel(bytes).architecture).toEqual(base);
  });

  it.each([
    [1, /outputDim 1 is family 'gaussian' \(one dimension has no correlations\): use that/],
    [33, /takes outputDim up to 32, got 33/],
  ])('refuses outputDim %i naming why', (outputDim, message) => {
    expect(() => validateArchitecture({ ...base, outputDim })).toThrow(InvalidArgumentError);
    expect(() => validateArchitecture({ ...base, outputDim })).toThrow(message);
  });

  it('exportWgsl exports its mixture-parameter stage with the factor copied after the scales', () => {
    const stages = exportWgsl(base);
    expect(stages[stages.length - 1].code).toContain('params[base + K + 2u * KD + i] = head[base + K + 2u * KD + i];');
  });
});
