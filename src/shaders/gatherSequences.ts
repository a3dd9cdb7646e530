// Copies one minibatch of sequences out of the whole data set into time-major rows (row t·batch + s is step t
// of the batch's sequence s), with each row's mask (1 for a step of the sequence, 0 for padding after its end).
// Sequences are stored one after another, `steps` rows each (padded), and picked in the order of this epoch's
// permutation, as gatherBatch picks rows; or, for stateful windows (`scheduled`), as this step's entries of
// `schedule` say (src/mdn/windowSchedule.ts: a window per slot, its top bit set where the window continues the
// slot's previous one), writing that bit to `batchKeep` for the recurrent layers. One invocation per batch row.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { hashWgsl } from './hash.wgsl.js';
import { GatherStep, permuteWgsl } from './gatherBatch.js';

const WORKGROUP = 64;

/** rows: the sequences in the data set; batch: sequences per step. */
export const SequenceGatherShape = defineUniformStruct('SequenceGatherShape', { rows: 'u32', batch: 'u32', steps: 'u32', inputDim: 'u32', targetWidth: 'u32', halfBits: 'u32' });
export type SequenceGatherSizes = UniformValues<typeof SequenceGatherShape>;

export interface SequenceGatherVariant {
  /** Windows from `schedule` (entries from step.batchStart), keep flags to `batchKeep`; else the epoch permutation. */
  readonly scheduled?: boolean;
}

export const gatherSequences = defineKernel<SequenceGatherVariant, SequenceGatherSizes>()({
  name: 'gatherSequences',
  bindings: ({ scheduled = false }) => [
    readOnly('allInputs'),
    readOnly('allTargets'),
    readOnly('allMask'),
    readWrite('batchInputs'),
    readWrite('batchTargets'),
    readWrite('batchMask'),
    ...(scheduled ? [optional(readOnly('schedule', 'u32')), optional(readWrite('batchKeep'))] : []),
    uniform('shape', SequenceGatherShape),
    uniform('step', GatherStep, true),
  ],
  source: ({ scheduled = false }) => `
${scheduled ? '' : `${hashWgsl}
${permuteWgsl}`}
${elementwiseEntry(
  WORKGROUP,
  'shape.batch * shape.steps',
  `  let t = i / shape.batch;
  let slot = i % shape.batch;${
    scheduled
      ? `
  let entry = schedule[step.batchStart + slot];
  let sequence = entry & 0x7fffffffu;
  if (t == 0u) { batchKeep[slot] = f32(entry >> 31u); }`
      : `
  let sequence = permute(step.batchStart + slot);`
  }
  let source = sequence * shape.steps + t;
  for (var c = 0u; c < shape.inputDim; c++) {
    batchInputs[i * shape.inputDim + c] = allInputs[source * shape.inputDim + c];
  }
  for (var c = 0u; c < shape.targetWidth; c++) {
    batchTargets[i * shape.targetWidth + c] = allTargets[source * shape.targetWidth + c];
  }
  batchMask[i] = allMask[source];`,
)}`,
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.batch * sizes.steps, WORKGROUP) }),
});
