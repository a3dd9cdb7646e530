// log Γ for the float64 side (the Student-t normaliser of the reference and the distribution API), from @stdlib:
// a maintained, tested implementation rather than one written here (the kernels fold their own, see
// shaders/componentDensity.wgsl.ts, and are tested against this one).
import gammaln from '@stdlib/math-base-special-gammaln';

/** log |Γ(x)|. */
export const logGamma = (x: number): number => gammaln(x);
