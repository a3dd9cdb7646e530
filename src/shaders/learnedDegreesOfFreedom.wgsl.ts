// Student-t components whose degrees of freedom are learned (degreesOfFreedom: 'learned'): ν per component and
// dimension from a head pre-activation a, ν = NU_MIN + NU_SPAN · logistic(a), so ν stays in (1.5, 100), where the
// mean always exists. The density's normaliser log Γ(ν/2) + ½ log(νπ) − log Γ((ν + 1)/2) and its derivative
// need log Γ(x + ½) − log Γ(x) and ψ(x + ½) − ψ(x) at run time: written as that difference directly (the
// asymptotic series of log Γ(z + ½)/Γ(z) at z = x + 8, shifted back by Σ log((x + i + ½)/(x + i))), which keeps
// f32's relative precision where two log-gammas of ~50 subtracted would lose it. The series' own error, measured
// in float64 against @stdlib when it was written, is below 3e-10 for x ≥ 0.75; the kernels' tests check the f32
// result through the NLL and its gradient against the float64 reference (test/gpu/learnedStudentT.test.ts), whose
// normaliser is @stdlib's (src/mdn/heads/learnedDegreesOfFreedom.ts).

/** Learned ν lies in (NU_MIN, NU_MIN + NU_SPAN): above 1.5 the mean always exists; at 100 the components are Gaussian for most purposes. */
export const NU_MIN = 1.5;
export const NU_SPAN = 98.5;
export const NU_MAX = NU_MIN + NU_SPAN;

const literal = (v: number): string => (Number.isInteger(v) ? `${v}.0` : `${v}`);

/**
 * WGSL: `nuOf(a)` → ν; `nuTerms(a)` → ν, the log-normaliser, its derivative in ν and dν/da; `tNegLogKernel(u, ν)` =
 * ((ν + 1)/2) log(1 + u²/ν), `tScore(u, ν)` its derivative in u, and `tKernelDnu(u, ν)` its derivative in ν.
 */
export const learnedDegreesOfFreedomWgsl = `
const NU_MIN: f32 = ${literal(NU_MIN)};
const NU_SPAN: f32 = ${literal(NU_SPAN)};

fn nuOf(a: f32) -> f32 {
  let e = exp(-abs(a));
  return NU_MIN + NU_SPAN * select(e / (1.0 + e), 1.0 / (1.0 + e), a >= 0.0);
}

struct NuTerms {
  nu: f32,
  logNormalizer: f32,
  dLogNormalizer: f32,
  dNu: f32,
}

fn nuTerms(a: f32) -> NuTerms {
  let e = exp(-abs(a));
  let s = select(e / (1.0 + e), 1.0 / (1.0 + e), a >= 0.0);
  let nu = NU_MIN + NU_SPAN * s;
  let x = 0.5 * nu;
  var shift = 0.0;
  var dShift = 0.0;
  for (var i = 0u; i < 8u; i++) {
    let xi = x + f32(i);
    shift += log((xi + 0.5) / xi);
    dShift += 0.5 / (xi * (xi + 0.5));
  }
  let z = x + 8.0;
  let iz = 1.0 / z;
  let iz2 = iz * iz;
  // R = log Γ(x + ½) − log Γ(x) and R' = ψ(x + ½) − ψ(x) (1/(x+i) − 1/(x+i+½) = ½/((x+i)(x+i+½)), no cancellation).
  let ratio = 0.5 * log(z) - iz * (0.125 - iz2 * (1.0 / 192.0 - iz2 / 640.0)) - shift;
  let dRatio = iz * (0.5 + iz * (0.125 - iz2 * (1.0 / 64.0 - iz2 / 128.0))) + dShift;
  return NuTerms(nu, -ratio + 0.5 * log(nu * 3.14159265358979324), -0.5 * dRatio + 0.5 / nu, NU_SPAN * s * (1.0 - s));
}

// In r = u/√ν; past |r| = 1e4, log(1 + r²) is 2 log|r| and r²/(1 + r²) is 1 to f32 precision, so u² never overflows.
fn tNegLogKernel(u: f32, nu: f32) -> f32 {
  let r = u * inverseSqrt(nu);
  return 0.5 * (nu + 1.0) * select(log(1.0 + r * r), 2.0 * log(abs(r)), abs(r) > 1.0e4);
}

fn tScore(u: f32, nu: f32) -> f32 {
  let r = u * inverseSqrt(nu);
  return (nu + 1.0) * inverseSqrt(nu) * select(r / (1.0 + r * r), 1.0 / r, abs(r) > 1.0e4);
}

fn tKernelDnu(u: f32, nu: f32) -> f32 {
  let r = u * inverseSqrt(nu);
  let big = abs(r) > 1.0e4;
  let logTerm = select(log(1.0 + r * r), 2.0 * log(abs(r)), big);
  let fraction = select(r * r / (1.0 + r * r), 1.0, big);
  return 0.5 * logTerm - 0.5 * (nu + 1.0) / nu * fraction;
}`;
