// Fused mixture density head: per sample, the negative log-likelihood of a K-component diagonal mixture of a
// location-scale family (componentDensity.wgsl.ts: Gaussian, Laplace, Student-t) over D dims and (optionally) its gradient with respect to every raw head output, in one pass over
// the row. Head row layout: [π logits (K) | μ (K·D, component-major) | σ pre-activations (K·D)].
// K and D are uniforms: no per-row arrays (training keeps its per-component values in headGrad's own
// slots until it overwrites them with the gradient). The batch mean is meanReduce's job:
// a workgroup reduction here cost 25-40% of the kernel in barriers on SwiftShader.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { type ComponentDensity, componentDensityWgsl } from './componentDensity.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import type { HeadShape } from './unrolledHead.js';
import { unrolledRowNllWgsl } from './mixtureNllUnrolled.wgsl.js';

export const MIXTURE_WORKGROUP = 64;

export interface MixtureVariant {
  /** The components' family (default 'gaussian'). */
  readonly family?: ComponentDensity;
  /** Student-t components' degrees of freedom ν, compiled in. */
  readonly degreesOfFreedom?: number;
  readonly sigma: SigmaActivation;
  /** Training: per-row NLL (penalty included) and head gradient. Inference: per-row log p(y | x) only. */
  readonly withGradient: boolean;
  /** K and D compiled in with every loop unrolled (unrolledHead picks it); null: loops over the uniforms. */
  readonly unrolled: HeadShape | null;
}

// Where a row's head outputs and targets start, for the looping variants.
const ROW_START = `  let K = shape.components;
  let D = shape.dims;
  let rowBase = row * shape.headStride;
  let targetBase = row * shape.targetStride;
`;

/**
 * logNormalizers(rowBase, K, maxLogit, maxJoint): log Σ_k e^logit_k and log Σ_k e^joint_k of a training kernel's
 * row, the joints kept in headGrad's π slots, from their maxima (one exp per term, no branches).
 */
export const logNormalizersWgsl = `fn logNormalizers(rowBase: u32, K: u32, maxLogit: f32, maxJoint: f32) -> vec2<f32> {
  var sumLogit = 0.0;
  var sumJoint = 0.0;
  for (var k = 0u; k < K; k++) {
    sumLogit += exp(head[rowBase + k] - maxLogit);
    sumJoint += exp(headGrad[rowBase + k] - maxJoint);
  }
  return vec2(maxLogit + log(sumLogit), maxJoint + log(sumJoint));
}`;

/** A streaming log-sum-exp step: one exp per term, rescaling the sum when the maximum moves. */
export const addToLogSumExpWgsl = `fn addToLogSumExp(maxSoFar: ptr<function, f32>, scaledSum: ptr<function, f32>, x: f32) {
  if (x > *maxSoFar) {
    *scaledSum = *scaledSum * exp(*maxSoFar - x) + 1.0;
    *maxSoFar = x;
  } else {
    *scaledSum += exp(x - *maxSoFar);
  }
}`;

export function mixtureNllSource(v: MixtureVariant): string {
  return wgsl`
${componentDensityWgsl(v)}
// Finite stand-in for -Inf as the starting maximum; a component whose log-density is -Inf then adds exp(-Inf) = 0.
const LOWEST: f32 = -3.0e38;

${sigmaTermsWgsl(v.sigma)}

#if ${v.unrolled !== null}
${v.unrolled ? unrolledRowNllWgsl(v.unrolled, v.withGradient) : ''}
#elif ${v.withGradient}
// Training: three passes over the row. The first stores, for the later ones, each component's joint
// log-density logit + log p_k (in the π slot of headGrad), u = (y - μ)/σ (μ slot) and score(u)/σ (σ slot), so
// nothing is evaluated twice; with the maxima known, the sums take one exp per term and no branches
// (a streaming update takes two with a branch that SIMD lanes split on); on SwiftShader this was faster than
// recomputing log N_k in the gradient pass. Every scratch slot is overwritten by the third pass.
${logNormalizersWgsl}

fn rowNll(row: u32) -> f32 {
${ROW_START}  var maxLogit = LOWEST;
  var maxJoint = LOWEST;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    let muBase = rowBase + K + k * D;
    var joint = logit - f32(D) * LOG_NORMALIZER;
    for (var d = 0u; d < D; d++) {
      let muIndex = muBase + d;
      let sigmaIndex = muIndex + K * D;
      let terms = sigmaTerms(head[sigmaIndex]);
      let u = (targets[targetBase + d] - head[muIndex]) * terms.invSigma;
      joint -= negLogKernel(u) + terms.logSigma;
      headGrad[muIndex] = u;
      headGrad[sigmaIndex] = score(u) * terms.invSigma;
    }
    headGrad[rowBase + k] = joint;
    maxLogit = max(maxLogit, logit);
    maxJoint = max(maxJoint, joint);
  }
  let normalizers = logNormalizers(rowBase, K, maxLogit, maxJoint);
  let logNormalizer = normalizers.x;
  let logJoint = normalizers.y;
  let scale = shape.gradScale;
  // The L2 penalty λ Σ s² on the σ pre-activations: its value joins the row's loss below.
  var penalty = 0.0;
  for (var k = 0u; k < K; k++) {
    let responsibility = exp(headGrad[rowBase + k] - logJoint);
    let weight = exp(head[rowBase + k] - logNormalizer);
    headGrad[rowBase + k] = scale * (weight - responsibility);
    // A component with zero responsibility contributes nothing; its u may be Inf, and 0 * Inf must not be NaN.
    let live = responsibility > 0.0;
    let muBase = rowBase + K + k * D;
    for (var d = 0u; d < D; d++) {
      let muIndex = muBase + d;
      let sigmaIndex = muIndex + K * D;
      let u = headGrad[muIndex];
      let s = head[sigmaIndex];
      headGrad[muIndex] = select(0.0, -scale * responsibility * headGrad[sigmaIndex], live);
      penalty += s * s;
      let sigmaGrad = select(0.0, scale * responsibility * (1.0 - score(u) * u) * sigmaTerms(s).dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s;
      headGrad[sigmaIndex] = shape.sigmaGradScale * sigmaGrad;
    }
  }
  return logNormalizer - logJoint + shape.sigmaPenalty * penalty;
}
#else
${addToLogSumExpWgsl}

// log p_k(y | μ_k, σ_k) of component k, a product over the dimensions.
fn componentLogDensity(rowBase: u32, targetBase: u32, k: u32) -> f32 {
  let muBase = rowBase + shape.components + k * shape.dims;
  let sigmaBase = muBase + shape.components * shape.dims;
  var sum = -f32(shape.dims) * LOG_NORMALIZER;
  for (var d = 0u; d < shape.dims; d++) {
    let terms = sigmaTerms(head[sigmaBase + d]);
    let u = (targets[targetBase + d] - head[muBase + d]) * terms.invSigma;
    sum -= negLogKernel(u) + terms.logSigma;
  }
  return sum;
}

// Inference: one pass with two streaming log-sum-exps (over logits, and over logit + log N_k).
fn rowNll(row: u32) -> f32 {
${ROW_START}  var maxLogit = LOWEST;
  var sumLogit = 0.0;
  var maxJoint = LOWEST;
  var sumJoint = 0.0;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    addToLogSumExp(&maxLogit, &sumLogit, logit);
    addToLogSumExp(&maxJoint, &sumJoint, logit + componentLogDensity(rowBase, targetBase, k));
  }
  return maxLogit + log(sumLogit) - (maxJoint + log(sumJoint));
}
#endif

${elementwiseEntry(MIXTURE_WORKGROUP, 'shape.batch', v.withGradient ? '  sampleNll[i] = rowNll(i);' : '  logDensity[i] = -rowNll(i);')}`;
}
