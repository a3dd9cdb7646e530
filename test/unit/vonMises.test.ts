// Von Mises components on the CPU: the Bessel functions against tabulated values and their own identities, the
// float64 NLL reference against central differences, the circular distribution functions against numerical
// integrals of the density, the model description, its file, and the angular data set.
import { describe, expect, it } from 'vitest';
import { type MdnArchitecture, validateArchitecture } from '../../src/mdn/architecture.js';
import { besselRatio, logBesselI0 } from '../../src/mdn/heads/besselFunctions.js';
import { vonMisesLogDensity, vonMisesNll } from '../../src/mdn/reference/vonMises.js';
import { type Mixture, mixtureCovariance, mixtureMean, mixtureVariance } from '../../src/mdn/mixture.js';
import { mixtureCdf, mixtureMode, mixtureQuantile } from '../../src/mdn/distribution.js';
import { mixtureCrps } from '../../src/mdn/calibration.js';
import { wrapAngle } from '../../src/mdn/vonMisesDensity.js';
import { angular } from '../../src/mdn/datasets.js';
import { createMdn } from '../../src/mdn/createMdn.js';
import { initialParameters } from '../../src/mdn/init.js';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';
import { Random } from '../../src/mdn/random.js';
import { centralDifference } from './fd.js';
import { rewriteManifest } from '../support/modelBytes.js';

// ∫ f over [a, b] by Simpson's rule on n panels.
function simpson(f: (x: number) => number, a: number, b: number, n = 20_000): number {
  const h = (b - a) / n;
  let sum = f(a) + f(b);
  for (let i = 1; i < n; i++) sum += (i % 2 ? 4 : 2) * f(a + i * h);
  return (sum * h) / 3;
}

describe('Bessel functions I₀ and I₁ (float64)', () => {
  it('match tabulated values (Abramowitz and Stegun, table 9.8)', () => {
    expect(Math.exp(logBesselI0(1))).toBeCloseTo(1.266065878, 9);
    expect(besselRatio(1)).toBeCloseTo(0.565159104 / 1.266065878, 9);
    expect(Math.exp(logBesselI0(10))).toBeCloseTo(2815.716628, 6);
    expect(besselRatio(10)).toBeCloseTo(2670.988304 / 2815.716628, 9);
    expect(logBesselI0(1e-4)).toBeCloseTo(0.25e-8, 15);
    expect(besselRatio(1e-4)).toBeCloseTo(5e-5, 12);
  });

  it('d log I₀/dκ = I₁/I₀ across the range and across the switch from the power series to the asymptotic one', () => {
    for (const kappa of [1e-3, 0.7, 5, 19.99, 20, 20.01, 80, 1e3, 1e4]) {
      const h = 1e-5 * Math.max(1, kappa);
      expect((logBesselI0(kappa + h) - logBesselI0(kappa - h)) / (2 * h)).toBeCloseTo(besselRatio(kappa), 7);
    }
  });

  it('normalise the density: ∫ e^{κ cos θ} / (2π I₀(κ)) dθ = 1 over the circle, κ from 1e-4 to 1e4', () => {
    for (const kappa of [1e-4, 0.3, 5, 50, 1e3, 1e4]) expect(simpson((t) => Math.exp(vonMisesLogDensity(t, 0, kappa)), -Math.PI, Math.PI, 200_000)).toBeCloseTo(1, 8);
  });
});

describe('von Mises float64 reference', () => {
  it.each(['exp', 'softplus', 'elu1'] as const)('the gradient of every head output matches central differences (%s σ)', (sigma) => {
    const random = new Random(3);
    const K = 2;
    const D = 2;
    const rows = 3;
    const head = Float64Array.from({ length: rows * K * (1 + 2 * D) }, (_, i) => (i % (K * 5) >= K + K * D ? random.range(-1.5, 1) : random.range(-3, 3)));
    const target = Float64Array.from({ length: rows * D }, () => random.range(-5, 5));
    const shape = { batch: rows, components: K, dims: D, sigma, sigmaEpsilon: 1e-7, sigmaPenalty: 0.02 };
    const { headGrad } = vonMisesNll(head, target, shape);
    const numeric = centralDifference(head, () => vonMisesNll(head, target, shape).sampleNll.reduce((a, b) => a + b, 0));
    for (let i = 0; i < head.length; i++) expect(Math.abs(headGrad[i] - numeric[i]), `entry ${i}`).toBeLessThan(2e-6 * Math.max(1, Math.abs(numeric[i])));
  });

  it('is periodic in the target and the mean direction', () => {
    const shape = { batch: 1, components: 1, dims: 1, sigma: 'exp' as const, sigmaEpsilon: 1e-7 };
    const at = (mu: number, y: number) => vonMisesNll([0, mu, -0.5], [y], shape).sampleNll[0];
    expect(at(0.4, 1)).toBeCloseTo(at(0.4 + 2 * Math.PI, 1 - 4 * Math.PI), 10);
  });
});

describe('a mixture of von Mises components on the CPU', () => {
  const m: Mixture = { rows: 1, components: 2, dims: 1, pi: Float32Array.of(0.7, 0.3), mu: Float32Array.of(3, -2), sigma: Float32Array.of(0.4, 1.2), family: 'von-mises' };
  // κ = 1/σ² of the float32 σ the mixture holds.
  const density = (t: number) => 0.7 * Math.exp(vonMisesLogDensity(t, 3, m.sigma[0] ** -2)) + 0.3 * Math.exp(vonMisesLogDensity(t, -2, m.sigma[1] ** -2));

  it('its CDF on (−π, π] is the integral of the density from −π; its quantile inverts it', () => {
    for (const theta of [-3, -1, 0.5, 2.9, Math.PI]) expect(mixtureCdf(m, [theta])[0]).toBeCloseTo(simpson(density, -Math.PI, theta), 7);
    const q = mixtureQuantile(m, 0.42)[0];
    expect(mixtureCdf(m, [q])[0]).toBeCloseTo(0.42, 9);
  });

  it('mean direction and circular variance from the mean resultant vector; the mode where the density peaks', () => {
    const c = simpson((t) => density(t) * Math.cos(t), -Math.PI, Math.PI);
    const s = simpson((t) => density(t) * Math.sin(t), -Math.PI, Math.PI);
    expect(mixtureMean(m)[0]).toBeCloseTo(Math.atan2(s, c), 7);
    expect(mixtureVariance(m)[0]).toBeCloseTo(1 - Math.hypot(c, s), 7);
    const mode = mixtureMode(m)[0];
    expect(density(mode)).toBeGreaterThan(density(wrapAngle(mode + 1e-3)));
    expect(density(mode)).toBeGreaterThan(density(wrapAngle(mode - 1e-3)));
    expect(() => mixtureCovariance(m)).toThrow(/von Mises components are angles/);
  });

  it('its CRPS is ∫ (F − 1{θ ≥ y})² over (−π, π] (F as checked above, integrated finely here)', () => {
    const F = (t: number) => mixtureCdf(m, [t])[0];
    for (const y of [-2.5, 0, 3]) {
      const expected = simpson((t) => F(t) ** 2, -Math.PI, y, 20_000) + simpson((t) => (F(t) - 1) ** 2, y, Math.PI, 20_000);
      expect(mixtureCrps(m, [y])[0]).toBeCloseTo(expected, 4);
    }
  });
});

describe('von Mises in the model description', () => {
  const base: MdnArchitecture = { inputDim: 1, outputDim: 2, hidden: [4], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'von-mises' };

  it('saves and reads back bit for bit; a file that scales its angles is refused', () => {
    expect(() => validateArchitecture(base)).not.toThrow();
    const bytes = encodeModel(base, initialParameters(base, 1).map((b) => Float32Array.from(b)));
    expect(decodeModel(bytes).architecture).toEqual(base);
    const scaled = rewriteManifest(bytes, (manifest) => (manifest.scalePlan = { x: 'none', y: 'zscore', logY: false }));
    expect(() => decodeModel(scaled)).toThrow(ModelFormatError);
    expect(() => decodeModel(scaled)).toThrow(/family 'von-mises' cannot scale its targets/);
  });

  it('never scales y: a y scaler asked for by name is refused, naming why', async () => {
    await expect(createMdn({ inputDim: 1, outputDim: 1, family: 'von-mises', scale: { x: 'zscore', y: 'zscore' } })).rejects.toThrow(InvalidArgumentError);
    await expect(createMdn({ inputDim: 1, outputDim: 1, family: 'von-mises', scale: { y: 'minmax' } })).rejects.toThrow(/angles in radians, which are never scaled/);
  });

  it('the angular data set wraps into (−π, π] and reaches both ends', () => {
    const d = angular(2000, 2);
    expect(Array.from(d.y).every((v) => v > -Math.PI && v <= Math.PI)).toBe(true);
    expect(Math.min(...d.y)).toBeLessThan(-3);
    expect(Math.max(...d.y)).toBeGreaterThan(3);
  });
});
