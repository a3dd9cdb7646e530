// Von Mises components in WGSL: p(θ) = e^{κ cos(θ − μ)} / (2π I₀(κ)), with κ = 1/σ² from the σ activation (so
// large κ is a Gaussian of standard deviation σ). What the kernels need of the Bessel functions, written so that
// nothing overflows as σ → 0 (κ → ∞) and nothing cancels:
//   excess(κ) = κ − log I₀(κ)        log p = −2κ sin²((θ − μ)/2) + excess − log 2π
//   κ(1 − A(κ)), A = I₁/I₀           d log p/dκ = cos(θ − μ) − A = (1 − A) − 2 sin²((θ − μ)/2)
// Below κ = 12 from Abramowitz and Stegun's polynomials 9.8.1–9.8.4 (I₀ and I₁ to 2e-7 relative); from 12 on from
// the asymptotic series of I₀ and I₁ (ten terms, coefficients computed here), in 1/κ = σ². Checked against the
// float64 reference (src/mdn/heads/besselFunctions.ts) through the kernels' tests, κ = 1e-4 to 1e4.
// vonMisesDraw: Best and Fisher's (1979) rejection sampler, with 1 − f and r − 1 kept apart from 1 so that large κ
// keeps its resolution (the angle is 2 asin(√((1 − f)/2)), not acos(f)).

const literal = (v: number): string => (Number.isInteger(v) ? `${v}.0` : `${v}`);

/** Terms of the asymptotic series of I_ν(x) e^{−x} √(2πx): Π_{j ≤ k} −(4ν² − (2j − 1)²) / (8j). */
export function besselAsymptoticCoefficients(nu: number, terms: number): number[] {
  const mu = 4 * nu * nu;
  const c = [1];
  for (let k = 1; k <= terms; k++) c.push((c[k - 1] * -(mu - (2 * k - 1) ** 2)) / (8 * k));
  return c;
}

/** Horner's rule in WGSL for Σ c_k x^k. */
const horner = (c: readonly number[], x: string): string => c.reduceRight((acc, v, i) => (i === c.length - 1 ? literal(v) : `(${literal(v)} + ${x} * ${acc})`), '');

const TERMS = 10;
const P0 = besselAsymptoticCoefficients(0, TERMS);
const P1 = besselAsymptoticCoefficients(1, TERMS);
// (P0 − P1) / x: its constant term is P0's and P1's first-order difference.
const DIFFERENCE = P0.map((v, i) => v - P1[i]).slice(1);

export const vonMisesWgsl = `
const LOG_TWO_PI: f32 = 1.8378770664093453;
const HALF_LOG_TWO_PI: f32 = 0.9189385332046727;

// (κ − log I₀(κ), κ(1 − I₁(κ)/I₀(κ))) from 1/σ and log σ.
fn vonMisesTerms(invSigma: f32, logSigma: f32) -> vec2<f32> {
  let kappa = invSigma * invSigma;
  if (kappa >= 12.0) {
    let x = 1.0 / kappa;
    let p0 = ${horner(P0, 'x')};
    return vec2<f32>(HALF_LOG_TWO_PI - logSigma - log(p0), (${horner(DIFFERENCE, 'x')}) / p0);
  }
  if (kappa > 3.75) {
    let t = 3.75 / kappa;
    let i0 = 0.39894228 + t * (0.01328592 + t * (0.00225319 + t * (-0.00157565 + t * (0.00916281 + t * (-0.02057706 + t * (0.02635537 + t * (-0.01647633 + t * 0.00392377)))))));
    let i1 = 0.39894228 + t * (-0.03988024 + t * (-0.00362018 + t * (0.00163801 + t * (-0.01031555 + t * (0.02282967 + t * (-0.02895312 + t * (0.01787654 - t * 0.00420059)))))));
    // Both scaled by e^{−κ} √κ, which cancels in the ratio.
    return vec2<f32>(-logSigma - log(i0), kappa * (1.0 - i1 / i0));
  }
  let t = kappa * kappa / 14.0625;
  let i0 = 1.0 + t * (3.5156229 + t * (3.0899424 + t * (1.2067492 + t * (0.2659732 + t * (0.0360768 + t * 0.0045813)))));
  let i1OverKappa = 0.5 + t * (0.87890594 + t * (0.51498869 + t * (0.15084934 + t * (0.02658733 + t * (0.00301532 + t * 0.00032411)))));
  return vec2<f32>(kappa - log(i0), kappa * (1.0 - kappa * i1OverKappa / i0));
}

// sin and cos of δ/2 to f32 precision. WGSL's sin and cos promise only 2^-11 absolute accuracy, which κ up to 1e4
// would magnify; so δ is reduced into [−π, π] with 2π in two parts (Cody and Waite: n · 6.28125 is exact), and
// δ/2 ∈ [−π/2, π/2] goes through Taylor polynomials (the first term left out is below 7e-10 there).
fn halfAngle(delta: f32) -> vec2<f32> {
  let n = round(delta * 0.15915494309189535);
  let x = 0.5 * ((delta - n * 6.28125) - n * 0.0019353071795864769);
  let x2 = x * x;
  let s = x * (1.0 + x2 * (-1.6666666666666666e-1 + x2 * (8.333333333333333e-3 + x2 * (-1.984126984126984e-4 + x2 * (2.7557319223985893e-6 + x2 * (-2.505210838544172e-8 + x2 * 1.6059043836821613e-10))))));
  let c = 1.0 + x2 * (-0.5 + x2 * (4.1666666666666664e-2 + x2 * (-1.388888888888889e-3 + x2 * (2.48015873015873e-5 + x2 * (-2.755731922398589e-7 + x2 * (2.08767569878681e-9 - x2 * 1.1470745597729725e-11))))));
  return vec2<f32>(s, c);
}

// (2κ sin²(δ/2) = κ(1 − cos δ), sin δ): the first 0 where δ is 0 whatever κ (no Inf · 0).
fn vonMisesAngle(delta: f32, invSigma: f32) -> vec2<f32> {
  let half = halfAngle(delta);
  let hk = half.x * invSigma;
  return vec2<f32>(select(2.0 * hk * hk, 0.0, half.x == 0.0), 2.0 * half.x * half.y);
}`;

/** WGSL: vonMisesDraw(stream, κ) → an offset from μ in [−π, π], for a kernel that defines nextUniform. */
export const vonMisesDrawWgsl = `
fn vonMisesDraw(stream: ptr<function, u32>, kappa: f32) -> f32 {
  if (kappa < 1.0e-6) {
    return 3.14159265358979 * (2.0 * nextUniform(stream) - 1.0);
  }
  // Past 1e12 the spread (1/√κ) is below f32's resolution of an angle; κ may also be Inf where σ underflowed.
  if (!(kappa <= 1.0e12)) { return 0.0; }
  let s = sqrt(1.0 + 4.0 * kappa * kappa);
  let a = 1.0 + s;
  let root = sqrt(2.0 * a);
  // ρ = (a − √(2a)) / 2κ, and 1 − ρ, each in a form that does not cancel where it matters (small, large κ).
  let rho = 2.0 * kappa * a / ((s + 1.0) * (a + root));
  let oneMinusRho = select(1.0 - rho, (root - 1.0 - 1.0 / (s + 2.0 * kappa)) / (2.0 * kappa), kappa > 1.0);
  let rMinusOne = oneMinusRho * oneMinusRho / (2.0 * rho);
  var angle = 0.0;
  for (var attempt = 0u; attempt < 64u; attempt++) {
    let h = halfAngle(3.14159265358979 * nextUniform(stream)).x;
    let z = 1.0 - 2.0 * h * h;
    let g = rMinusOne * 2.0 * h * h / (1.0 + rMinusOne + z);
    let c = kappa * (rMinusOne + g);
    let u2 = nextUniform(stream);
    angle = 2.0 * asin(sqrt(min(0.5 * g, 1.0)));
    if (c * (2.0 - c) - u2 > 0.0 || log(c / u2) + 1.0 - c >= 0.0) { break; }
  }
  return select(-angle, angle, nextUniform(stream) >= 0.5);
}

// θ into (−π, π].
fn wrapAngle(theta: f32) -> f32 {
  return theta - 6.283185307179586 * ceil((theta - 3.14159265358979) / 6.283185307179586);
}`;
