// Fused mixture density head: per sample, the negative log-likelihood of a K-component diagonal Gaussian
// mixture over D dims and (optionally) its gradient with respect to every raw head output, in one pass over
// the row. Head row layout: [π logits (K) | μ (K·D, component-major) | σ pre-activations (K·D)].
// Two streaming log-sum-exps (over logits, and over logit + log N) need no per-row arrays, so K and D are
// uniforms; the gradient pass recomputes log N_k instead of storing it. The batch mean is meanReduce's job:
// a workgroup reduction here cost 25-40% of the kernel in barriers on SwiftShader.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

export const MIXTURE_WORKGROUP = 64;

export interface MixtureVariant {
  readonly sigma: SigmaActivation;
  /** Training: per-row NLL (penalty included) and head gradient. Inference: per-row log p(y | x) only. */
  readonly withGradient: boolean;
}

export function mixtureNllSource(v: MixtureVariant): string {
  return wgsl`
const LOG_SQRT_2PI: f32 = 0.91893853320467274;
// Finite stand-in for -Inf as the starting maximum; a component whose log-density is -Inf then adds exp(-Inf) = 0.
const LOWEST: f32 = -3.0e38;

${sigmaTermsWgsl(v.sigma)}

fn addToLogSumExp(maxSoFar: ptr<function, f32>, scaledSum: ptr<function, f32>, x: f32) {
  if (x > *maxSoFar) {
    *scaledSum = *scaledSum * exp(*maxSoFar - x) + 1.0;
    *maxSoFar = x;
  } else {
    *scaledSum += exp(x - *maxSoFar);
  }
}

// log N(y | μ_k, σ_k) for the diagonal Gaussian of component k.
fn componentLogDensity(rowBase: u32, targetBase: u32, k: u32) -> f32 {
  let muBase = rowBase + shape.components + k * shape.dims;
  let sigmaBase = muBase + shape.components * shape.dims;
  var sum = -f32(shape.dims) * LOG_SQRT_2PI;
  for (var d = 0u; d < shape.dims; d++) {
    let terms = sigmaTerms(head[sigmaBase + d]);
    let u = (targets[targetBase + d] - head[muBase + d]) * terms.invSigma;
    sum -= 0.5 * u * u + terms.logSigma;
  }
  return sum;
}

fn rowNll(row: u32) -> f32 {
  let K = shape.components;
  let D = shape.dims;
  let rowBase = row * K * (1u + 2u * D);
  let targetBase = row * D;
  var maxLogit = LOWEST;
  var sumLogit = 0.0;
  var maxJoint = LOWEST;
  var sumJoint = 0.0;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    addToLogSumExp(&maxLogit, &sumLogit, logit);
    addToLogSumExp(&maxJoint, &sumJoint, logit + componentLogDensity(rowBase, targetBase, k));
  }
  let logNormalizer = maxLogit + log(sumLogit);
  let logJoint = maxJoint + log(sumJoint);
#if ${v.withGradient}
  let scale = shape.gradScale;
  // The L2 penalty λ Σ s² on the σ pre-activations (training only): its value joins the row's loss below.
  var penalty = 0.0;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    let responsibility = exp(logit + componentLogDensity(rowBase, targetBase, k) - logJoint);
    let weight = exp(logit - logNormalizer);
    headGrad[rowBase + k] = scale * (weight - responsibility);
    // A component with zero responsibility contributes nothing; its u may be Inf, and 0 * Inf must not be NaN.
    let live = responsibility > 0.0;
    let muBase = rowBase + K + k * D;
    for (var d = 0u; d < D; d++) {
      let muIndex = muBase + d;
      let sigmaIndex = muIndex + K * D;
      let terms = sigmaTerms(head[sigmaIndex]);
      let u = (targets[targetBase + d] - head[muIndex]) * terms.invSigma;
      headGrad[muIndex] = select(0.0, -scale * responsibility * u * terms.invSigma, live);
      let s = head[sigmaIndex];
      penalty += s * s;
      let sigmaGrad = select(0.0, scale * responsibility * (1.0 - u * u) * terms.dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s;
      headGrad[sigmaIndex] = shape.sigmaGradScale * sigmaGrad;
    }
  }
  return logNormalizer - logJoint + shape.sigmaPenalty * penalty;
#else
  return logNormalizer - logJoint;
#endif
}

${elementwiseEntry(MIXTURE_WORKGROUP, 'shape.batch', v.withGradient ? '  sampleNll[i] = rowNll(i);' : '  logDensity[i] = -rowNll(i);')}`;
}
