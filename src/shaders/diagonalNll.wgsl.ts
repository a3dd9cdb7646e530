// The fused NLL of a mixture whose components are products over the D dimensions of a per-dimension density
// with its own kernel (learned-ν Student-t, von Mises): one skeleton, each family giving only its per-dimension
// WGSL. Training makes two passes over the row: the first keeps each component's joint log-density in the π slot
// of headGrad and, per dimension, whatever the family's gradient needs in that dimension's own head slots; the
// second writes every gradient over them (log-sum-exp over components, a component with no responsibility
// contributing nothing). Inference is one pass with two streaming log-sum-exps. Head rows are
// [π logits (K) | μ (K·D) | σ pre-activations (K·D) | any more per-dimension blocks].
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { addToLogSumExpWgsl, logNormalizersWgsl } from './mixtureNll.wgsl.js';

export const DIAGONAL_NLL_WORKGROUP = 64;

/**
 * A family's per-dimension WGSL, inside loops where `muIndex`, `sigmaIndex` (= muIndex + KD), `KD`, `targetBase`,
 * `d` and `k` are defined:
 * - helpers: its functions (σ terms included), among them `logDensityAt(muIndex, sigmaIndex, KD, y) -> f32`, one
 *   dimension's log-density (inference);
 * - firstPass: adds the dimension's log-density to `joint` and keeps what the gradient needs in headGrad's slots;
 * - secondPass: writes the dimension's gradients from those slots, given `weight` (scale · responsibility), `live`,
 *   `scale` and `s` (the σ pre-activation; s² is added to the penalty by the skeleton).
 */
export interface DiagonalDensity {
  readonly helpers: string;
  readonly firstPass: string;
  readonly secondPass: string;
}

const ROW_START = `  let K = shape.components;
  let D = shape.dims;
  let KD = K * D;
  let rowBase = row * shape.headStride;
  let targetBase = row * shape.targetStride;
`;

const DIMENSION = `      let muIndex = rowBase + K + k * D + d;
      let sigmaIndex = muIndex + KD;`;

export function diagonalNllSource(density: DiagonalDensity, withGradient: boolean): string {
  return wgsl`
${density.helpers}
// Finite stand-in for -Inf as the starting maximum.
const LOWEST: f32 = -3.0e38;

#if ${withGradient}
${logNormalizersWgsl}

fn rowNll(row: u32) -> f32 {
${ROW_START}  var maxLogit = LOWEST;
  var maxJoint = LOWEST;
  for (var k = 0u; k < K; k++) {
    let logit = head[rowBase + k];
    var joint = logit;
    for (var d = 0u; d < D; d++) {
${DIMENSION}
${density.firstPass}
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
    // A component with zero responsibility contributes nothing (its terms may be Inf; 0 * Inf must not be NaN).
    let live = responsibility > 0.0;
    let weight = scale * responsibility;
    for (var d = 0u; d < D; d++) {
${DIMENSION}
      let s = head[sigmaIndex];
      penalty += s * s;
${density.secondPass}
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
${DIMENSION}
      joint += logDensityAt(muIndex, sigmaIndex, KD, targets[targetBase + d]);
    }
    addToLogSumExp(&maxLogit, &sumLogit, logit);
    addToLogSumExp(&maxJoint, &sumJoint, joint);
  }
  return maxLogit + log(sumLogit) - (maxJoint + log(sumJoint));
}
#endif

${elementwiseEntry(DIAGONAL_NLL_WORKGROUP, 'shape.batch', withGradient ? '  sampleNll[i] = rowNll(i);' : '  logDensity[i] = -rowNll(i);')}`;
}
