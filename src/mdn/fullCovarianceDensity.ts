// The distribution API's CPU side for full-covariance mixtures (Mixture.lower present): a component's
// log-density by forward substitution, and the mode by the fixed point of the Gaussian mixture's stationary
// equation, with each component's precision L⁻ᵀL⁻¹ formed once per row (D is small: at most 32).
import type { Mixture } from './mixture.js';
import { solveLower, solveUpper } from './reference/fullCovariance.js';

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** L's diagonal and the offset of its below-diagonal entries in m.lower, for component c = row · K + k. */
const factorOf = (m: Mixture, c: number) => ({ diag: m.sigma.subarray(c * m.dims, (c + 1) * m.dims), offset: (c * m.dims * (m.dims - 1)) / 2 });

/** log N(y; μ_c, L_c L_cᵀ) of component c = row · K + k at y (D values). */
export function fullComponentLogDensity(m: Mixture, c: number, y: ArrayLike<number>): number {
  const D = m.dims;
  const { diag, offset } = factorOf(m, c);
  const z = solveLower(diag, m.lower!, offset, Array.from({ length: D }, (_, d) => y[d] - m.mu[c * D + d]));
  let logDet = 0;
  for (let d = 0; d < D; d++) logDet += Math.log(diag[d]);
  return -D * LOG_SQRT_TWO_PI - logDet - 0.5 * z.reduce((sum, v) => sum + v * v, 0);
}

// A D x D precision L⁻ᵀL⁻¹, row-major, column by column.
function precisionOf(m: Mixture, c: number): Float64Array {
  const D = m.dims;
  const { diag, offset } = factorOf(m, c);
  const P = new Float64Array(D * D);
  for (let j = 0; j < D; j++) {
    const unit = Array.from({ length: D }, (_, i) => (i === j ? 1 : 0));
    const column = solveUpper(diag, m.lower!, offset, solveLower(diag, m.lower!, offset, unit));
    for (let i = 0; i < D; i++) P[i * D + j] = column[i];
  }
  return P;
}

// Solves A x = b for symmetric positive definite A (row-major) by Cholesky; A and b are not changed.
function solveSymmetric(A: Float64Array, b: ArrayLike<number>): Float64Array {
  const D = b.length;
  const diag = new Float64Array(D);
  const lower = new Float64Array((D * (D - 1)) / 2);
  const at = (i: number, j: number) => (i === j ? diag[i] : lower[(i * (i - 1)) / 2 + j]);
  for (let i = 0; i < D; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * D + j];
      for (let t = 0; t < j; t++) sum -= at(i, t) * at(j, t);
      if (i === j) diag[i] = Math.sqrt(Math.max(sum, Number.MIN_VALUE));
      else lower[(i * (i - 1)) / 2 + j] = sum / diag[j];
    }
  }
  return solveUpper(diag, lower, 0, solveLower(diag, lower, 0, b));
}

/**
 * The highest-density point of each row (rows x D) of a full-covariance mixture: from every component's mean,
 * `steps` fixed-point steps y ← (Σ_k r_k P_k)⁻¹ Σ_k r_k P_k μ_k (r_k the responsibilities at y, P_k the
 * precisions), each uphill in density, then the end point of highest density.
 */
export function fullCovarianceMode(m: Mixture, steps: number): Float64Array {
  const { rows, components: K, dims: D } = m;
  const out = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    const precisions = Array.from({ length: K }, (_, k) => precisionOf(m, r * K + k));
    const logDensity = (y: ArrayLike<number>) => Array.from({ length: K }, (_, k) => Math.log(m.pi[r * K + k]) + fullComponentLogDensity(m, r * K + k, y));
    let bestLog = -Infinity;
    for (let start = 0; start < K; start++) {
      let y: ArrayLike<number> = m.mu.slice((r * K + start) * D, (r * K + start + 1) * D);
      for (let s = 0; s < steps; s++) {
        const logs = logDensity(y);
        const max = Math.max(...logs);
        const A = new Float64Array(D * D);
        const b = new Float64Array(D);
        for (let k = 0; k < K; k++) {
          const resp = Math.exp(logs[k] - max);
          const P = precisions[k];
          for (let i = 0; i < D; i++) {
            for (let j = 0; j < D; j++) {
              A[i * D + j] += resp * P[i * D + j];
              b[i] += resp * P[i * D + j] * m.mu[(r * K + k) * D + j];
            }
          }
        }
        y = solveSymmetric(A, b);
      }
      const logs = logDensity(y);
      const max = Math.max(...logs);
      const total = max + Math.log(logs.reduce((sum, t) => sum + Math.exp(t - max), 0));
      if (total > bestLog) {
        bestLog = total;
        out.set(y, r * D);
      }
    }
  }
  return out;
}
