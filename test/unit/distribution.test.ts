// CDF, quantiles and modes of mixtures, against direct numerical integration and search.
import { describe, expect, it } from 'vitest';
import { mixtureCdf, mixtureMode, mixtureQuantile, normalCdf } from '../../src/mdn/distribution.js';
import { type Mixture, mixtureMean, mixtureVariance } from '../../src/mdn/mixture.js';
import { oneRowMixture } from './mixtures.js';


const pdf = (m: Mixture, y: number) =>
  Array.from(m.pi).reduce((s, w, k) => s + (w * Math.exp(-0.5 * ((y - m.mu[k]) / m.sigma[k]) ** 2)) / (m.sigma[k] * Math.sqrt(2 * Math.PI)), 0);

// Simpson's rule on [a, b] with n panels.
function simpson(f: (y: number) => number, a: number, b: number, n: number): number {
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

// The highest point of a density on [−6, 8] by a grid search at 1e-4.
function gridArgmax(pdf: (y: number) => number): number {
  let best = -Infinity;
  let at = 0;
  for (let y = -6; y <= 8; y += 1e-4) {
    const p = pdf(y);
    if (p > best) [best, at] = [p, y];
  }
  return at;
}

const threeComponents = oneRowMixture([0.2, 0.5, 0.3], [-2, 0.5, 4], [0.5, 1, 2]);

describe('normal CDF', () => {
  it('matches tabulated values to 2e-7', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(Math.abs(normalCdf(1.959963984540054) - 0.975)).toBeLessThan(2e-7);
    expect(Math.abs(normalCdf(-3) - 0.0013498980316301)).toBeLessThan(2e-7);
  });
});

describe('mixture CDF and quantiles', () => {
  it('the CDF equals the integral of the density (Simpson, 20,000 panels)', () => {
    for (const y of [-3, -1, 0.5, 2, 7]) {
      const low = -30;
      const n = 20000;
      const h = (y - low) / n;
      let integral = pdf(threeComponents, low) + pdf(threeComponents, y);
      for (let i = 1; i < n; i++) integral += (i % 2 ? 4 : 2) * pdf(threeComponents, low + i * h);
      integral *= h / 3;
      expect(Math.abs(mixtureCdf(threeComponents, [y])[0] - integral)).toBeLessThan(1e-6);
    }
  });

  it('quantiles invert the CDF', () => {
    for (const q of [0.001, 0.1, 0.5, 0.9, 0.999]) {
      const value = mixtureQuantile(threeComponents, q)[0];
      expect(Math.abs(mixtureCdf(threeComponents, [value])[0] - q)).toBeLessThan(1e-9);
    }
  });

  it('refuses q outside (0, 1) and multi-dimensional y', () => {
    expect(() => mixtureQuantile(threeComponents, 1)).toThrow(/strictly between 0 and 1/);
    const twoD = { ...threeComponents, dims: 2 };
    expect(() => mixtureCdf(twoD, [0])).toThrow(/one-dimensional y; this model has outputDim 2/);
  });
});

describe('mixture mode', () => {
  it('is the mean of a single Gaussian', () => {
    expect(mixtureMode(oneRowMixture([1], [1.25], [0.7]))[0]).toBeCloseTo(1.25, 12);
  });

  it('finds the highest peak even where it is not the heaviest component', () => {
    // 0.4 N(0, 0.1²) + 0.6 N(3, 2²): the narrow component is 13x taller at its centre.
    const m = oneRowMixture([0.4, 0.6], [0, 3], [0.1, 2]);
    const mode = mixtureMode(m)[0];
    let best = -Infinity;
    let arg = 0;
    for (let y = -5; y <= 10; y += 1e-4) if (pdf(m, y) > best) [best, arg] = [pdf(m, y), y];
    expect(Math.abs(mode - arg)).toBeLessThan(2e-4);
    expect(pdf(m, mode)).toBeGreaterThanOrEqual(best - 1e-9);
  });

  it('is a stationary point of the density in two dimensions', () => {
    const m: Mixture = {
      rows: 1,
      components: 2,
      dims: 2,
      pi: Float32Array.of(0.5, 0.5),
      mu: Float32Array.of(0, 0, 0.8, 0.4),
      sigma: Float32Array.of(1, 1, 1, 1),
    };
    const [a, b] = mixtureMode(m);
    const density = (x: number, y: number) =>
      0.5 * Math.exp(-0.5 * (x * x + y * y)) + 0.5 * Math.exp(-0.5 * ((x - 0.8) ** 2 + (y - 0.4) ** 2));
    const h = 1e-5;
    expect(Math.abs((density(a + h, b) - density(a - h, b)) / (2 * h))).toBeLessThan(1e-6);
    expect(Math.abs((density(a, b + h) - density(a, b - h)) / (2 * h))).toBeLessThan(1e-6);
    // Two equal overlapping components have one peak, half-way between them.
    expect(a).toBeCloseTo(0.4, 5);
    expect(b).toBeCloseTo(0.2, 5);
  });
});

describe('Laplace mixtures', () => {
  const laplace: Mixture = { ...oneRowMixture([0.2, 0.5, 0.3], [-2, 0.5, 4], [0.5, 1, 2]), family: 'laplace' };
  const laplacePdf = (y: number) => Array.from(laplace.pi).reduce((s, w, k) => s + (w * Math.exp(-Math.abs(y - laplace.mu[k]) / laplace.sigma[k])) / (2 * laplace.sigma[k]), 0);
  // Simpson's rule on [a, b] with n panels, split at the kinks so each panel's integrand is smooth.
  const integrate = (f: (y: number) => number, a: number, b: number) => simpson(f, a, b, 20000);
  const integral = (f: (y: number) => number, from: number, to: number) => {
    const cuts = [from, ...[-2, 0.5, 4].filter((c) => c > from && c < to), to];
    return cuts.slice(1).reduce((s, b, i) => s + integrate(f, cuts[i], b), 0);
  };

  it('the CDF equals the integral of the density, quantiles invert it', () => {
    for (const y of [-3, -1, 0.5, 2, 7]) expect(Math.abs(mixtureCdf(laplace, [y])[0] - integral(laplacePdf, -60, y))).toBeLessThan(1e-8);
    for (const q of [0.001, 0.1, 0.5, 0.9, 0.999]) expect(Math.abs(mixtureCdf(laplace, [mixtureQuantile(laplace, q)[0]])[0] - q)).toBeLessThan(1e-9);
  });

  it('the variance is Σ π (2b² + (μ − mean)²), as integration gives', () => {
    const mean = integral((y) => y * laplacePdf(y), -80, 80);
    const variance = integral((y) => (y - mean) ** 2 * laplacePdf(y), -80, 80);
    expect(mixtureMean(laplace)[0]).toBeCloseTo(mean, 6);
    expect(mixtureVariance(laplace)[0]).toBeCloseTo(variance, 5);
  });

  it('the mode is the highest point of the density (a grid search at 1e-4 agrees)', () => {
    expect(Math.abs(mixtureMode(laplace)[0] - gridArgmax(laplacePdf))).toBeLessThan(2e-4);
    // Two dimensions: the mode's coordinates are component means, and no mean vector has a higher density.
    const twoD: Mixture = { rows: 1, components: 2, dims: 2, pi: Float32Array.of(0.6, 0.4), mu: Float32Array.of(0, 0, 3, 1), sigma: Float32Array.of(1, 1, 0.2, 0.2), family: 'laplace' };
    expect(Array.from(mixtureMode(twoD))).toEqual([3, 1]);
  });
});

describe('Student-t mixtures', () => {
  const nu = 5;
  const t5: Mixture = { ...oneRowMixture([0.2, 0.5, 0.3], [-2, 0.5, 4], [0.5, 1, 2]), family: 'student-t', degreesOfFreedom: nu };
  // The t density from its definition, Γ by the Lanczos-free closed forms for ν = 5: Γ(3)/Γ(2.5) = 2/(1.5·0.5·√π).
  const norm = 2 / (1.5 * 0.5 * Math.sqrt(Math.PI)) / Math.sqrt(nu * Math.PI);
  const tPdf = (y: number) =>
    Array.from(t5.pi).reduce((s, w, k) => s + (w * norm * (1 + ((y - t5.mu[k]) / t5.sigma[k]) ** 2 / nu) ** (-(nu + 1) / 2)) / t5.sigma[k], 0);
  const integrate = (f: (y: number) => number, a: number, b: number) => simpson(f, a, b, 200_000);

  it('the CDF equals the integral of the density (tails beyond ±2000 hold below 1e-13), quantiles invert it', () => {
    for (const y of [-3, -1, 0.5, 2, 7]) expect(Math.abs(mixtureCdf(t5, [y])[0] - integrate(tPdf, -2000, y))).toBeLessThan(1e-8);
    for (const q of [0.001, 0.1, 0.5, 0.9, 0.999]) expect(Math.abs(mixtureCdf(t5, [mixtureQuantile(t5, q)[0]])[0] - q)).toBeLessThan(1e-9);
  });

  it('the variance is Σ π (ν/(ν − 2) σ² + (μ − mean)²); infinite for ν <= 2', () => {
    const mean = mixtureMean(t5)[0];
    const expected = [0.2, 0.5, 0.3].reduce((s, w, k) => s + w * ((5 / 3) * [0.5, 1, 2][k] ** 2 + ([-2, 0.5, 4][k] - mean) ** 2), 0);
    expect(mixtureVariance(t5)[0]).toBeCloseTo(expected, 5);
    expect(mixtureVariance({ ...t5, degreesOfFreedom: 2 })[0]).toBe(Infinity);
  });

  it('the mode is the highest point of the density (a grid search at 1e-4 agrees)', () => {
    expect(Math.abs(mixtureMode(t5)[0] - gridArgmax(tPdf))).toBeLessThan(2e-4);
  });
});
