// Float64 reference of the full-covariance Gaussian mixture head (shaders/fullCovarianceNll.wgsl.ts): per-row
// NLL and its gradient with respect to the raw head [π logits (K) | μ (K·D) | diagonal pre-activations (K·D) |
// below-diagonal entries (K·D(D−1)/2)], and the mixture parameters. Σ_k = L_k L_kᵀ, L_k's diagonal from the σ
// activation; the log-density by forward substitution, as the kernel computes it, in float64.
import type { SigmaActivation } from '../../shaders/sigma.wgsl.js';
import { lowerCount } from '../../shaders/fullCovarianceNll.wgsl.js';
import { sigmaTerms } from './sigma.js';
import { logSumExp } from './logSumExp.js';

export interface FullCovarianceShape {
  readonly batch: number;
  readonly components: number;
  readonly dims: number;
  readonly sigma: SigmaActivation;
  readonly sigmaEpsilon: number;
  /** λ of the training penalty λ Σ s² on the diagonal pre-activations (default 0). */
  readonly sigmaPenalty?: number;
}

/** Floats per row of a K-component full-covariance head over D dims: K(1 + 2D + D(D−1)/2). */
export const fullCovarianceHeadWidth = (components: number, dims: number): number => components * (1 + 2 * dims + lowerCount(dims));

/** Where component k's parts start in a row of the head (entry (i, j), i > j, of L at lower + i(i−1)/2 + j). */
export function componentOffsets(rowBase: number, K: number, D: number, k: number): { mu: number; diag: number; lower: number } {
  return { mu: rowBase + K + k * D, diag: rowBase + K + K * D + k * D, lower: rowBase + K + 2 * K * D + k * lowerCount(D) };
}

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** z = L⁻¹ r by forward substitution, with L given by its diagonal and its row-by-row below-diagonal entries. */
export function solveLower(diag: ArrayLike<number>, lower: ArrayLike<number>, offset: number, r: ArrayLike<number>): Float64Array {
  const D = diag.length;
  const z = new Float64Array(D);
  for (let i = 0; i < D; i++) {
    let residual = r[i];
    for (let j = 0; j < i; j++) residual -= lower[offset + (i * (i - 1)) / 2 + j] * z[j];
    z[i] = residual / diag[i];
  }
  return z;
}

/** w = L⁻ᵀ z by back substitution. */
export function solveUpper(diag: ArrayLike<number>, lower: ArrayLike<number>, offset: number, z: ArrayLike<number>): Float64Array {
  const D = diag.length;
  const w = new Float64Array(D);
  for (let i = D - 1; i >= 0; i--) {
    let acc = z[i];
    for (let j = i + 1; j < D; j++) acc -= lower[offset + (j * (j - 1)) / 2 + i] * w[j];
    w[i] = acc / diag[i];
  }
  return w;
}

/** Per-row NLL and the gradient of each row's NLL at the raw head (not scaled by 1/batch). */
export function fullCovarianceNll(head: ArrayLike<number>, target: ArrayLike<number>, shape: FullCovarianceShape): { sampleNll: Float64Array; headGrad: Float64Array } {
  const { batch, components: K, dims: D } = shape;
  const width = fullCovarianceHeadWidth(K, D);
  const lambda = shape.sigmaPenalty ?? 0;
  const sampleNll = new Float64Array(batch);
  const headGrad = new Float64Array(batch * width);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    const parts = Array.from({ length: K }, (_, k) => {
      const o = componentOffsets(base, K, D, k);
      const terms = Array.from({ length: D }, (_, i) => sigmaTerms(shape.sigma, head[o.diag + i], shape.sigmaEpsilon));
      const diag = terms.map((t) => t.sigma);
      const residual = Array.from({ length: D }, (_, i) => target[r * D + i] - head[o.mu + i]);
      const z = solveLower(diag, head, o.lower, residual);
      const logDensity = -D * LOG_SQRT_TWO_PI - terms.reduce((sum, t) => sum + t.logSigma, 0) - 0.5 * z.reduce((sum, v) => sum + v * v, 0);
      return { o, terms, diag, z, joint: head[base + k] + logDensity };
    });
    const logits = Array.from({ length: K }, (_, k) => head[base + k]);
    const logNormalizer = logSumExp(logits);
    const logJoint = logSumExp(parts.map((p) => p.joint));
    let penalty = 0;
    for (const { o } of parts) for (let i = 0; i < D; i++) penalty += head[o.diag + i] ** 2;
    sampleNll[r] = logNormalizer - logJoint + lambda * penalty;
    parts.forEach(({ o, terms, diag, z, joint }, k) => {
      const responsibility = Math.exp(joint - logJoint);
      headGrad[base + k] = Math.exp(logits[k] - logNormalizer) - responsibility;
      const w = responsibility === 0 ? new Float64Array(D) : solveUpper(diag, head, o.lower, z);
      for (let i = 0; i < D; i++) {
        const s = head[o.diag + i];
        headGrad[o.mu + i] = -responsibility * w[i];
        headGrad[o.diag + i] = (responsibility === 0 ? 0 : responsibility * (1 - w[i] * z[i] * diag[i]) * terms[i].dLogSigma) + 2 * lambda * s;
        for (let j = 0; j < i; j++) headGrad[o.lower + (i * (i - 1)) / 2 + j] = responsibility === 0 ? 0 : -responsibility * w[i] * z[j];
      }
    });
  }
  return { sampleNll, headGrad };
}

/** Mixture parameters in the head's layout: [π (K) | μ (K·D) | L's diagonal (K·D) | below it (K·D(D−1)/2)]. */
export function fullCovarianceParams(head: ArrayLike<number>, shape: FullCovarianceShape): Float64Array {
  const { batch, components: K, dims: D } = shape;
  const width = fullCovarianceHeadWidth(K, D);
  const out = Float64Array.from({ length: batch * width }, (_, i) => head[i]);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    const logNormalizer = logSumExp(Array.from({ length: K }, (_, k) => head[base + k]));
    for (let k = 0; k < K; k++) out[base + k] = Math.exp(head[base + k] - logNormalizer);
    for (let i = 0; i < K * D; i++) out[base + K + K * D + i] = sigmaTerms(shape.sigma, head[base + K + K * D + i], shape.sigmaEpsilon).sigma;
  }
  return out;
}
