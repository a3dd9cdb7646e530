// Stateful windows in the 'blockedSteps' design: after a window's walk, the state its last step left (h, then the
// LSTM's c, per sequence) into `carry` for the sequence's next window. The walk itself cannot write it: its step 0
// reads every unit of `carry` while a one-step window's invocations would be writing theirs. One invocation per
// (sequence, unit). Float64 reference: recurrentFinalState in src/mdn/reference/recurrent.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import type { RecurrentCell } from './recurrent.wgsl.js';

const WORKGROUP = 64;

export const CarryOutShape = defineUniformStruct('CarryOutShape', { batch: 'u32', units: 'u32', steps: 'u32' });

export const recurrentCarryOut = defineKernel<{ cell: RecurrentCell }, UniformValues<typeof CarryOutShape>>()({
  name: 'recurrentCarryOut',
  bindings: ({ cell }) => [readOnly('output'), ...(cell === 'lstm' ? [optional(readOnly('cells'))] : []), readWrite('carry'), uniform('shape', CarryOutShape)],
  source: ({ cell }) =>
    elementwiseEntry(
      WORKGROUP,
      'shape.batch * shape.units',
      `  let h = shape.units;
  let b = i / h;
  let j = i % h;
  let last = ((shape.steps - 1u) * shape.batch + b) * h + j;${
    cell === 'lstm'
      ? `
  carry[b * 2u * h + j] = output[last];
  carry[b * 2u * h + h + j] = cells[last];`
      : `
  carry[b * h + j] = output[last];`
  }`,
    ),
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.batch * sizes.units, WORKGROUP) }),
});
