// CRPS, interval coverage and PIT of predicted mixtures: the closed forms and the numerical integration
// against independent formulas and integrals, and calibrated draws giving nominal coverage and a flat PIT.
import { describe, expect, it } from 'vitest';
import { calibrationOf, mixtureCrps } from '../../src/mdn/calibration.js';
import type { Mixture } from '../../src/mdn/mixture.js';
import { normalCdf } from '../../src/mdn/normalCdf.js';
import { Random } from '../../src/mdn/random.js';
import { oneRowMixture } from './mixtures.js';
import { standardCdfOf } from '../../src/mdn/heads/standardCdf.js';

const studentTCdf = (nu: number, u: number) => standardCdfOf({ family: 'student-t', degreesOfFreedom: nu })(u);


// ∫ (F(z) − 1{z ≥ y})² dz by the midpoint rule on fine grids over [a, y] and [y, b].
function crpsByIntegral(cdf: (z: number) => number, y: number, a: number, b: number, n = 200_000): number {
  const midpoints = (from: number, to: number, f: (z: number) => number) => {
    const h = (to - from) / n;
    let total = 0;
    for (let i = 0; i < n; i++) total += f(from + (i + 0.5) * h) * h;
    return total;
  };
  return midpoints(a, y, (z) => cdf(z) ** 2) + midpoints(y, b, (z) => (1 - cdf(z)) ** 2);
}

describe('CRPS', () => {
  it('Gaussian mixtures: the closed form equals the integral of (F − 1{z ≥ y})²', () => {
    const m = oneRowMixture([0.2, 0.5, 0.3], [-2, 0.5, 4], [0.5, 1, 2]);
    const [w0, w1, w2] = m.pi;
    const cdf = (z: number) => w0 * normalCdf((z + 2) / 0.5) + w1 * normalCdf(z - 0.5) + w2 * normalCdf((z - 4) / 2);
    for (const y of [-3, 0.2, 6]) expect(mixtureCrps(m, [y])[0]).toBeCloseTo(crpsByIntegral(cdf, y, -30, 40), 5);
  });

  it('Laplace: |δ| + b e^(−|δ|/b) − 3b/4 for one component, by integration', () => {
    for (const [y, b] of [[0.3, 1], [5, 0.5], [-2, 3]]) {
      const expected = Math.abs(y - 1) + b * Math.exp(-Math.abs(y - 1) / b) - 0.75 * b;
      expect(mixtureCrps(oneRowMixture([1], [1], [b], { family: 'laplace' }), [y])[0]).toBeCloseTo(expected, 7);
    }
  });

  it('log-normal: y(2Φ(z) − 1) − 2e^(μ+σ²/2)(Φ(z − σ) + Φ(σ/√2) − 1) for one component, by integration', () => {
    for (const [y, mu, s] of [[1.5, 0.2, 0.5], [0.1, 0, 1], [20, 1, 0.8]]) {
      const z = (Math.log(y) - mu) / s;
      const expected = y * (2 * normalCdf(z) - 1) - 2 * Math.exp(mu + (s * s) / 2) * (normalCdf(z - s) + normalCdf(s / Math.SQRT2) - 1);
      expect(mixtureCrps(oneRowMixture([1], [mu], [s], { logNormal: true }), [y])[0]).toBeCloseTo(expected, 5);
    }
  });

  it('refuses multi-dimensional y and a wrong number of values', () => {
    expect(() => mixtureCrps({ ...oneRowMixture([1], [0], [1]), dims: 2, mu: Float32Array.of(0, 0), sigma: Float32Array.of(1, 1) }, [0])).toThrow(/one-dimensional y/);
    expect(() => mixtureCrps(oneRowMixture([1], [0], [1]), [0, 1])).toThrow(/one value per row \(1\), got 2/);
  });
});

describe('coverage and PIT', () => {
  // 4000 rows of random three-component mixtures of each family, each y drawn from its own row's mixture.
  it.each(['gaussian', 'laplace'] as const)('draws from the predicted %s mixtures give nominal coverage and a flat PIT (within 4.5 standard errors)', (family) => {
    const rows = 4000;
    const K = 3;
    const random = new Random(family === 'gaussian' ? 1 : 2);
    const pi = new Float32Array(rows * K);
    const mu = new Float32Array(rows * K);
    const sigma = new Float32Array(rows * K);
    const y = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const raw = [random.uniform() + 0.1, random.uniform() + 0.1, random.uniform() + 0.1];
      const total = raw.reduce((a, b) => a + b, 0);
      for (let k = 0; k < K; k++) {
        pi[r * K + k] = raw[k] / total;
        mu[r * K + k] = random.range(-3, 3);
        sigma[r * K + k] = random.range(0.2, 2);
      }
      let pick = random.uniform();
      let k = 0;
      while (k < K - 1 && pick > pi[r * K + k]) pick -= pi[r * K + k++];
      const u = random.uniform() - 0.5;
      const z = family === 'gaussian' ? random.normal() : -Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
      y[r] = mu[r * K + k] + sigma[r * K + k] * z;
    }
    const m: Mixture = { rows, components: K, dims: 1, pi, mu, sigma, ...(family === 'laplace' ? { family } : {}) };
    const result = calibrationOf(m, y, { levels: [0.5, 0.9], bins: 10 });
    for (const { level, fraction } of result.coverage) expect(Math.abs(fraction - level)).toBeLessThan(4.5 * Math.sqrt((level * (1 - level)) / rows));
    const expected = rows / 10;
    for (const count of result.pit) expect(Math.abs(count - expected)).toBeLessThan(4.5 * Math.sqrt(expected * 0.9));
    expect(result.pit.reduce((a, b) => a + b, 0)).toBe(rows);
    expect(result.crps).toBeGreaterThan(0);
  });

  it('an overconfident prediction covers too little, its PIT piles up at both ends', () => {
    const rows = 1000;
    const random = new Random(3);
    const y = random.fill(rows, (r) => r.normal());
    const narrow: Mixture = { rows, components: 1, dims: 1, pi: new Float32Array(rows).fill(1), mu: new Float32Array(rows), sigma: new Float32Array(rows).fill(0.3) };
    const result = calibrationOf(narrow, y);
    expect(result.coverage[1].fraction).toBeLessThan(0.5);
    expect(result.pit[0] + result.pit[9]).toBeGreaterThan(0.5 * rows);
    expect(() => calibrationOf(narrow, y, { levels: [1] })).toThrow(/strictly between 0 and 1, got 1/);
  });
});

describe('CRPS of heavy tails', () => {
  it.each([1.5, 3, 10])('Student-t components (ν = %s): the integration reaches far enough into the tails', (nu) => {
    const m = oneRowMixture([0.6, 0.4], [0, 3], [1, 0.5], { family: 'student-t', degreesOfFreedom: nu });
    const cdf = (z: number) => 0.6 * studentTCdf(nu, z) + 0.4 * studentTCdf(nu, (z - 3) / 0.5);
    // Independently: midpoints on [−50, 50] split at y (h = 2.5e-4), and the tails out to ±1e7 in t = log |z|
    // (dz = |z| dt); (1 − F)² beyond 1e7 is below 1e-8 for ν = 1.5, far less for the others.
    const tails = (f: (z: number) => number) => {
      const n = 40_000;
      const [a, b] = [Math.log(50), Math.log(1e7)];
      const h = (b - a) / n;
      let total = 0;
      for (let i = 0; i < n; i++) {
        const z = Math.exp(a + (i + 0.5) * h);
        total += (f(z) + f(-z)) * z * h;
      }
      return total;
    };
    for (const y of [-1, 2.5]) {
      const miss = (z: number) => (z < y ? cdf(z) ** 2 : (1 - cdf(z)) ** 2);
      const expected = crpsByIntegral(cdf, y, -50, 50, 200_000) + tails(miss);
      expect(Math.abs(mixtureCrps(m, [y])[0] - expected)).toBeLessThan(1e-6);
    }
  }, 60_000);
});
