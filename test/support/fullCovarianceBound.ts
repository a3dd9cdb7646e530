// How far an f32 evaluation of the full-covariance NLL and its gradient may fall from the float64 reference on
// ill-conditioned Cholesky factors, from the standard componentwise bound for triangular solves (Higham,
// Accuracy and Stability of Numerical Algorithms, §8.1): the computed z solves (L + ΔL) z = r with
// |ΔL| <= γ|L|, so |δz| <= γ |L⁻¹| (|L| |z| + |r|), the |r| term for the rounding of y − μ, and likewise
// |δw| <= |L⁻ᵀ| (|δz| + γ |Lᵀ| |w|) for w = L⁻ᵀ z. γ = (D + 6) u, u = 2^-24: D − 1 multiply-adds per entry, the
// subtraction, the multiply by 1/L_ii, and the few ulp of the σ activation. The NLL then moves by
// Σ_k r_k Σ_i (|z_i| δz_i + δz_i²/2) plus the rounding of the log-determinant, and each gradient by what its
// formula takes from δz, δw and the responsibilities' change. Added to the usual atol/rtol, per element.
import type { SigmaActivation } from '../../src/shaders/sigma.wgsl.js';
import { sigmaTerms } from '../../src/mdn/reference/sigma.js';
import { componentOffsets, fullCovarianceHeadWidth, solveLower, solveUpper } from '../../src/mdn/reference/fullCovariance.js';

const U = 2 ** -24;

export function fullCovarianceBound(
  head: ArrayLike<number>,
  target: ArrayLike<number>,
  shape: { batch: number; components: number; dims: number; sigma: SigmaActivation; sigmaEpsilon: number },
): { nll: Float64Array; grad: Float64Array } {
  const { batch, components: K, dims: D } = shape;
  const width = fullCovarianceHeadWidth(K, D);
  const gamma = (D + 6) * U;
  const nll = new Float64Array(batch);
  const grad = new Float64Array(batch * width);
  for (let row = 0; row < batch; row++) {
    const base = row * width;
    const parts = Array.from({ length: K }, (_, k) => {
      const o = componentOffsets(base, K, D, k);
      const terms = Array.from({ length: D }, (_, i) => sigmaTerms(shape.sigma, head[o.diag + i], shape.sigmaEpsilon));
      const diag = terms.map((t) => t.sigma);
      const L = (i: number, j: number) => (i === j ? diag[i] : j < i ? head[o.lower + (i * (i - 1)) / 2 + j] : 0);
      const r = Array.from({ length: D }, (_, i) => target[row * D + i] - head[o.mu + i]);
      const z = solveLower(diag, head, o.lower, r);
      const w = solveUpper(diag, head, o.lower, z);
      // |L⁻¹| column by column (L⁻¹ e_j), then the two bounds.
      const inverse = Array.from({ length: D }, (_, j) => solveLower(diag, head, o.lower, Array.from({ length: D }, (__, i) => (i === j ? 1 : 0))));
      const inv = (i: number, j: number) => Math.abs(inverse[j][i]);
      const rhs = Array.from({ length: D }, (_, i) => Math.abs(r[i]) + Array.from({ length: D }, (__, j) => Math.abs(L(i, j) * z[j])).reduce((a, b) => a + b, 0));
      const dz = Array.from({ length: D }, (_, i) => gamma * Array.from({ length: D }, (__, j) => inv(i, j) * rhs[j]).reduce((a, b) => a + b, 0));
      const rhsW = Array.from({ length: D }, (_, i) => dz[i] + gamma * Array.from({ length: D }, (__, j) => Math.abs(L(j, i) * w[j])).reduce((a, b) => a + b, 0));
      const dw = Array.from({ length: D }, (_, i) => Array.from({ length: D }, (__, j) => inv(j, i) * rhsW[j]).reduce((a, b) => a + b, 0));
      const logDet = terms.reduce((s, t) => s + t.logSigma, 0);
      const joint = head[base + k] - 0.5 * D * Math.log(2 * Math.PI) - logDet - 0.5 * z.reduce((s, v) => s + v * v, 0);
      const dJoint = dz.reduce((s, e, i) => s + Math.abs(z[i]) * e + 0.5 * e * e, 0) + gamma * terms.reduce((s, t) => s + Math.abs(t.logSigma), 0);
      return { o, terms, diag, z, w, dz, dw, joint, dJoint };
    });
    const max = Math.max(...parts.map((p) => p.joint));
    const logJoint = max + Math.log(parts.reduce((s, p) => s + Math.exp(p.joint - max), 0));
    const resp = parts.map((p) => Math.exp(p.joint - logJoint));
    const meanShift = parts.reduce((s, p, k) => s + resp[k] * p.dJoint, 0);
    nll[row] = meanShift;
    parts.forEach(({ o, terms, diag, z, w, dz, dw, dJoint }, k) => {
      if (!Number.isFinite(dJoint)) return;
      const dResp = resp[k] * (dJoint + meanShift);
      grad[base + k] = dResp;
      for (let i = 0; i < D; i++) {
        grad[o.mu + i] = resp[k] * dw[i] + Math.abs(w[i]) * dResp;
        grad[o.diag + i] = Math.abs(terms[i].dLogSigma) * diag[i] * (resp[k] * (dw[i] * Math.abs(z[i]) + Math.abs(w[i]) * dz[i]) + Math.abs(w[i] * z[i]) * dResp);
        for (let j = 0; j < i; j++) grad[o.lower + (i * (i - 1)) / 2 + j] = resp[k] * (dw[i] * Math.abs(z[j]) + Math.abs(w[i]) * dz[j]) + Math.abs(w[i] * z[j]) * dResp;
      }
    });
  }
  return { nll, grad };
}
