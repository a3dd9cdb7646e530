// σ activations for the mixture head. Each returns log σ, 1/σ and d(log σ)/ds directly from the
// pre-activation s, never σ² (which overflows f32 for exp σ at s = 50) nor log(σ) of an underflowed σ.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';

export const SIGMA_ACTIVATIONS = ['exp', 'softplus', 'elu1'] as const;
export type SigmaActivation = (typeof SIGMA_ACTIVATIONS)[number];

/** `fn sigmaTerms(s: f32) -> SigmaTerms`; elu1 reads `shape.sigmaEpsilon`. */
export function sigmaTermsWgsl(sigma: SigmaActivation): string {
  return wgsl`
struct SigmaTerms {
  logSigma: f32,
  invSigma: f32,
  dLogSigma: f32,
}

#if ${sigma === 'softplus'}
// log(1 + e^s) without the cancellation of log(1 + tiny): below s = -2 a series in t = x / (2 + x),
// log1p(x) = 2 atanh(t), whose truncation error is under 1e-10 relative there.
fn softplus(s: f32) -> f32 {
  if (s > 15.0) { return s + exp(-s); }
  let x = exp(s);
  if (s < -2.0) {
    let t = x / (2.0 + x);
    let t2 = t * t;
    return 2.0 * t * (1.0 + t2 * (1.0 / 3.0 + t2 * (0.2 + t2 / 7.0)));
  }
  return log(1.0 + x);
}
#endif

fn sigmaTerms(s: f32) -> SigmaTerms {
#if ${sigma === 'exp'}
  return SigmaTerms(s, exp(-s), 1.0);
#elif ${sigma === 'softplus'}
  // Below -20, softplus(s) = e^s (1 + O(e^s)): use the exact logs rather than an underflowing σ.
  if (s < -20.0) { return SigmaTerms(s, exp(-s), 1.0); }
  let sp = softplus(s);
  return SigmaTerms(log(sp), 1.0 / sp, 1.0 / ((1.0 + exp(-s)) * sp));
#elif ${sigma === 'elu1'}
  let grow = exp(min(s, 0.0));
  let sigma = select(grow, s + 1.0, s > 0.0) + shape.sigmaEpsilon;
  let dSigma = select(grow, 1.0, s > 0.0);
  return SigmaTerms(log(sigma), 1.0 / sigma, dSigma / sigma);
#endif
}`;
}
