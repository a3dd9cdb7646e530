// Functions of a predicted mixture of von Mises components on the CPU (angles in radians, κ = 1/σ²): the
// circular mean and variance, the CDF on (−π, π] and its inverse, and the mode. The CDF of one component is its
// Fourier series, F(θ) = G(θ − μ) − G(−π − μ) with G(x) = x/2π + (1/π) Σ_n (I_n(κ)/I₀(κ)) sin(nx)/n, the ratios by
// backward recurrence (stable for I_n), summed until they fall below 1e-17.
import type { Mixture } from './mixture.js';
import { besselRatio } from './heads/besselFunctions.js';
import { vonMisesLogDensity } from './reference/vonMises.js';

/** κ = 1/σ² of the component value at i = (row · K + k) · D + d. */
export const concentrationAt = (m: Mixture, i: number): number => m.sigma[i] ** -2;

/** θ into (−π, π]. */
export const wrapAngle = (theta: number): number => theta - 2 * Math.PI * Math.ceil((theta - Math.PI) / (2 * Math.PI));

// The mixture's mean resultant vector per row and dimension: Σ_k π_k A(κ_k) (cos μ_k, sin μ_k).
function resultant(m: Mixture, r: number, d: number): [number, number] {
  const { components: K, dims: D } = m;
  let c = 0;
  let s = 0;
  for (let k = 0; k < K; k++) {
    const i = (r * K + k) * D + d;
    const weight = m.pi[r * K + k] * besselRatio(concentrationAt(m, i));
    c += weight * Math.cos(m.mu[i]);
    s += weight * Math.sin(m.mu[i]);
  }
  return [c, s];
}

/** The circular mean direction, atan2 of the mean resultant vector, rows x D (in (−π, π]). */
export function circularMean(m: Mixture): Float64Array {
  return Float64Array.from({ length: m.rows * m.dims }, (_, j) => {
    const [c, s] = resultant(m, Math.floor(j / m.dims), j % m.dims);
    return wrapAngle(Math.atan2(s, c));
  });
}

/** The circular variance 1 − |mean resultant vector|, rows x D, in [0, 1]. */
export function circularVariance(m: Mixture): Float64Array {
  return Float64Array.from({ length: m.rows * m.dims }, (_, j) => {
    const [c, s] = resultant(m, Math.floor(j / m.dims), j % m.dims);
    return Math.max(0, 1 - Math.hypot(c, s));
  });
}

/** I_n(κ)/I₀(κ) for n = 1, 2, … while above 1e-17. */
function besselRatios(kappa: number): number[] {
  // The terms fall like e^{−n²/2κ} for large κ and like (κ/2)^n/n! for small: enough to pass 1e-17, plus margin.
  const top = Math.min(4000, Math.ceil(Math.sqrt(2 * kappa * 40) + 40));
  const ratios = new Float64Array(top + 1);
  let next = 0;
  // r_n = I_n/I_{n−1} = 1 / (2n/κ + r_{n+1}), from far above.
  for (let n = top; n >= 1; n--) ratios[n] = next = 1 / ((2 * n) / kappa + next);
  const out: number[] = [];
  let product = 1;
  for (let n = 1; n <= top; n++) {
    product *= ratios[n];
    if (product < 1e-17) break;
    out.push(product);
  }
  return out;
}

/**
 * The CDF on (−π, π] of one component of mean direction μ and concentration κ, as a function of θ (wrapped into
 * (−π, π], except that −π itself is the interval's left end, where F is 0).
 */
export function vonMisesCdf(mu: number, kappa: number): (theta: number) => number {
  const a = kappa > 0 ? besselRatios(kappa) : [];
  const G = (x: number) => {
    let sum = 0;
    for (let n = a.length; n >= 1; n--) sum += (a[n - 1] * Math.sin(n * x)) / n;
    return x / (2 * Math.PI) + sum / Math.PI;
  };
  const start = G(-Math.PI - mu);
  return (theta: number) => Math.min(1, Math.max(0, G((theta === -Math.PI ? theta : wrapAngle(theta)) - mu) - start));
}

/** log of the mixture density of row r at y (D angles). */
export function vonMisesLogDensityAt(m: Mixture, r: number, y: ArrayLike<number>): number {
  const { components: K, dims: D } = m;
  const terms = Array.from({ length: K }, (_, k) => {
    let t = Math.log(m.pi[r * K + k]);
    for (let d = 0; d < D; d++) t += vonMisesLogDensity(y[d], m.mu[(r * K + k) * D + d], concentrationAt(m, (r * K + k) * D + d));
    return t;
  });
  const max = Math.max(...terms);
  return max === -Infinity ? max : max + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - max), 0));
}

/**
 * The highest-density point of each row (rows x D): from every component's mean direction, `steps` fixed-point
 * steps y ← atan2(Σ_k r_k κ_k sin μ_k, Σ_k r_k κ_k cos μ_k) per dimension (r_k the responsibilities at y: where
 * the density's derivative Σ r_k κ_k sin(μ_k − y) vanishes), then the end point of highest density.
 */
export function vonMisesMode(m: Mixture, steps = 50): Float64Array {
  const { rows, components: K, dims: D } = m;
  const out = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    let best = -Infinity;
    for (let start = 0; start < K; start++) {
      const y = Array.from({ length: D }, (_, d) => m.mu[(r * K + start) * D + d]);
      for (let s = 0; s < steps; s++) {
        const logs = Array.from({ length: K }, (_, k) => {
          let t = Math.log(m.pi[r * K + k]);
          for (let d = 0; d < D; d++) t += vonMisesLogDensity(y[d], m.mu[(r * K + k) * D + d], concentrationAt(m, (r * K + k) * D + d));
          return t;
        });
        const max = Math.max(...logs);
        const responsibility = logs.map((t) => Math.exp(t - max));
        for (let d = 0; d < D; d++) {
          let c = 0;
          let sn = 0;
          for (let k = 0; k < K; k++) {
            const i = (r * K + k) * D + d;
            const w = responsibility[k] * concentrationAt(m, i);
            c += w * Math.cos(m.mu[i]);
            sn += w * Math.sin(m.mu[i]);
          }
          y[d] = Math.atan2(sn, c);
        }
      }
      const logDensity = vonMisesLogDensityAt(m, r, y);
      if (logDensity > best) {
        best = logDensity;
        out.set(y.map(wrapAngle), r * D);
      }
    }
  }
  return out;
}
