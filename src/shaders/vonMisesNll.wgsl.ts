// Fused NLL of a mixture of von Mises components (per dimension, angles in radians) with the gradient of every
// raw head output (training) or each row's log-density (inference), on the diagonal skeleton (diagonalNll.wgsl.ts).
// Head rows: [π logits (K) | μ mean directions (K·D) | σ pre-activations (K·D)], κ = 1/σ² (vonMises.wgsl.ts).
// The first pass keeps κ sin(θ − μ) (μ slot) and κ d log p/dκ (σ slot). Reference: src/mdn/reference/vonMises.ts.
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { diagonalNllSource } from './diagonalNll.wgsl.js';
import { vonMisesWgsl } from './vonMises.wgsl.js';

export interface VonMisesVariant {
  readonly sigma: SigmaActivation;
  /** Training: per-row NLL (penalty included) and head gradient. Inference: per-row log p(y | x) only. */
  readonly withGradient: boolean;
}

export const vonMisesNllSource = (v: VonMisesVariant): string =>
  diagonalNllSource(
    {
      helpers: `${sigmaTermsWgsl(v.sigma)}
${vonMisesWgsl}

fn logDensityAt(muIndex: u32, sigmaIndex: u32, KD: u32, y: f32) -> f32 {
  let terms = sigmaTerms(head[sigmaIndex]);
  return vonMisesTerms(terms.invSigma, terms.logSigma).x - vonMisesAngle(y - head[muIndex], terms.invSigma).x - LOG_TWO_PI;
}`,
      firstPass: `      let terms = sigmaTerms(head[sigmaIndex]);
      let vm = vonMisesTerms(terms.invSigma, terms.logSigma);
      let angle = vonMisesAngle(targets[targetBase + d] - head[muIndex], terms.invSigma);
      joint += vm.x - angle.x - LOG_TWO_PI;
      headGrad[muIndex] = terms.invSigma * terms.invSigma * angle.y;
      // κ d log p/dκ = κ(1 − A) − 2κ sin²(δ/2).
      headGrad[sigmaIndex] = vm.y - angle.x;`,
      // dκ/ds = −2κ d log σ/ds.
      secondPass: `      headGrad[muIndex] = select(0.0, -weight * headGrad[muIndex], live);
      let sigmaGrad = select(0.0, 2.0 * weight * headGrad[sigmaIndex] * sigmaTerms(s).dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s;
      headGrad[sigmaIndex] = shape.sigmaGradScale * sigmaGrad;`,
    },
    v.withGradient,
  );
