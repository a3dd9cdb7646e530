// Fused NLL of a mixture of diagonal Student-t components whose degrees of freedom are learned, with the gradient
// of every raw head output (training) or each row's log-density (inference), on the diagonal skeleton
// (diagonalNll.wgsl.ts). Head rows: [π logits (K) | μ (K·D) | σ pre-activations (K·D) | ν pre-activations (K·D)],
// ν per component and dimension (learnedDegreesOfFreedom.wgsl.ts). The first pass keeps score(u)·u (μ slot),
// score(u)/σ (σ slot) and d log p/da of the ν pre-activation (ν slot). Reference: src/mdn/reference/learnedStudentT.ts.
import { type SigmaActivation, sigmaTermsWgsl } from './sigma.wgsl.js';
import { diagonalNllSource } from './diagonalNll.wgsl.js';
import { learnedDegreesOfFreedomWgsl } from './learnedDegreesOfFreedom.wgsl.js';

export interface LearnedStudentTVariant {
  readonly sigma: SigmaActivation;
  /** Training: per-row NLL (penalty included) and head gradient. Inference: per-row log p(y | x) only. */
  readonly withGradient: boolean;
}

export const learnedStudentTNllSource = (v: LearnedStudentTVariant): string =>
  diagonalNllSource(
    {
      helpers: `${sigmaTermsWgsl(v.sigma)}
${learnedDegreesOfFreedomWgsl}

fn logDensityAt(muIndex: u32, sigmaIndex: u32, KD: u32, y: f32) -> f32 {
  let terms = sigmaTerms(head[sigmaIndex]);
  let t = nuTerms(head[sigmaIndex + KD]);
  return -(t.logNormalizer + tNegLogKernel((y - head[muIndex]) * terms.invSigma, t.nu) + terms.logSigma);
}`,
      firstPass: `      let terms = sigmaTerms(head[sigmaIndex]);
      let t = nuTerms(head[sigmaIndex + KD]);
      let u = (targets[targetBase + d] - head[muIndex]) * terms.invSigma;
      let score = tScore(u, t.nu);
      joint -= t.logNormalizer + tNegLogKernel(u, t.nu) + terms.logSigma;
      headGrad[muIndex] = score * u;
      headGrad[sigmaIndex] = score * terms.invSigma;
      headGrad[sigmaIndex + KD] = -(t.dLogNormalizer + tKernelDnu(u, t.nu)) * t.dNu;`,
      secondPass: `      let scoreU = headGrad[muIndex];
      headGrad[muIndex] = select(0.0, -weight * headGrad[sigmaIndex], live);
      let sigmaGrad = select(0.0, weight * (1.0 - scoreU) * sigmaTerms(s).dLogSigma, live) + scale * 2.0 * shape.sigmaPenalty * s;
      headGrad[sigmaIndex] = shape.sigmaGradScale * sigmaGrad;
      headGrad[sigmaIndex + KD] = select(0.0, -weight * headGrad[sigmaIndex + KD], live);`,
    },
    v.withGradient,
  );
