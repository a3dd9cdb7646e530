// The component density of the location-scale mixture families in WGSL: the shared kernels (NLL with its
// gradient, log-density, sampling) work on the standardised u = (y − μ)/σ of each component and dimension, and
// take from here what differs between families:
//   log p(y) = −LOG_NORMALIZER − negLogKernel(u) − log σ
//   score(u) = d negLogKernel / du, so ∂NLL/∂μ = −score(u)/σ and ∂NLL/∂log σ = 1 − score(u)·u
//   standardDraw(stream): a draw of the standard density (sampling kernels only)
// Student-t components have their degrees of freedom ν compiled in. Float64 twin: src/mdn/heads/standardDensity.ts.

export const COMPONENT_DENSITIES = ['gaussian', 'laplace', 'student-t'] as const;
export type ComponentDensity = (typeof COMPONENT_DENSITIES)[number];

/** A family and, for Student-t components, their degrees of freedom. */
export interface ComponentShape {
  readonly family?: ComponentDensity;
  readonly degreesOfFreedom?: number;
}

// A float literal WGSL reads as the same f32 the JS value rounds to.
const literal = (v: number): string => (Number.isInteger(v) ? `${v}.0` : `${v}`);

/**
 * log Γ(x) for x > 0 as a WGSL const-expression, which the shader compiler evaluates (in abstract float):
 * Stirling's series with four terms at x + 8 (error below 1e-11 there), shifted back by the log of
 * x (x + 1) … (x + 7). Checked against @stdlib's float64 log-gamma through the kernels' tests.
 */
export function logGammaWgsl(x: number): string {
  const z = `(${literal(x)} + 8.0)`;
  const shift = Array.from({ length: 8 }, (_, i) => `(${literal(x)} + ${i}.0)`).join(' * ');
  return `((${z} - 0.5) * log(${z}) - ${z} + 0.91893853320467274 + 1.0 / (12.0 * ${z}) - 1.0 / (360.0 * ${z} * ${z} * ${z}) + 1.0 / (1260.0 * pow(${z}, 5.0)) - 1.0 / (1680.0 * pow(${z}, 7.0)) - log(${shift}))`;
}

/** Student-t components' ν (a shape without one is a programming error: the description requires it). */
export function degreesOfFreedomOf({ degreesOfFreedom: nu }: ComponentShape): number {
  if (nu === undefined) throw new Error('Student-t components need their degrees of freedom');
  return nu;
}

export function componentDensityWgsl(shape: ComponentShape): string {
  switch (shape.family ?? 'gaussian') {
    case 'gaussian':
      return `
// Standard normal: log √(2π), u²/2.
const LOG_NORMALIZER: f32 = 0.91893853320467274;
fn negLogKernel(u: f32) -> f32 { return 0.5 * u * u; }
fn score(u: f32) -> f32 { return u; }`;
    case 'laplace':
      return `
// Standard Laplace, density e^−|u| / 2: log 2, |u|.
const LOG_NORMALIZER: f32 = 0.69314718055994531;
fn negLogKernel(u: f32) -> f32 { return abs(u); }
fn score(u: f32) -> f32 { return sign(u); }`;
    case 'student-t': {
      const nu = degreesOfFreedomOf(shape);
      return `
// Standard Student-t with ν = ${nu}: ((ν + 1)/2) log(1 + u²/ν), in r = u/√ν. Past |r| = 1e4, log(1 + r²) is
// 2 log|r| to 1e-8 and r/(1 + r²) is 1/r, so u² never overflows f32.
// log Γ(ν/2) + ½ log(νπ) − log Γ((ν + 1)/2), folded by the compiler.
const LOG_NORMALIZER: f32 = ${logGammaWgsl(nu / 2)} + 0.5 * log(${literal(nu)} * 3.14159265358979324) - ${logGammaWgsl((nu + 1) / 2)};
const HALF_NU_PLUS_ONE: f32 = ${literal((nu + 1) / 2)};
const INV_SQRT_NU: f32 = ${literal(1 / Math.sqrt(nu))};
fn negLogKernel(u: f32) -> f32 {
  let r = u * INV_SQRT_NU;
  return HALF_NU_PLUS_ONE * select(log(1.0 + r * r), 2.0 * log(abs(r)), abs(r) > 1.0e4);
}
fn score(u: f32) -> f32 {
  let r = u * INV_SQRT_NU;
  return 2.0 * HALF_NU_PLUS_ONE * INV_SQRT_NU * select(r / (1.0 + r * r), 1.0 / r, abs(r) > 1.0e4);
}`;
    }
  }
}

/** `fn standardDraw(stream) -> f32` for the sampling kernel, which defines nextUniform. */
export function standardDrawWgsl(shape: ComponentShape): string {
  const boxMuller = `
fn normalDraw(stream: ptr<function, u32>) -> f32 {
  let u1 = nextUniform(stream);
  let u2 = nextUniform(stream);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}`;
  switch (shape.family ?? 'gaussian') {
    case 'gaussian':
      return `${boxMuller}
fn standardDraw(stream: ptr<function, u32>) -> f32 { return normalDraw(stream); }`;
    case 'laplace':
      // The inverse CDF of u1 (u2 drawn too, so each dimension takes two uniforms, as a Gaussian's does). u1 is
      // never 0 or 1, so 1 − 2|v| >= 2^−24 and the draw is finite.
      return `
fn standardDraw(stream: ptr<function, u32>) -> f32 {
  let u1 = nextUniform(stream);
  let u2 = nextUniform(stream);
  let v = u1 - 0.5;
  return -sign(v) * log(1.0 - 2.0 * abs(v));
}`;
    case 'student-t': {
      const nu = degreesOfFreedomOf(shape);
      // t = z / sqrt(χ²_ν / ν), χ²_ν = 2 Gamma(ν/2). Gamma by Marsaglia and Tsang's method for shape a >= 1 (for
      // a < 1, Gamma(a + 1)·U^(1/a)); each try accepts with probability above 0.95, so 32 tries fail with
      // probability below 1e-40 (the last try's value is kept then).
      const a = nu / 2;
      const shapeUsed = a < 1 ? a + 1 : a;
      const d = shapeUsed - 1 / 3;
      return `${boxMuller}
fn gammaDraw(stream: ptr<function, u32>) -> f32 {
  let d: f32 = ${literal(d)};
  let c: f32 = ${literal(1 / Math.sqrt(9 * d))};
  var value = d;
  for (var attempt = 0u; attempt < 32u; attempt++) {
    let x = normalDraw(stream);
    let v0 = 1.0 + c * x;
    if (v0 <= 0.0) { continue; }
    let v = v0 * v0 * v0;
    value = d * v;
    if (log(nextUniform(stream)) < 0.5 * x * x + d - value + d * log(v)) { break; }
  }
  ${a < 1 ? `return value * pow(nextUniform(stream), ${literal(1 / a)});` : 'return value;'}
}
fn standardDraw(stream: ptr<function, u32>) -> f32 {
  let z = normalDraw(stream);
  return z * inverseSqrt(2.0 * gammaDraw(stream) * ${literal(1 / nu)});
}`;
    }
  }
}
