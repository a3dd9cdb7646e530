// The modified Bessel functions von Mises components need on the CPU, in float64: log I₀(κ) and the ratio
// A(κ) = I₁(κ)/I₀(κ). No maintained JavaScript library offers I₀ and I₁ (@stdlib has the Bessel functions J and Y
// only), so they are written here, from their two textbook expansions, each used where it converges fast:
// the power series Σ (κ/2)^{2k+ν} / (k! (k+ν)!) up to κ = 20 (positive terms, no cancellation; 1e-15 relative),
// and above it the asymptotic series e^κ/√(2πκ) Σ_k c_k(ν)/κ^k (16 terms; its error at κ = 20 is below 1e-13).

const SERIES_LIMIT = 20;
const ASYMPTOTIC_TERMS = 16;

// Σ_k (κ²/4)^k / (k! (k+ν)!) for ν = 0 and 1 (the factor (κ/2)^ν left out).
function powerSeries(nu: 0 | 1, kappa: number): number {
  const q = (kappa * kappa) / 4;
  let term = nu === 0 ? 1 : 1;
  let sum = term;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * (k + nu));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

// Σ_k c_k(ν) x^k, c_k = Π_{j ≤ k} −(4ν² − (2j − 1)²)/(8j), at x = 1/κ.
function asymptoticSeries(nu: 0 | 1, kappa: number): number {
  const mu = 4 * nu * nu;
  let term = 1;
  let sum = 1;
  for (let k = 1; k <= ASYMPTOTIC_TERMS; k++) {
    term *= -(mu - (2 * k - 1) ** 2) / (8 * k * kappa);
    sum += term;
  }
  return sum;
}

/** log I₀(κ), κ ≥ 0. */
export function logBesselI0(kappa: number): number {
  if (kappa <= SERIES_LIMIT) {
    // log1p of the series' tail keeps κ²/4 exact for small κ.
    return Math.log1p(powerSeries(0, kappa) - 1);
  }
  return kappa - 0.5 * Math.log(2 * Math.PI * kappa) + Math.log(asymptoticSeries(0, kappa));
}

/** A(κ) = I₁(κ)/I₀(κ), the mean resultant length of a von Mises distribution. */
export function besselRatio(kappa: number): number {
  if (kappa <= SERIES_LIMIT) return ((kappa / 2) * powerSeries(1, kappa)) / powerSeries(0, kappa);
  return asymptoticSeries(1, kappa) / asymptoticSeries(0, kappa);
}
