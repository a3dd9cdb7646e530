// Float64 reference of mixtures of von Mises components (src/shaders/vonMisesNll.wgsl.ts): per-row NLL and its
// gradient at the raw head [π logits (K) | μ (K·D) | σ pre-activations (K·D)], κ = 1/σ², log p = κ cos(θ − μ) −
// log 2π − log I₀(κ) per dimension (Bessel functions from ../heads/besselFunctions.ts).
import type { SigmaActivation } from '../../shaders/sigma.wgsl.js';
import { besselRatio, logBesselI0 } from '../heads/besselFunctions.js';
import { sigmaTerms } from './sigma.js';
import { logSumExp } from './logSumExp.js';

export interface VonMisesShape {
  readonly batch: number;
  readonly components: number;
  readonly dims: number;
  readonly sigma: SigmaActivation;
  readonly sigmaEpsilon: number;
  readonly sigmaPenalty?: number;
}

/** log p(θ) of one von Mises dimension. */
export const vonMisesLogDensity = (theta: number, mu: number, kappa: number): number => kappa * Math.cos(theta - mu) - Math.log(2 * Math.PI) - logBesselI0(kappa);

/** Per-row NLL and the gradient of each row's NLL (not scaled by 1/batch). */
export function vonMisesNll(head: ArrayLike<number>, target: ArrayLike<number>, shape: VonMisesShape): { sampleNll: Float64Array; headGrad: Float64Array } {
  const { batch, components: K, dims: D } = shape;
  const KD = K * D;
  const width = K + 2 * KD;
  const lambda = shape.sigmaPenalty ?? 0;
  const sampleNll = new Float64Array(batch);
  const headGrad = new Float64Array(batch * width);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    const logits = Array.from({ length: K }, (_, k) => head[base + k]);
    const joint = logits.map((logit, k) => {
      let sum = logit;
      for (let d = 0; d < D; d++) {
        const muIndex = base + K + k * D + d;
        const kappa = sigmaTerms(shape.sigma, head[muIndex + KD], shape.sigmaEpsilon).sigma ** -2;
        sum += vonMisesLogDensity(target[r * D + d], head[muIndex], kappa);
      }
      return sum;
    });
    const logNormalizer = logSumExp(logits);
    const logJoint = logSumExp(joint);
    let penalty = 0;
    for (let i = 0; i < KD; i++) penalty += head[base + K + KD + i] ** 2;
    sampleNll[r] = logNormalizer - logJoint + lambda * penalty;
    for (let k = 0; k < K; k++) {
      const responsibility = Math.exp(joint[k] - logJoint);
      headGrad[base + k] = Math.exp(logits[k] - logNormalizer) - responsibility;
      for (let d = 0; d < D; d++) {
        const muIndex = base + K + k * D + d;
        const sigmaIndex = muIndex + KD;
        const t = sigmaTerms(shape.sigma, head[sigmaIndex], shape.sigmaEpsilon);
        const kappa = t.sigma ** -2;
        const delta = target[r * D + d] - head[muIndex];
        const live = responsibility !== 0;
        headGrad[muIndex] = live ? -responsibility * kappa * Math.sin(delta) : 0;
        // d log p/ds = (cos δ − A(κ)) dκ/ds, dκ/ds = −2κ d log σ/ds.
        headGrad[sigmaIndex] = (live ? responsibility * (Math.cos(delta) - besselRatio(kappa)) * 2 * kappa * t.dLogSigma : 0) + 2 * lambda * head[sigmaIndex];
      }
    }
  }
  return { sampleNll, headGrad };
}
