// The component density of the location-scale mixture families in WGSL: the shared kernels (NLL with its
// gradient, log-density, sampling) work on the standardised u = (y − μ)/σ of each component and dimension, and
// take from here what differs between families:
//   log p(y) = −LOG_NORMALIZER − negLogKernel(u) − log σ
//   score(u) = d negLogKernel / du, so ∂NLL/∂μ = −score(u)/σ and ∂NLL/∂log σ = 1 − score(u)·u
//   standardDraw(u1, u2): a draw of the standard density from two uniforms on (0, 1)
// Float64 twin: src/mdn/reference/componentDensity.ts.
export const COMPONENT_DENSITIES = ['gaussian', 'laplace'] as const;
export type ComponentDensity = (typeof COMPONENT_DENSITIES)[number];

export function componentDensityWgsl(family: ComponentDensity): string {
  switch (family) {
    case 'gaussian':
      return `
// Standard normal: log √(2π), u²/2, Box–Muller.
const LOG_NORMALIZER: f32 = 0.91893853320467274;
fn negLogKernel(u: f32) -> f32 { return 0.5 * u * u; }
fn score(u: f32) -> f32 { return u; }
fn standardDraw(u1: f32, u2: f32) -> f32 { return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2); }`;
    case 'laplace':
      return `
// Standard Laplace, density e^−|u| / 2: log 2, |u|, by the inverse CDF of u1 (u2 unused). u1 is never 0 or 1,
// so 1 − 2|v| >= 2^−24 and the draw is finite.
const LOG_NORMALIZER: f32 = 0.69314718055994531;
fn negLogKernel(u: f32) -> f32 { return abs(u); }
fn score(u: f32) -> f32 { return sign(u); }
fn standardDraw(u1: f32, u2: f32) -> f32 { let v = u1 - 0.5; return -sign(v) * log(1.0 - 2.0 * abs(v)); }`;
  }
}
