// Layer normalisation over each row's features, with a learned scale γ and shift β per feature:
//   y = γ ⊙ x̂ + β,  x̂ = (x − mean(x)) / sqrt(var(x) + ε)   (var with 1/width, as PyTorch's LayerNorm).
// The layer's parameter block is γ (width floats), then β (width floats), bound as `weights`.
// Three kernels: the forward pass, one invocation per row, which in training also keeps each row's mean and
// 1 / sqrt(var + ε) (`statistics`, 2 floats per row) for the backward pass; the input gradient, one invocation
// per row; the parameter gradient, one invocation per feature summing over the rows.
// Backward, with g = dy ⊙ γ:  dx = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / sqrt(var + ε), times the derivative of
// the activation that produced x (fused here, as denseInputGrad does); dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy.
// Float64 reference: src/mdn/reference/layerNorm.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { type Activation, activationGradWgsl } from './activation.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

const WORKGROUP = 64;

export const LayerNormShape = defineUniformStruct('LayerNormShape', { rows: 'u32', width: 'u32', epsilon: 'f32' });
export type LayerNormSizes = UniformValues<typeof LayerNormShape>;

/** Floats per row the forward pass keeps for the backward pass: the mean and 1 / sqrt(var + ε). */
export const LAYER_NORM_SAVED_PER_ROW = 2;

export interface LayerNormForwardVariant {
  /** Keep each row's statistics for the backward pass (training); inference keeps nothing. */
  readonly save: boolean;
}

const perRow = (sizes: LayerNormSizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.rows, WORKGROUP) });

export const layerNormForward = defineKernel<LayerNormForwardVariant, LayerNormSizes>()({
  name: 'layerNormForward',
  bindings: ({ save }) => [readOnly('input'), readOnly('weights'), readWrite('output'), ...(save ? [optional(readWrite('statistics'))] : []), uniform('shape', LayerNormShape)],
  // Two passes over the row, so a large mean does not cancel the variance away.
  source: ({ save }) =>
    elementwiseEntry(
      WORKGROUP,
      'shape.rows',
      `  let base = i * shape.width;
  let n = f32(shape.width);
  var sum = 0.0;
  for (var j = 0u; j < shape.width; j++) { sum += input[base + j]; }
  let mean = sum / n;
  var squares = 0.0;
  for (var j = 0u; j < shape.width; j++) { let d = input[base + j] - mean; squares += d * d; }
  let inv = inverseSqrt(squares / n + shape.epsilon);
  for (var j = 0u; j < shape.width; j++) {
    output[base + j] = weights[j] * (input[base + j] - mean) * inv + weights[shape.width + j];
  }${save ? '\n  statistics[2u * i] = mean;\n  statistics[2u * i + 1u] = inv;' : ''}`,
    ),
  plan: perRow,
});

export const layerNormInputGrad = defineKernel<{ inputActivation: Activation }, LayerNormSizes>()({
  name: 'layerNormInputGrad',
  bindings: () => [readOnly('input'), readOnly('weights'), readOnly('statistics'), readOnly('outputGrad'), readWrite('inputGrad'), uniform('shape', LayerNormShape)],
  source: ({ inputActivation }) =>
    `${activationGradWgsl(inputActivation)}
${elementwiseEntry(
  WORKGROUP,
  'shape.rows',
  `  let base = i * shape.width;
  let mean = statistics[2u * i];
  let inv = statistics[2u * i + 1u];
  var meanG = 0.0;
  var meanGx = 0.0;
  for (var j = 0u; j < shape.width; j++) {
    let g = outputGrad[base + j] * weights[j];
    meanG += g;
    meanGx += g * (input[base + j] - mean) * inv;
  }
  meanG /= f32(shape.width);
  meanGx /= f32(shape.width);
  for (var j = 0u; j < shape.width; j++) {
    let x = input[base + j];
    let g = outputGrad[base + j] * weights[j];
    inputGrad[base + j] = (g - meanG - (x - mean) * inv * meanGx) * inv * activationGradFromOutput(vec4(x)).x;
  }`,
)}`,
  plan: perRow,
});

export const layerNormParamGrad = defineKernel<Record<string, never>, LayerNormSizes>()({
  name: 'layerNormParamGrad',
  bindings: () => [readOnly('input'), readOnly('statistics'), readOnly('outputGrad'), readWrite('weightGrad'), uniform('shape', LayerNormShape)],
  source: () =>
    elementwiseEntry(
      WORKGROUP,
      'shape.width',
      `  var scaleGrad = 0.0;
  var shiftGrad = 0.0;
  for (var r = 0u; r < shape.rows; r++) {
    let dy = outputGrad[r * shape.width + i];
    scaleGrad += dy * (input[r * shape.width + i] - statistics[2u * r]) * statistics[2u * r + 1u];
    shiftGrad += dy;
  }
  weightGrad[i] = scaleGrad;
  weightGrad[shape.width + i] = shiftGrad;`,
    ),
  // One invocation per feature, each summing over the rows.
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.width, WORKGROUP) }),
});
