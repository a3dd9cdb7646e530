// log Γ, for the Student-t normaliser the kernels compile in and its float64 twin, from @stdlib (a maintained,
// tested implementation; see the commit that added the dependency) rather than written here.
import gammaln from '@stdlib/math-base-special-gammaln';

/** log |Γ(x)|. */
export const logGamma = (x: number): number => gammaln(x);
