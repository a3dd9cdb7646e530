// The model's own scaling on the GPU, so every entry point takes and returns original units. Two kernels:
// - scaleColumns: values[i] = post(a_c · pre(values[i]) + b_c), in place, c = i mod width; pre is log or
//   identity, post exp or identity. Inputs and targets are scaled with it (pre = log for log-transformed
//   columns), mixture parameters and samples scaled back (post = exp for samples of log-transformed targets).
// - addLogJacobian: logDensity[r] += base − Σ_d [log_d] (t_rd · s_d + shift_d), from the scaled targets t: the
//   change of variables to original units (base = −Σ log s_d; the log term is −log y_d, y_d = exp(t·s + shift)).
// Per-column values sit in a small read-only buffer of vec4 (a, b, pre log?, post exp?) or (s, shift, log?, 0).
// Their float64 reference is src/mdn/data/scaler.ts (applyScaler, invertScaler, logJacobianOf).
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

const WORKGROUP = 64;

export const ColumnShape = defineUniformStruct('ColumnShape', { count: 'u32', width: 'u32', base: 'f32' });

/** count: values (scaleColumns) or rows (addLogJacobian); width: columns per row; base: addLogJacobian's constant term, 0 for scaleColumns. */
export type ColumnSizes = UniformValues<typeof ColumnShape>;

export const scaleColumns = defineKernel<Record<string, never>, ColumnSizes>()({
  name: 'scaleColumns',
  bindings: () => [readWrite('values'), readOnly('columns', 'vec4<f32>'), uniform('shape', ColumnShape)],
  source: () =>
    elementwiseEntry(
      WORKGROUP,
      'shape.count',
      `  let column = columns[i % shape.width];
  let v = select(values[i], log(values[i]), column.z != 0.0);
  let t = column.x * v + column.y;
  values[i] = select(t, exp(t), column.w != 0.0);`,
    ),
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.count, WORKGROUP) }),
});

export const addLogJacobian = defineKernel<Record<string, never>, ColumnSizes>()({
  name: 'addLogJacobian',
  bindings: () => [readWrite('logDensity'), readOnly('scaledTargets'), readOnly('columns', 'vec4<f32>'), uniform('shape', ColumnShape)],
  source: () =>
    elementwiseEntry(
      WORKGROUP,
      'shape.count',
      `  var j = shape.base;
  for (var d = 0u; d < shape.width; d++) {
    let column = columns[d];
    if (column.z != 0.0) {
      j -= scaledTargets[i * shape.width + d] * column.x + column.y;
    }
  }
  logDensity[i] += j;`,
    ),
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.count, WORKGROUP) }),
});
