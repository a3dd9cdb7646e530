// Φ, the standard normal CDF, for the distribution API and the reference.

// Complementary error function: Chebyshev fit with fractional error below 1.2e-7 everywhere.
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const poly = -1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277))))))));
  const r = t * Math.exp(-z * z + poly);
  return x >= 0 ? r : 2 - r;
}

/** Φ(x), the standard normal CDF. */
export const normalCdf = (x: number): number => 0.5 * erfc(-x / Math.SQRT2);
