// One step of generation, after the draws: each sequence's draw (its continuous values, then one class per side
// output) is kept as step t of the generated sequences and becomes the next step's input, followed by the
// sequence's condition. A sequence that drew its stop value (e.g. the pen's "finished" class) has its length
// set to t + 1 and is left alone from then on. Step t comes from the sampling call's slot: rowOffset = t·count,
// which is also what gives every step draws of their own. One invocation per sequence.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { SampleCall } from './mixtureSample.js';

const WORKGROUP = 64;

export const FeedbackShape = defineUniformStruct('FeedbackShape', {
  count: 'u32',
  width: 'u32',
  conditionDim: 'u32',
  /** The column of a draw that stops a sequence, and the value that does; hasStop 0: only the length limit does. */
  stopColumn: 'u32',
  stopValue: 'f32',
  hasStop: 'u32',
});

export const sequenceFeedback = defineKernel<Record<string, never>, UniformValues<typeof FeedbackShape>>()({
  name: 'sequenceFeedback',
  bindings: () => [
    readOnly('samples'),
    readOnly('conditions'),
    readWrite('input'),
    readWrite('generated'),
    readWrite('lengths'),
    uniform('shape', FeedbackShape),
    uniform('call', SampleCall, true),
  ],
  source: () =>
    elementwiseEntry(
      WORKGROUP,
      'shape.count',
      `  let t = call.rowOffset / shape.count;
  // lengths start at the step limit; a stop before this step ended the sequence.
  if (lengths[i] <= f32(t)) { return; }
  let inputDim = shape.width + shape.conditionDim;
  for (var c = 0u; c < shape.width; c++) {
    let v = samples[i * shape.width + c];
    generated[(t * shape.count + i) * shape.width + c] = v;
    input[i * inputDim + c] = v;
  }
  for (var c = 0u; c < shape.conditionDim; c++) {
    input[i * inputDim + shape.width + c] = conditions[i * shape.conditionDim + c];
  }
  if (shape.hasStop == 1u && samples[i * shape.width + shape.stopColumn] == shape.stopValue) {
    lengths[i] = f32(t + 1u);
  }`,
    ),
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.count, WORKGROUP) }),
});
