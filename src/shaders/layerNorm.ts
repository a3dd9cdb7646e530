// Layer normalisation over each row's features, with a learned scale γ and shift β per feature:
//   y = γ ⊙ x̂ + β,  x̂ = (x − mean(x)) / sqrt(var(x) + ε)   (var with 1/width, as PyTorch's LayerNorm).
// The layer's parameter block is γ (width floats), then β (width floats), bound as `weights`.
// Three kernels, one invocation per row or per feature: rows are short (a hidden layer's width), and the
// mean and variance are recomputed in the backward pass rather than kept, so nothing per row is stored.
// Backward, with g = dy ⊙ γ:  dx = (g − mean(g) − x̂ · mean(g ⊙ x̂)) / sqrt(var + ε), times the derivative of
// the activation that produced x (fused here, as denseInputGrad does); dγ = Σ_rows dy ⊙ x̂, dβ = Σ_rows dy.
// Float64 reference: src/mdn/reference/layerNorm.ts.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { type Activation, activationGradWgsl } from './activation.wgsl.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

const WORKGROUP = 64;

export const LayerNormShape = defineUniformStruct('LayerNormShape', { rows: 'u32', width: 'u32', epsilon: 'f32' });
export type LayerNormSizes = UniformValues<typeof LayerNormShape>;

// Mean and 1 / sqrt(var + ε) of row `base`: two passes, so a large mean does not cancel the variance away.
const ROW_STATISTICS = `
fn rowStatistics(base: u32) -> vec2<f32> {
  let n = f32(shape.width);
  var sum = 0.0;
  for (var j = 0u; j < shape.width; j++) { sum += input[base + j]; }
  let mean = sum / n;
  var squares = 0.0;
  for (var j = 0u; j < shape.width; j++) { let d = input[base + j] - mean; squares += d * d; }
  return vec2(mean, inverseSqrt(squares / n + shape.epsilon));
}`;

const perRow = (sizes: LayerNormSizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.rows, WORKGROUP) });

export const layerNormForward = defineKernel<Record<string, never>, LayerNormSizes>()({
  name: 'layerNormForward',
  bindings: () => [readOnly('input'), readOnly('weights'), readWrite('output'), uniform('shape', LayerNormShape)],
  source: () =>
    `${ROW_STATISTICS}
${elementwiseEntry(
  WORKGROUP,
  'shape.rows',
  `  let base = i * shape.width;
  let stats = rowStatistics(base);
  for (var j = 0u; j < shape.width; j++) {
    output[base + j] = weights[j] * (input[base + j] - stats.x) * stats.y + weights[shape.width + j];
  }`,
)}`,
  plan: perRow,
});

export const layerNormInputGrad = defineKernel<{ inputActivation: Activation }, LayerNormSizes>()({
  name: 'layerNormInputGrad',
  bindings: () => [readOnly('input'), readOnly('weights'), readOnly('outputGrad'), readWrite('inputGrad'), uniform('shape', LayerNormShape)],
  source: ({ inputActivation }) =>
    `${ROW_STATISTICS}
${activationGradWgsl(inputActivation)}
${elementwiseEntry(
  WORKGROUP,
  'shape.rows',
  `  let base = i * shape.width;
  let stats = rowStatistics(base);
  var meanG = 0.0;
  var meanGx = 0.0;
  for (var j = 0u; j < shape.width; j++) {
    let g = outputGrad[base + j] * weights[j];
    meanG += g;
    meanGx += g * (input[base + j] - stats.x) * stats.y;
  }
  meanG /= f32(shape.width);
  meanGx /= f32(shape.width);
  for (var j = 0u; j < shape.width; j++) {
    let x = input[base + j];
    let normalised = (x - stats.x) * stats.y;
    let g = outputGrad[base + j] * weights[j];
    inputGrad[base + j] = (g - meanG - normalised * meanGx) * stats.y * activationGradFromOutput(vec4(x)).x;
  }`,
)}`,
  plan: perRow,
});

export const layerNormParamGrad = defineKernel<Record<string, never>, LayerNormSizes>()({
  name: 'layerNormParamGrad',
  bindings: () => [readOnly('input'), readOnly('outputGrad'), readWrite('weightGrad'), uniform('shape', LayerNormShape)],
  source: () =>
    `${ROW_STATISTICS}
${elementwiseEntry(
  WORKGROUP,
  'shape.width',
  `  var scaleGrad = 0.0;
  var shiftGrad = 0.0;
  for (var r = 0u; r < shape.rows; r++) {
    let base = r * shape.width;
    let stats = rowStatistics(base);
    let dy = outputGrad[base + i];
    scaleGrad += dy * (input[base + i] - stats.x) * stats.y;
    shiftGrad += dy;
  }
  weightGrad[i] = scaleGrad;
  weightGrad[shape.width + i] = shiftGrad;`,
)}`,
  // One invocation per feature, each looping over the rows.
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.width, WORKGROUP) }),
});
