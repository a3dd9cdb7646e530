// Raw head outputs to mixture parameters, per sample: π = softmax(logits) (by log-sum-exp), μ as is,
// σ from its pre-activation. Output row layout matches the head: [π (K) | μ (K·D) | σ (K·D)], then any values
// per component a family adds after the scales (full covariance: the factor below its diagonal), copied as is,
// or ν from its pre-activation (learned Student-t degrees of freedom).
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import type { HeadShape } from './unrolledHead.js';
import { indices } from './indices.js';
import { learnedDegreesOfFreedomWgsl } from './learnedDegreesOfFreedom.wgsl.js';

export const MIXTURE_PARAMS_WORKGROUP = 64;

/** rowParams for a head whose K and D are constants (see unrolledHead.ts): the same steps, written out. */
function unrolledRowParams({ components: K, dims: D }: HeadShape): string {
  const KD = K * D;
  const lines = ['let base = row * shape.headStride;'];
  for (const k of indices(K)) lines.push(`let logit${k} = head[base + ${k}u];`);
  const maxLogit = indices(K).slice(1).reduce((acc, k) => `max(${acc}, logit${k})`, 'logit0');
  lines.push(`let maxLogit = ${maxLogit};`);
  lines.push(`let logNormalizer = maxLogit + log(${indices(K).map((k) => `exp(logit${k} - maxLogit)`).join(' + ')});`);
  for (const k of indices(K)) lines.push(`params[base + ${k}u] = exp(logit${k} - logNormalizer);`);
  for (const i of indices(KD)) {
    lines.push(`params[base + ${K + i}u] = head[base + ${K + i}u];`);
    lines.push(`params[base + ${K + KD + i}u] = 1.0 / sigmaTerms(head[base + ${K + KD + i}u]).invSigma;`);
  }
  return `fn rowParams(row: u32) {\n  ${lines.join('\n  ')}\n}`;
}

export function mixtureParamsSource(sigma: SigmaActivation, unrolled: HeadShape | null, extraPerComponent = 0, extraActivation?: 'degreesOfFreedom'): string {
  if (unrolled && extraPerComponent > 0) throw new Error('mixtureParams: values after the scales need the looping variant');
  const nu = extraActivation === 'degreesOfFreedom';
  return wgsl`
${sigmaTermsWgsl(sigma)}
${nu ? learnedDegreesOfFreedomWgsl : ''}

#if ${unrolled !== null}
${unrolled ? unrolledRowParams(unrolled) : ''}
#else
fn rowParams(row: u32) {
  let K = shape.components;
  let KD = K * shape.dims;
  let extra = K * ${extraPerComponent}u;
  let base = row * shape.headStride;
  var maxLogit = head[base];
  for (var k = 1u; k < K; k++) {
    maxLogit = max(maxLogit, head[base + k]);
  }
  var sum = 0.0;
  for (var k = 0u; k < K; k++) {
    sum += exp(head[base + k] - maxLogit);
  }
  let logNormalizer = maxLogit + log(sum);
  for (var k = 0u; k < K; k++) {
    params[base + k] = exp(head[base + k] - logNormalizer);
  }
  for (var i = 0u; i < KD; i++) {
    params[base + K + i] = head[base + K + i];
    // 1 / (1/σ) is within an ulp or two of σ, and never forms σ from an underflowed exp.
    params[base + K + KD + i] = 1.0 / sigmaTerms(head[base + K + KD + i]).invSigma;
  }
  for (var i = 0u; i < extra; i++) {
    params[base + K + 2u * KD + i] = ${nu ? 'nuOf(head[base + K + 2u * KD + i])' : 'head[base + K + 2u * KD + i]'};
  }
}
#endif
${elementwiseEntry(MIXTURE_PARAMS_WORKGROUP, 'shape.batch', '  rowParams(i);')}`;
}
