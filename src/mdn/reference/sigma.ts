// Float64 reference of the σ activations: σ, log σ and d(log σ)/ds from the pre-activation s.
import type { SigmaActivation } from '../../shaders/sigma.wgsl.js';

export interface SigmaTerms {
  readonly sigma: number;
  readonly logSigma: number;
  readonly dLogSigma: number;
}

const softplus = (s: number): number => (s > 30 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s)));

export function sigmaTerms(kind: SigmaActivation, s: number, epsilon: number): SigmaTerms {
  switch (kind) {
    case 'exp':
      return { sigma: Math.exp(s), logSigma: s, dLogSigma: 1 };
    case 'softplus': {
      const sigma = softplus(s);
      // For very negative s, σ underflows even in f64; log σ → s and d log σ / ds → 1 there.
      if (sigma === 0) return { sigma, logSigma: s, dLogSigma: 1 };
      return { sigma, logSigma: Math.log(sigma), dLogSigma: 1 / ((1 + Math.exp(-s)) * sigma) };
    }
    case 'elu1': {
      const sigma = (s > 0 ? s + 1 : Math.exp(s)) + epsilon;
      return { sigma, logSigma: Math.log(sigma), dLogSigma: (s > 0 ? 1 : Math.exp(s)) / sigma };
    }
  }
}
