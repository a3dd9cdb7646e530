// Hidden-layer activations in WGSL, on vec4s, and their derivatives written in terms of the activation's
// *output*, so the backward pass needs only the stored layer outputs (no pre-activations kept).
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';

export const ACTIVATIONS = ['identity', 'relu', 'tanh', 'sigmoid', 'elu'] as const;
export type Activation = (typeof ACTIVATIONS)[number];

/** `fn activate(x: vec4<f32>) -> vec4<f32>`. */
export function activateWgsl(activation: Activation): string {
  return wgsl`
fn activate(x: vec4<f32>) -> vec4<f32> {
#if ${activation === 'identity'}
  return x;
#elif ${activation === 'relu'}
  return max(x, vec4(0.0));
#elif ${activation === 'tanh'}
  // tanh(15) rounds to 1 in f32; clamping keeps platforms that expand tanh through exp() from producing Inf/Inf.
  return tanh(clamp(x, vec4(-15.0), vec4(15.0)));
#elif ${activation === 'sigmoid'}
  return 1.0 / (1.0 + exp(-x));
#elif ${activation === 'elu'}
  return select(exp(min(x, vec4(0.0))) - 1.0, x, x > vec4(0.0));
#endif
}`;
}

/** `fn activationGradFromOutput(y: vec4<f32>) -> vec4<f32>`: d activate / dx expressed through y = activate(x). */
export function activationGradWgsl(activation: Activation): string {
  return wgsl`
fn activationGradFromOutput(y: vec4<f32>) -> vec4<f32> {
#if ${activation === 'identity'}
  return vec4(1.0);
#elif ${activation === 'relu'}
  return select(vec4(0.0), vec4(1.0), y > vec4(0.0));
#elif ${activation === 'tanh'}
  return 1.0 - y * y;
#elif ${activation === 'sigmoid'}
  return y * (1.0 - y);
#elif ${activation === 'elu'}
  return select(y + 1.0, vec4(1.0), y > vec4(0.0));
#endif
}`;
}
