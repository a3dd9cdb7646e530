// Float64 reference of the hidden activations and their derivatives (in terms of the output, as the GPU does).
import type { Activation } from '../../shaders/activation.wgsl.js';

export function activate(activation: Activation, x: number): number {
  switch (activation) {
    case 'identity': return x;
    case 'relu': return Math.max(x, 0);
    case 'tanh': return Math.tanh(x);
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'elu': return x > 0 ? x : Math.expm1(x);
  }
}

export function activationGradFromOutput(activation: Activation, y: number): number {
  switch (activation) {
    case 'identity': return 1;
    case 'relu': return y > 0 ? 1 : 0;
    case 'tanh': return 1 - y * y;
    case 'sigmoid': return y * (1 - y);
    case 'elu': return y > 0 ? 1 : y + 1;
  }
}
