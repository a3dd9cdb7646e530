// Float64 twin of src/shaders/componentDensity.wgsl.ts, for the reference and the distribution API on the CPU:
// the standardised component density of each location-scale family, log p(y) = −logNormalizer −
// negLogKernel(u) − log σ with u = (y − μ)/σ, its score d negLogKernel/du, and the standard variance. The CDFs,
// which need more special functions, are in ./standardCdf.ts.
import { type ComponentDensity, type ComponentShape, degreesOfFreedomOf } from '../../shaders/componentDensity.wgsl.js';
import { logGamma } from './logGamma.js';

/** log of the Student-t normaliser: log Γ(ν/2) + ½ log(νπ) − log Γ((ν + 1)/2). */
export const studentTLogNormalizer = (nu: number): number => logGamma(nu / 2) + 0.5 * Math.log(nu * Math.PI) - logGamma((nu + 1) / 2);

export interface StandardDensity {
  readonly logNormalizer: number;
  negLogKernel(u: number): number;
  score(u: number): number;
  /** Var[U] of the standard density: a component's variance is this times σ² (Infinity where it has none). */
  readonly variance: number;
}

const FIXED: Record<Exclude<ComponentDensity, 'student-t'>, StandardDensity> = {
  gaussian: { logNormalizer: 0.5 * Math.log(2 * Math.PI), negLogKernel: (u) => 0.5 * u * u, score: (u) => u, variance: 1 },
  laplace: { logNormalizer: Math.LN2, negLogKernel: (u) => Math.abs(u), score: (u) => Math.sign(u), variance: 2 },
};

function studentT(nu: number): StandardDensity {
  return {
    logNormalizer: studentTLogNormalizer(nu),
    negLogKernel: (u) => ((nu + 1) / 2) * Math.log1p((u * u) / nu),
    score: (u) => ((nu + 1) * u) / (nu + u * u),
    variance: nu > 2 ? nu / (nu - 2) : Infinity,
  };
}

// Built once per ν (its normaliser takes two log-gammas), as the distribution API asks per component.
const studentTs = new Map<number, StandardDensity>();

/** The standard density of a family (Student-t: with its degrees of freedom). */
export function standardDensityOf(shape: ComponentShape): StandardDensity {
  const family = shape.family ?? 'gaussian';
  if (family !== 'student-t') return FIXED[family];
  const nu = degreesOfFreedomOf(shape);
  let density = studentTs.get(nu);
  if (!density) {
    if (studentTs.size >= 64) studentTs.clear();
    density = studentT(nu);
    studentTs.set(nu, density);
  }
  return density;
}
