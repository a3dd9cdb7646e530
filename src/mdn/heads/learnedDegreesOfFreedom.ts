// Float64 twin of src/shaders/learnedDegreesOfFreedom.wgsl.ts: ν from its pre-activation, and the Student-t
// log-normaliser with its derivative in ν from @stdlib's log-gamma and digamma (the kernels' series is checked
// against these).
import gammaln from '@stdlib/math-base-special-gammaln';
import digamma from '@stdlib/math-base-special-digamma';
import { NU_MAX, NU_MIN, NU_SPAN } from '../../shaders/learnedDegreesOfFreedom.wgsl.js';

export { NU_MAX, NU_MIN, NU_SPAN };

const logistic = (a: number) => (a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)));

/** ν = NU_MIN + NU_SPAN · logistic(a), and dν/da. */
export function degreesOfFreedomFrom(a: number): { nu: number; dNu: number } {
  const s = logistic(a);
  return { nu: NU_MIN + NU_SPAN * s, dNu: NU_SPAN * s * (1 - s) };
}

/** log Γ(ν/2) + ½ log(νπ) − log Γ((ν + 1)/2), and its derivative in ν. */
export function studentTNormalizer(nu: number): { logNormalizer: number; dLogNormalizer: number } {
  return {
    logNormalizer: gammaln(nu / 2) + 0.5 * Math.log(nu * Math.PI) - gammaln((nu + 1) / 2),
    dLogNormalizer: 0.5 * digamma(nu / 2) + 0.5 / nu - 0.5 * digamma((nu + 1) / 2),
  };
}
