// Float64 reference of the layerNorm layer (src/shaders/layerNorm.ts): parameters γ (width), then β (width).
import type { Activation } from '../../shaders/activation.wgsl.js';
import { activationGradFromOutput } from './activations.js';

export interface LayerNormShape {
  readonly rows: number;
  readonly width: number;
  readonly epsilon: number;
}

// Mean and 1 / sqrt(var + ε) of row r.
function rowStatistics(x: ArrayLike<number>, r: number, { width, epsilon }: LayerNormShape): [number, number] {
  let mean = 0;
  for (let j = 0; j < width; j++) mean += x[r * width + j];
  mean /= width;
  let squares = 0;
  for (let j = 0; j < width; j++) squares += (x[r * width + j] - mean) ** 2;
  return [mean, 1 / Math.sqrt(squares / width + epsilon)];
}

/** y = γ ⊙ (x − mean) / sqrt(var + ε) + β, row by row. */
export function layerNormForward(x: ArrayLike<number>, params: ArrayLike<number>, shape: LayerNormShape): Float64Array {
  const { rows, width } = shape;
  const y = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const [mean, inv] = rowStatistics(x, r, shape);
    for (let j = 0; j < width; j++) y[r * width + j] = params[j] * (x[r * width + j] - mean) * inv + params[width + j];
  }
  return y;
}

/**
 * Given dy, the parameter gradient [dγ; dβ] and the gradient at the input's pre-activation (dx times the
 * derivative of `inputActivation`, which produced x).
 */
export function layerNormBackward(
  x: ArrayLike<number>,
  dy: ArrayLike<number>,
  params: ArrayLike<number>,
  shape: LayerNormShape,
  inputActivation: Activation = 'identity',
): { paramGrad: Float64Array; inputGrad: Float64Array } {
  const { rows, width } = shape;
  const paramGrad = new Float64Array(2 * width);
  const inputGrad = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const [mean, inv] = rowStatistics(x, r, shape);
    const normalised = Array.from({ length: width }, (_, j) => (x[r * width + j] - mean) * inv);
    const g = Array.from({ length: width }, (_, j) => dy[r * width + j] * params[j]);
    const meanG = g.reduce((a, b) => a + b, 0) / width;
    const meanGx = g.reduce((a, v, j) => a + v * normalised[j], 0) / width;
    for (let j = 0; j < width; j++) {
      paramGrad[j] += dy[r * width + j] * normalised[j];
      paramGrad[width + j] += dy[r * width + j];
      const dx = (g[j] - meanG - normalised[j] * meanGx) * inv;
      inputGrad[r * width + j] = dx * activationGradFromOutput(inputActivation, x[r * width + j]);
    }
  }
  return { paramGrad, inputGrad };
}
