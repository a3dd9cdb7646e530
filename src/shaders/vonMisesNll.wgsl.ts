// Fused NLL of a mixture of von Mises components (per dimension, angles in radians) with the gradient of every
// raw head output in one pass (training) or each row's log-density (inference). Head row layout: [π logits (K) |
// μ mean directions (K·D) | σ pre-activations (K·D)], κ = 1/σ² (vonMises.wgsl.ts). The first pass keeps, per
// component, its joint log-density (π slot of headGrad), κ sin(θ − μ) (μ slot) and d log p/dκ · κ
// (σ slot); the second writes the gradient over them. Float64 reference: src/mdn/reference/vonMises.ts.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { addToLogSumExpWgsl, logNormalizersWgsl } from './mixtureNll.wgsl.js';
import { vonMisesWgsl } from './vonMises.wgsl.js';

export const VON_MISES_WORKGROUP = 64;

export interface VonMisesVariant {
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

export function vonMisesNllSource(v: VonMisesVariant): string {
  return wgsl`
${sigmaTermsWgsl(v.sigma)}
${vonMisesWgsl}
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
      let terms = sigmaTerms(head[sigmaIndex]);
      let vm = vonMisesTerms(terms.invSigma, terms.logSigma);
      let angle = vonMisesAngle(targets[targetBase + d] - head[muIndex], terms.invSigma);
      let quadratic = angle.x;
      joint += vm.x - quadratic - LOG_TWO_PI;
      headGrad[muIndex] = terms.invSigma * terms.invSigma * angle.y;
      // κ d log p/dκ = κ(1 − A) − 2κ sin²(δ/2).
      headGrad[sigmaIndex] = vm.y - quadratic;
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
    let live = responsibility > 0.0;
    let weight = scale * responsibility;
    for (var d = 0u; d < D; d++) {
      let muIndex = rowBase + K + k * D + d;
      let sigmaIndex = muIndex + KD;
      let s = head[sigmaIndex];
      headGrad[muIndex] = select(0.0, -weight * headGrad[muIndex], live);
      penalty += s * s;
      // dκ/ds = −2κ d log σ/ds.
      let sigmaGrad = select(0.0, 2.0 * weight * headGrad[sigmaIndex] * sigmaTerms(s).dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s;
      headGrad[sigmaIndex] = shape.sigmaGradScale * sigmaGrad;
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
      joint += vonMisesTerms(terms.invSigma, terms.logSigma).x - vonMisesAngle(targets[targetBase + d] - head[muIndex], terms.invSigma).x - LOG_TWO_PI;
    }
    addToLogSumExp(&maxLogit, &sumLogit, logit);
    addToLogSumExp(&maxJoint, &sumJoint, joint);
  }
  return maxLogit + log(sumLogit) - (maxJoint + log(sumJoint));
}
#endif

${elementwiseEntry(VON_MISES_WORKGROUP, 'shape.batch', v.withGradient ? '  sampleNll[i] = rowNll(i);' : '  logDensity[i] = -rowNll(i);')}`;
}
