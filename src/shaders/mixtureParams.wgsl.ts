// Raw head outputs to mixture parameters, per sample: π = softmax(logits) (by log-sum-exp), μ as is,
// σ from its pre-activation. Output row layout matches the head: [π (K) | μ (K·D) | σ (K·D)].
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

export const MIXTURE_PARAMS_WORKGROUP = 64;

export function mixtureParamsSource(sigma: SigmaActivation): string {
  return wgsl`
${sigmaTermsWgsl(sigma)}

fn rowParams(row: u32) {
  let K = shape.components;
  let KD = K * shape.dims;
  let base = row * (K + 2u * KD);
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
}
${elementwiseEntry(MIXTURE_PARAMS_WORKGROUP, 'shape.batch', '  rowParams(i);')}`;
}
