// Float64 reference of the mixture density head: per-sample NLL and its gradient with respect to the raw
// head outputs [π logits (K) | μ (K·D) | σ pre-activations (K·D)], by log-sum-exp, for each location-scale
// family (Gaussian, Laplace: see heads/standardDensity.ts).
import type { SigmaActivation } from '../../shaders/sigma.wgsl.js';
import type { ComponentDensity } from '../../shaders/componentDensity.wgsl.js';
import { standardDensityOf } from '../heads/standardDensity.js';
import { sigmaTerms } from './sigma.js';
import { headWidthOf } from '../heads/gaussianShape.js';
import { logSumExp } from './logSumExp.js';

export interface MixtureShape {
  readonly batch: number;
  readonly components: number;
  readonly dims: number;
  readonly sigma: SigmaActivation;
  readonly sigmaEpsilon: number;
  /** The components' family (default 'gaussian'). */
  readonly family?: ComponentDensity;
  /** Student-t components' degrees of freedom. */
  readonly degreesOfFreedom?: number;
  /** λ of the training penalty λ Σ s² on the σ pre-activations, added to each row's NLL (default 0). */
  readonly sigmaPenalty?: number;
}

export { headWidthOf };

/** Per-sample NLL and the gradient of each sample's NLL (not scaled by 1/batch). */
export function mixtureNll(
  head: ArrayLike<number>,
  target: ArrayLike<number>,
  shape: MixtureShape,
): { sampleNll: Float64Array; headGrad: Float64Array } {
  const { batch, components: K, dims: D } = shape;
  const width = headWidthOf(K, D);
  const sampleNll = new Float64Array(batch);
  const headGrad = new Float64Array(batch * width);
  const logits = new Float64Array(K);
  const joint = new Float64Array(K);
  const standard = standardDensityOf(shape);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    for (let k = 0; k < K; k++) {
      logits[k] = head[base + k];
      let logDensity = -D * standard.logNormalizer;
      for (let d = 0; d < D; d++) {
        const t = sigmaTerms(shape.sigma, head[base + K + K * D + k * D + d], shape.sigmaEpsilon);
        const u = (target[r * D + d] - head[base + K + k * D + d]) / t.sigma;
        logDensity -= standard.negLogKernel(u) + t.logSigma;
      }
      joint[k] = logits[k] + logDensity;
    }
    const logNormalizer = logSumExp(logits);
    const logJoint = logSumExp(joint);
    const lambda = shape.sigmaPenalty ?? 0;
    let penalty = 0;
    for (let i = 0; i < K * D; i++) penalty += head[base + K + K * D + i] ** 2;
    sampleNll[r] = logNormalizer - logJoint + lambda * penalty;
    for (let k = 0; k < K; k++) {
      const responsibility = Math.exp(joint[k] - logJoint);
      headGrad[base + k] = Math.exp(logits[k] - logNormalizer) - responsibility;
      for (let d = 0; d < D; d++) {
        const muIndex = base + K + k * D + d;
        const sigmaIndex = muIndex + K * D;
        const t = sigmaTerms(shape.sigma, head[sigmaIndex], shape.sigmaEpsilon);
        const u = (target[r * D + d] - head[muIndex]) / t.sigma;
        const score = standard.score(u);
        headGrad[muIndex] = responsibility === 0 ? 0 : (-responsibility * score) / t.sigma;
        headGrad[sigmaIndex] = (responsibility === 0 ? 0 : responsibility * (1 - score * u) * t.dLogSigma) + 2 * lambda * head[sigmaIndex];
      }
    }
  }
  return { sampleNll, headGrad };
}

/** Mixture parameters from raw head outputs, in the head's layout: [π (K) | μ (K·D) | σ (K·D)] per sample. */
export function mixtureParams(head: ArrayLike<number>, shape: MixtureShape): Float64Array {
  const { batch, components: K, dims: D } = shape;
  const width = headWidthOf(K, D);
  const out = new Float64Array(batch * width);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    const logits = Array.from({ length: K }, (_, k) => head[base + k]);
    const logNormalizer = logSumExp(logits);
    for (let k = 0; k < K; k++) out[base + k] = Math.exp(logits[k] - logNormalizer);
    for (let i = 0; i < K * D; i++) {
      out[base + K + i] = head[base + K + i];
      out[base + K + K * D + i] = sigmaTerms(shape.sigma, head[base + K + K * D + i], shape.sigmaEpsilon).sigma;
    }
  }
  return out;
}
