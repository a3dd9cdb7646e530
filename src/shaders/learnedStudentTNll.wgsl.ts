// Fused NLL of a mixture of diagonal Student-t components whose degrees of freedom are learned, with the gradient
// of every raw head output in one pass (training) or each row's log-density (inference). Head row layout:
// [π logits (K) | μ (K·D) | σ pre-activations (K·D) | ν pre-activations (K·D)], ν per component and dimension
// (learnedDegreesOfFreedom.wgsl.ts). The same passes as the fixed-ν kernel's looping variant (mixtureNll.wgsl.ts):
// the first keeps, per component, its joint log-density (π slot of headGrad), score(u)·u (μ slot), score(u)/σ
// (σ slot) and d log p/da of its ν pre-activation (ν slot); the second writes the gradient over them.
// Float64 reference: src/mdn/reference/learnedStudentT.ts.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { addToLogSumExpWgsl, logNormalizersWgsl } from './mixtureNll.wgsl.js';
import { learnedDegreesOfFreedomWgsl } from './learnedDegreesOfFreedom.wgsl.js';

export const LEARNED_STUDENT_T_WORKGROUP = 64;

export interface LearnedStudentTVariant {
  readonly sigma: SigmaActivation;
  /** Training: per-row NLL (penalty included) and head gradient. Inference: per-row log p(y | x) only. */
  readonly withGradient: boolean;
}

const ROW_START = `  let K = shape.components;
  let D = shape.dims;
  let KD = K * D;
  let rowBase = row * shape.headStride;
  let targetBase = row * shape.targetStride;
`;

export function learnedStudentTNllSource(v: LearnedStudentTVariant): string {
  return wgsl`
${sigmaTermsWgsl(v.sigma)}
${learnedDegreesOfFreedomWgsl}
// Finite stand-in for -Inf as the starting maximum.
const LOWEST: f32 = -3.0e38;

#if ${v.withGradient}
${logNormalizersWgsl}

fn rowNll(row: u32) -> f32 {
${ROW_START}  var maxLogit = LOWEST;
  var maxJoint = LOWEST;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    var joint = logit;
    for (var d = 0u; d < D; d++) {
      let muIndex = rowBase + K + k * D + d;
      let sigmaIndex = muIndex + KD;
      let nuIndex = sigmaIndex + KD;
      let terms = sigmaTerms(head[sigmaIndex]);
      let t = nuTerms(head[nuIndex]);
      let u = (targets[targetBase + d] - head[muIndex]) * terms.invSigma;
      let score = tScore(u, t.nu);
      joint -= t.logNormalizer + tNegLogKernel(u, t.nu) + terms.logSigma;
      headGrad[muIndex] = score * u;
      headGrad[sigmaIndex] = score * terms.invSigma;
      headGrad[nuIndex] = -(t.dLogNormalizer + tKernelDnu(u, t.nu)) * t.dNu;
    }
    headGrad[rowBase + k] = joint;
    maxLogit = max(maxLogit, logit);
    maxJoint = max(maxJoint, joint);
  }
  let normalizers = logNormalizers(rowBase, K, maxLogit, maxJoint);
  let logNormalizer = normalizers.x;
  let logJoint = normalizers.y;
  let scale = shape.gradScale;
  var penalty = 0.0;
  for (var k = 0u; k < K; k++) {
    let responsibility = exp(headGrad[rowBase + k] - logJoint);
    headGrad[rowBase + k] = scale * (exp(head[rowBase + k] - logNormalizer) - responsibility);
    // A component with zero responsibility contributes nothing (its u may be Inf; 0 * Inf must not be NaN).
    let live = responsibility > 0.0;
    let weight = scale * responsibility;
    for (var d = 0u; d < D; d++) {
      let muIndex = rowBase + K + k * D + d;
      let sigmaIndex = muIndex + KD;
      let nuIndex = sigmaIndex + KD;
      let scoreU = headGrad[muIndex];
      let s = head[sigmaIndex];
      headGrad[muIndex] = select(0.0, -weight * headGrad[sigmaIndex], live);
      penalty += s * s;
      let sigmaGrad = select(0.0, weight * (1.0 - scoreU) * sigmaTerms(s).dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s;
      headGrad[sigmaIndex] = shape.sigmaGradScale * sigmaGrad;
      headGrad[nuIndex] = select(0.0, -weight * headGrad[nuIndex], live);
    }
  }
  return logNormalizer - logJoint + shape.sigmaPenalty * penalty;
}
#else
${addToLogSumExpWgsl}

fn rowNll(row: u32) -> f32 {
${ROW_START}  var maxLogit = LOWEST;
  var sumLogit = 0.0;
  var maxJoint = LOWEST;
  var sumJoint = 0.0;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    var joint = logit;
    for (var d = 0u; d < D; d++) {
      let muIndex = rowBase + K + k * D + d;
      let terms = sigmaTerms(head[muIndex + KD]);
      let t = nuTerms(head[muIndex + 2u * KD]);
      let u = (targets[targetBase + d] - head[muIndex]) * terms.invSigma;
      joint -= t.logNormalizer + tNegLogKernel(u, t.nu) + terms.logSigma;
    }
    addToLogSumExp(&maxLogit, &sumLogit, logit);
    addToLogSumExp(&maxJoint, &sumJoint, joint);
  }
  return maxLogit + log(sumLogit) - (maxJoint + log(sumJoint));
}
#endif

${elementwiseEntry(LEARNED_STUDENT_T_WORKGROUP, 'shape.batch', v.withGradient ? '  sampleNll[i] = rowNll(i);' : '  logDensity[i] = -rowNll(i);')}`;
}
