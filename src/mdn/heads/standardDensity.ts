// Float64 twin of src/shaders/componentDensity.wgsl.ts (for the reference and the distribution API on the CPU): the standardised component density of each
// location-scale family, log p(y) = −logNormalizer − negLogKernel(u) − log σ with u = (y − μ)/σ, its score
// d negLogKernel/du, and what the distribution API needs on the CPU (CDF, variance of the standard density).
import type { ComponentDensity } from '../../shaders/componentDensity.wgsl.js';
import { normalCdf } from '../normalCdf.js';

export interface StandardDensity {
  readonly logNormalizer: number;
  negLogKernel(u: number): number;
  score(u: number): number;
  /** P(U <= u) of the standard density. */
  cdf(u: number): number;
  /** Var[U] of the standard density: a component's variance is this times σ². */
  readonly variance: number;
}

export const STANDARD_DENSITIES: Record<ComponentDensity, StandardDensity> = {
  gaussian: {
    logNormalizer: 0.5 * Math.log(2 * Math.PI),
    negLogKernel: (u) => 0.5 * u * u,
    score: (u) => u,
    cdf: normalCdf,
    variance: 1,
  },
  laplace: {
    logNormalizer: Math.LN2,
    negLogKernel: (u) => Math.abs(u),
    score: (u) => Math.sign(u),
    cdf: (u) => (u < 0 ? 0.5 * Math.exp(u) : 1 - 0.5 * Math.exp(-u)),
    variance: 2,
  },
};
