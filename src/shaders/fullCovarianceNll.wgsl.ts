// Fused NLL of a mixture of full-covariance Gaussians, per row, and (training) its gradient with respect to every
// raw head output in the same pass. Each component's covariance is Σ = L Lᵀ, L lower triangular: its diagonal
// from the σ activation, the D(D−1)/2 entries below it free. Head row layout:
// [π logits (K) | μ (K·D) | diagonal pre-activations (K·D) | below-diagonal entries (K·D(D−1)/2)], the entries
// of component k row by row: (1,0), (2,0), (2,1), (3,0), …
// log N(y; μ, LLᵀ) = −D log √(2π) − Σ_i log L_ii − ½|z|², z = L⁻¹(y − μ) by forward substitution: Σ and its
// inverse are never formed. With w = L⁻ᵀz (back substitution), ∂/∂μ = −w, ∂/∂L_ij = −w_i z_j below the
// diagonal and 1/L_ii − w_i z_i on it. D is compiled in (the per-component vectors live in private arrays);
// K is a uniform. Float64 reference: src/mdn/reference/fullCovariance.ts.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { addToLogSumExpWgsl, logNormalizersWgsl } from './mixtureNll.wgsl.js';

export const FULL_COVARIANCE_WORKGROUP = 64;

export interface FullCovarianceVariant {
  readonly sigma: SigmaActivation;
  /** D, compiled in. */
  readonly dims: number;
  /** Training: per-row NLL (penalty included) and head gradient. Inference: per-row log p(y | x) only. */
  readonly withGradient: boolean;
}

/** Entries below the diagonal of a D x D lower-triangular factor. */
export const lowerCount = (dims: number): number => (dims * (dims - 1)) / 2;

/**
 * The WGSL shared by the full-covariance kernels: D and LOWER as constants, and where component k's μ,
 * diagonal and below-diagonal entries start in a row of K components (entry (i, j) is at lower + (i² − i)/2 + j).
 */
export function fullCovarianceLayoutWgsl(dims: number): string {
  return `
const D: u32 = ${dims}u;
const LOWER: u32 = ${lowerCount(dims)}u;
struct Offsets {
  mu: u32,
  diag: u32,
  lower: u32,
}
fn componentOffsets(rowBase: u32, K: u32, k: u32) -> Offsets {
  return Offsets(rowBase + K + k * D, rowBase + K + K * D + k * D, rowBase + K + 2u * K * D + k * LOWER);
}`;
}

export function fullCovarianceNllSource(v: FullCovarianceVariant): string {
  return wgsl`
${fullCovarianceLayoutWgsl(v.dims)}
const LOG_SQRT_TWO_PI: f32 = 0.91893853320467274;
// Finite stand-in for -Inf as the starting maximum; a component whose log-density is -Inf then adds exp(-Inf) = 0.
const LOWEST: f32 = -3.0e38;

${sigmaTermsWgsl(v.sigma)}

// z = L⁻¹(y − μ) of one component, keeping each 1/L_ii; returns Σ_i log L_ii + ½|z|².
fn forwardSolve(o: Offsets, targetBase: u32, z: ptr<function, array<f32, D>>, invDiag: ptr<function, array<f32, D>>) -> f32 {
  var negLog = 0.0;
  for (var i = 0u; i < D; i++) {
    let terms = sigmaTerms(head[o.diag + i]);
    var residual = targets[targetBase + i] - head[o.mu + i];
    let rowStart = o.lower + (i * i - i) / 2u;
    for (var j = 0u; j < i; j++) {
      residual -= head[rowStart + j] * (*z)[j];
    }
    let zi = residual * terms.invSigma;
    (*z)[i] = zi;
    (*invDiag)[i] = terms.invSigma;
    negLog += terms.logSigma + 0.5 * zi * zi;
  }
  return negLog;
}

#if ${v.withGradient}
${logNormalizersWgsl}

// Training: the first pass keeps each component's joint log-density logit + log N_k in headGrad's π slot; the
// second solves again for the components with responsibility (rather than keeping D-vectors per component) and
// writes every gradient.
fn rowNll(row: u32) -> f32 {
  let K = shape.components;
  let rowBase = row * shape.headStride;
  let targetBase = row * shape.targetStride;
  var z: array<f32, D>;
  var w: array<f32, D>;
  var invDiag: array<f32, D>;
  var maxLogit = LOWEST;
  var maxJoint = LOWEST;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    let joint = logit - f32(D) * LOG_SQRT_TWO_PI - forwardSolve(componentOffsets(rowBase, K, k), targetBase, &z, &invDiag);
    headGrad[rowBase + k] = joint;
    maxLogit = max(maxLogit, logit);
    maxJoint = max(maxJoint, joint);
  }
  let normalizers = logNormalizers(rowBase, K, maxLogit, maxJoint);
  let logNormalizer = normalizers.x;
  let logJoint = normalizers.y;
  let scale = shape.gradScale;
  // The L2 penalty λ Σ s² on the diagonal pre-activations: its value joins the row's loss below.
  var penalty = 0.0;
  for (var k = 0u; k < K; k++) {
    let o = componentOffsets(rowBase, K, k);
    let responsibility = exp(headGrad[rowBase + k] - logJoint);
    headGrad[rowBase + k] = scale * (exp(head[rowBase + k] - logNormalizer) - responsibility);
    // A component without responsibility contributes nothing (its z may be Inf, and 0 · Inf must not be NaN).
    let live = responsibility > 0.0;
    if (live) {
      forwardSolve(o, targetBase, &z, &invDiag);
      for (var step = 0u; step < D; step++) {
        let i = D - 1u - step;
        var acc = z[i];
        for (var j = i + 1u; j < D; j++) {
          acc -= head[o.lower + (j * j - j) / 2u + i] * w[j];
        }
        w[i] = acc * invDiag[i];
      }
    }
    let weight = scale * responsibility;
    for (var i = 0u; i < D; i++) {
      let s = head[o.diag + i];
      penalty += s * s;
      headGrad[o.mu + i] = select(0.0, -weight * w[i], live);
      // ∂/∂L_ii · dL_ii/ds = (1 − w_i z_i L_ii) · d log L_ii / ds.
      let diagGrad = select(0.0, weight * (1.0 - w[i] * z[i] / invDiag[i]) * sigmaTerms(s).dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s;
      headGrad[o.diag + i] = shape.sigmaGradScale * diagGrad;
      let rowStart = o.lower + (i * i - i) / 2u;
      for (var j = 0u; j < i; j++) {
        headGrad[rowStart + j] = shape.sigmaGradScale * select(0.0, -weight * w[i] * z[j], live);
      }
    }
  }
  return logNormalizer - logJoint + shape.sigmaPenalty * penalty;
}
#else
${addToLogSumExpWgsl}

// Inference: one pass with two streaming log-sum-exps (over logits, and over logit + log N_k).
fn rowNll(row: u32) -> f32 {
  let K = shape.components;
  let rowBase = row * shape.headStride;
  let targetBase = row * shape.targetStride;
  var z: array<f32, D>;
  var invDiag: array<f32, D>;
  var maxLogit = LOWEST;
  var sumLogit = 0.0;
  var maxJoint = LOWEST;
  var sumJoint = 0.0;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    addToLogSumExp(&maxLogit, &sumLogit, logit);
    addToLogSumExp(&maxJoint, &sumJoint, logit - f32(D) * LOG_SQRT_TWO_PI - forwardSolve(componentOffsets(rowBase, K, k), targetBase, &z, &invDiag));
  }
  return maxLogit + log(sumLogit) - (maxJoint + log(sumJoint));
}
#endif

${elementwiseEntry(FULL_COVARIANCE_WORKGROUP, 'shape.batch', v.withGradient ? '  sampleNll[i] = rowNll(i);' : '  logDensity[i] = -rowNll(i);')}`;
}
