// Functions of a predicted mixture computed on the CPU: the CDF and quantiles (one-dimensional y), and the
// mode. All are closed-form or short iterations over the K components of each row.
import { InvalidArgumentError } from '../runtime/errors.js';
import { type Mixture, smallestDegreesOfFreedom, standardAt, standardCdfsOf } from './mixture.js';
import { vonMisesCdf, vonMisesLogDensityAt, vonMisesMode } from './vonMisesDensity.js';
import { fullCovarianceMode } from './fullCovarianceDensity.js';

export { normalCdf } from './normalCdf.js';


function requireOneDimensional(m: Mixture, what: string): void {
  if (m.dims !== 1) throw new InvalidArgumentError(`${what} needs one-dimensional y; this model has outputDim ${m.dims}`);
}

/**
 * P(Y <= y_r | x_r) for each row, Σ_k π_k F((y − μ_k) / σ_k), F the standard CDF of the family (Φ for
 * Gaussians; log-normal components: of log y, 0 for y <= 0).
 */
export function mixtureCdf(m: Mixture, y: ArrayLike<number>): Float64Array {
  requireOneDimensional(m, 'cdf');
  if (y.length !== m.rows) throw new InvalidArgumentError(`y must hold one value per row (${m.rows}), got ${y.length}`);
  const K = m.components;
  if (m.family === 'von-mises') return Float64Array.from({ length: m.rows }, (_, r) => circularCdfOfRow(m, r)(y[r]));
  const cdfAt = standardCdfsOf(m);
  return Float64Array.from({ length: m.rows }, (_, r) => {
    if (m.logNormal && !(y[r] > 0)) return 0;
    const at = m.logNormal ? Math.log(y[r]) : y[r];
    let p = 0;
    for (let k = 0; k < K; k++) p += m.pi[r * K + k] * cdfAt(r * K + k)((at - m.mu[r * K + k]) / m.sigma[r * K + k]);
    return Math.min(1, Math.max(0, p));
  });
}

/**
 * Row r's CDF of von Mises components on (−π, π] (one-dimensional y): the angle's probability of lying in (−π, θ].
 */
export function circularCdfOfRow(m: Mixture, r: number): (theta: number) => number {
  const K = m.components;
  const parts = Array.from({ length: K }, (_, k) => vonMisesCdf(m.mu[r * K + k], m.sigma[r * K + k] ** -2));
  return (theta) => Math.min(1, Math.max(0, parts.reduce((p, F, k) => p + m.pi[r * K + k] * F(theta), 0)));
}

/**
 * The q-quantile of each row, inverting the CDF by bisection to a relative width of 1e-12 (von Mises components:
 * of the CDF on (−π, π]).
 */
export function mixtureQuantile(m: Mixture, q: number): Float64Array {
  requireOneDimensional(m, 'quantile');
  if (!(q > 0 && q < 1)) throw new InvalidArgumentError(`q must lie strictly between 0 and 1, got ${q}`);
  if (m.family === 'von-mises') {
    return Float64Array.from({ length: m.rows }, (_, r) => {
      const cdf = circularCdfOfRow(m, r);
      let [low, high] = [-Math.PI, Math.PI];
      for (let i = 0; i < 60; i++) {
        const mid = 0.5 * (low + high);
        if (cdf(mid) < q) low = mid;
        else high = mid;
      }
      return 0.5 * (low + high);
    });
  }
  const K = m.components;
  const cdfAt = standardCdfsOf(m);
  // Far enough out that the CDF is within 1e-15 of 0 and 1 there: 40 scales, and for Student-t components the
  // scale's multiple where their tail mass is that small (about 10^(15/ν), for the smallest ν).
  const reach = m.family === 'student-t' ? Math.max(40, 10 ** (15 / smallestDegreesOfFreedom(m))) : 40;
  return Float64Array.from({ length: m.rows }, (_, r) => {
    let low = Infinity;
    let high = -Infinity;
    for (let k = 0; k < K; k++) {
      low = Math.min(low, m.mu[r * K + k] - reach * m.sigma[r * K + k]);
      high = Math.max(high, m.mu[r * K + k] + reach * m.sigma[r * K + k]);
    }
    const cdf = (v: number) => {
      let p = 0;
      for (let k = 0; k < K; k++) p += m.pi[r * K + k] * cdfAt(r * K + k)((v - m.mu[r * K + k]) / m.sigma[r * K + k]);
      return p;
    };
    for (let i = 0; i < 200 && high - low > 1e-12 * Math.max(1, Math.abs(low) + Math.abs(high)); i++) {
      const mid = 0.5 * (low + high);
      if (cdf(mid) < q) low = mid;
      else high = mid;
    }
    // Log-normal components: the quantile of log y, mapped back (exp is monotone).
    return m.logNormal ? Math.exp(0.5 * (low + high)) : 0.5 * (low + high);
  });
}

/** log of the mixture density of row r at point y (D values), by log-sum-exp. */
function logDensityAt(m: Mixture, r: number, y: ArrayLike<number>): number {
  if (m.family === 'von-mises') return vonMisesLogDensityAt(m, r, y);
  const { components: K, dims: D } = m;
  const terms = Array.from({ length: K }, (_, k) => {
    let t = Math.log(m.pi[r * K + k]);
    for (let d = 0; d < D; d++) {
      const i = (r * K + k) * D + d;
      const standard = standardAt(m, i);
      const s = m.sigma[i];
      const u = (y[d] - m.mu[i]) / s;
      t -= standard.negLogKernel(u) + Math.log(s) + standard.logNormalizer;
    }
    return t;
  });
  // Log-normal components: y holds log y, and the density of y carries the factor 1 / Π y_d.
  if (m.logNormal) for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) terms[k] -= y[d];
  const max = Math.max(...terms);
  return max === -Infinity ? max : max + Math.log(terms.reduce((sum, t) => sum + Math.exp(t - max), 0));
}

/**
 * The highest-density point of each row (rows x D): from every component's mean, `steps` fixed-point steps
 * y ← Σ_k r_k μ_k / σ_k² ÷ Σ_k r_k / σ_k² (per dimension; r_k the responsibilities at y), each a step uphill in
 * density, then the end point of highest density. Not simply the heaviest component's mean. Log-normal
 * components: the same in z = log y for the density of y, p(z) e^{−Σz}, whose stationary point has −1 added
 * to the numerator; the answer is exp(z).
 */
export function mixtureMode(m: Mixture, steps = 50): Float64Array {
  if (m.family === 'laplace') return laplaceMixtureMode(m);
  if (m.family === 'von-mises') return vonMisesMode(m, steps);
  if (m.lower) return fullCovarianceMode(m, steps);
  const { rows, components: K, dims: D } = m;
  // Student-t components: the same stationary point with each precision weighted by score(u)/u = (ν + 1)/(ν + u²)
  // (iteratively reweighted; 1 for Gaussians), and the log-density of their kernel (with its normaliser, which
  // differs between components where ν is learned).
  const studentT = m.family === 'student-t';
  const nuAt = (i: number) => m.nu?.[i] ?? m.degreesOfFreedom ?? 0;
  const out = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    let bestLog = -Infinity;
    for (let start = 0; start < K; start++) {
      const y = Array.from({ length: D }, (_, d) => m.mu[(r * K + start) * D + d]);
      for (let s = 0; s < steps; s++) {
        const logs = Array.from({ length: K }, (_, k) => {
          let t = Math.log(m.pi[r * K + k]);
          for (let d = 0; d < D; d++) {
            const i = (r * K + k) * D + d;
            const sd = m.sigma[i];
            const u = (y[d] - m.mu[i]) / sd;
            const standard = studentT ? standardAt(m, i) : undefined;
            t -= (standard ? standard.negLogKernel(u) + standard.logNormalizer : 0.5 * u ** 2) + Math.log(sd);
          }
          return t;
        });
        const max = Math.max(...logs);
        const resp = logs.map((t) => Math.exp(t - max));
        for (let d = 0; d < D; d++) {
          let num = 0;
          let den = 0;
          for (let k = 0; k < K; k++) {
            const sd = m.sigma[(r * K + k) * D + d];
            const u = (y[d] - m.mu[(r * K + k) * D + d]) / sd;
            const nu = nuAt((r * K + k) * D + d);
            const precision = (studentT ? (nu + 1) / (nu + u * u) : 1) / sd ** 2;
            num += resp[k] * precision * m.mu[(r * K + k) * D + d];
            den += resp[k] * precision;
          }
          y[d] = (num - (m.logNormal ? 1 : 0)) / den;
        }
      }
      const logDensity = logDensityAt(m, r, y);
      if (logDensity > bestLog) {
        bestLog = logDensity;
        out.set(m.logNormal ? y.map(Math.exp) : y, r * D);
      }
    }
  }
  return out;
}

/**
 * The mode of a Laplace mixture. Along each dimension the density is a sum of exponentials of |y − μ_kd|, convex
 * between consecutive μ_kd, so its maximum along a line lies at one of them: from every component's mean,
 * coordinate ascent over those candidates until no coordinate moves (exact for one-dimensional y), then the end
 * point of highest density.
 */
function laplaceMixtureMode(m: Mixture): Float64Array {
  const { rows, components: K, dims: D } = m;
  const out = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    let bestLog = -Infinity;
    for (let start = 0; start < K; start++) {
      const y = Array.from({ length: D }, (_, d) => m.mu[(r * K + start) * D + d]);
      let current = logDensityAt(m, r, y);
      for (let sweep = 0, moved = true; moved && sweep < 20; sweep++) {
        moved = false;
        for (let d = 0; d < D; d++) {
          for (let k = 0; k < K; k++) {
            const kept = y[d];
            y[d] = m.mu[(r * K + k) * D + d];
            const candidate = logDensityAt(m, r, y);
            if (candidate > current) {
              current = candidate;
              moved = true;
            } else y[d] = kept;
          }
        }
      }
      if (current > bestLog) {
        bestLog = current;
        out.set(y, r * D);
      }
    }
  }
  return out;
}
