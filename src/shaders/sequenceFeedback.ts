// One step of generation, after the draws: each sequence's draw (its continuous values, then one class per side
// output) is kept as step t of the generated sequences and becomes the next step's input, followed by the
// sequence's condition. A sequence that drew its stop value (e.g. the pen's "finished" class) has its length
// set to t + 1 and is left alone from then on. Step t comes from the sampling call's slot: rowOffset = t·count,
// which is also what gives every step draws of their own. Primed generation: the first `primeSteps` steps feed
// the prime's steps instead of the draws (one prime for every sequence, or one each), keep nothing and never
// stop; generated step t − primeSteps follows. One invocation per sequence.
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
  /** Steps fed from `prime` before the generated ones (0: none), and whether all sequences share one prime (1). */
  primeSteps: 'u32',
  primeShared: 'u32',
});

export const sequenceFeedback = defineKernel<Record<string, never>, UniformValues<typeof FeedbackShape>>()({
  name: 'sequenceFeedback',
  bindings: () => [
    readOnly('samples'),
    readOnly('conditions'),
    readOnly('prime'),
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
      `  let step = call.rowOffset / shape.count;
  let inputDim = shape.width + shape.conditionDim;
  for (var c = 0u; c < shape.conditionDim; c++) {
    input[i * inputDim + shape.width + c] = conditions[i * shape.conditionDim + c];
  }
  if (step < shape.primeSteps) {
    let at = (select(i * shape.primeSteps, 0u, shape.primeShared == 1u) + step) * shape.width;
    for (var c = 0u; c < shape.width; c++) { input[i * inputDim + c] = prime[at + c]; }
    return;
  }
  let t = step - shape.primeSteps;
  // lengths start at the step limit; a stop before this step ended the sequence.
  if (lengths[i] <= f32(t)) { return; }
  for (var c = 0u; c < shape.width; c++) {
    let v = samples[i * shape.width + c];
    generated[(t * shape.count + i) * shape.width + c] = v;
    input[i * inputDim + c] = v;
  }
  if (shape.hasStop == 1u && samples[i * shape.width + shape.stopColumn] == shape.stopValue) {
    lengths[i] = f32(t + 1u);
  }`,
    ),
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.count, WORKGROUP) }),
});
