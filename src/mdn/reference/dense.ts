// Float64 reference of a dense layer with the bias stored as the last row of its (inputs + 1) x outputs
// parameter block, as on the GPU.
import type { Activation } from '../../shaders/activation.wgsl.js';
import { activate } from './activations.js';

export interface DenseShape {
  readonly rows: number;
  readonly inputs: number;
  readonly outputs: number;
}

/** Y = act(X·W + b). */
export function denseForward(x: ArrayLike<number>, params: ArrayLike<number>, shape: DenseShape, activation: Activation): Float64Array {
  const { rows, inputs, outputs } = shape;
  const y = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outputs; o++) {
      let sum = params[inputs * outputs + o];
      for (let i = 0; i < inputs; i++) sum += x[r * inputs + i] * params[i * outputs + o];
      y[r * outputs + o] = activate(activation, sum);
    }
  }
  return y;
}

/** Given dZ (gradient at the pre-activation), the parameter gradient [Xᵀ·dZ; Σ dZ] and dX = dZ·Wᵀ. */
export function denseBackward(
  x: ArrayLike<number>,
  dPre: ArrayLike<number>,
  params: ArrayLike<number>,
  shape: DenseShape,
): { paramGrad: Float64Array; inputGrad: Float64Array } {
  const { rows, inputs, outputs } = shape;
  const paramGrad = new Float64Array((inputs + 1) * outputs);
  const inputGrad = new Float64Array(rows * inputs);
  for (let r = 0; r < rows; r++) {
    for (let o = 0; o < outputs; o++) {
      const g = dPre[r * outputs + o];
      paramGrad[inputs * outputs + o] += g;
      for (let i = 0; i < inputs; i++) {
        paramGrad[i * outputs + o] += x[r * inputs + i] * g;
        inputGrad[r * inputs + i] += g * params[i * outputs + o];
      }
    }
  }
  return { paramGrad, inputGrad };
}
