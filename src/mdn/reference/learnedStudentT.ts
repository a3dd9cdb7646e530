// Float64 reference of Student-t mixtures with learned degrees of freedom (src/shaders/learnedStudentTNll.wgsl.ts):
// per-row NLL and its gradient at the raw head [π logits (K) | μ (K·D) | σ pre-activations (K·D) | ν
// pre-activations (K·D)], log Γ and ψ from @stdlib (../heads/learnedDegreesOfFreedom.ts), and the mixture
// parameters with ν after the scales.
import type { SigmaActivation } from '../../shaders/sigma.wgsl.js';
import { degreesOfFreedomFrom, studentTNormalizer } from '../heads/learnedDegreesOfFreedom.js';
import { sigmaTerms } from './sigma.js';
import { logSumExp } from './logSumExp.js';

export interface LearnedStudentTShape {
  readonly batch: number;
  readonly components: number;
  readonly dims: number;
  readonly sigma: SigmaActivation;
  readonly sigmaEpsilon: number;
  readonly sigmaPenalty?: number;
}

export const learnedStudentTHeadWidth = (K: number, D: number): number => K * (1 + 3 * D);

/** log p of one dimension of a component: its value, d/du, and d/dν. */
function componentTerms(u: number, nu: number): { logKernel: number; score: number; dNu: number } {
  const ratio = (u * u) / nu;
  const log1p = Math.log1p(ratio);
  const n = studentTNormalizer(nu);
  return {
    logKernel: -n.logNormalizer - ((nu + 1) / 2) * log1p,
    score: ((nu + 1) * u) / (nu + u * u),
    dNu: -n.dLogNormalizer - 0.5 * log1p + ((nu + 1) / (2 * nu)) * (ratio / (1 + ratio)),
  };
}

/** Per-row NLL and the gradient of each row's NLL (not scaled by 1/batch). */
export function learnedStudentTNll(head: ArrayLike<number>, target: ArrayLike<number>, shape: LearnedStudentTShape): { sampleNll: Float64Array; headGrad: Float64Array } {
  const { batch, components: K, dims: D } = shape;
  const width = learnedStudentTHeadWidth(K, D);
  const KD = K * D;
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
        const t = sigmaTerms(shape.sigma, head[muIndex + KD], shape.sigmaEpsilon);
        const { nu } = degreesOfFreedomFrom(head[muIndex + 2 * KD]);
        sum += componentTerms((target[r * D + d] - head[muIndex]) / t.sigma, nu).logKernel - t.logSigma;
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
        const { nu, dNu } = degreesOfFreedomFrom(head[sigmaIndex + KD]);
        const u = (target[r * D + d] - head[muIndex]) / t.sigma;
        const c = componentTerms(u, nu);
        const live = responsibility !== 0;
        headGrad[muIndex] = live ? (-responsibility * c.score) / t.sigma : 0;
        headGrad[sigmaIndex] = (live ? responsibility * (1 - c.score * u) * t.dLogSigma : 0) + 2 * lambda * head[sigmaIndex];
        headGrad[sigmaIndex + KD] = live ? -responsibility * c.dNu * dNu : 0;
      }
    }
  }
  return { sampleNll, headGrad };
}

/** Mixture parameters from raw head outputs, in the head's layout: [π (K) | μ (K·D) | σ (K·D) | ν (K·D)] per row. */
export function learnedStudentTParams(head: ArrayLike<number>, shape: LearnedStudentTShape): Float64Array {
  const { batch, components: K, dims: D } = shape;
  const width = learnedStudentTHeadWidth(K, D);
  const KD = K * D;
  const out = new Float64Array(batch * width);
  for (let r = 0; r < batch; r++) {
    const base = r * width;
    const logits = Array.from({ length: K }, (_, k) => head[base + k]);
    const logNormalizer = logSumExp(logits);
    for (let k = 0; k < K; k++) out[base + k] = Math.exp(logits[k] - logNormalizer);
    for (let i = 0; i < KD; i++) {
      out[base + K + i] = head[base + K + i];
      out[base + K + KD + i] = sigmaTerms(shape.sigma, head[base + K + KD + i], shape.sigmaEpsilon).sigma;
      out[base + K + 2 * KD + i] = degreesOfFreedomFrom(head[base + K + 2 * KD + i]).nu;
    }
  }
  return out;
}
