// Copies one minibatch of rows out of the whole dataset, in the order of this epoch's permutation (see
// src/mdn/epochPermutation.ts, which computes the same indices). One invocation per batch row.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { hashWgsl } from './hash.wgsl.js';

const WORKGROUP = 64;

export const GatherShape = defineUniformStruct('GatherShape', { rows: 'u32', batch: 'u32', inputDim: 'u32', targetWidth: 'u32', halfBits: 'u32' });
export const GatherStep = defineUniformStruct('GatherStep', { key0: 'u32', key1: 'u32', batchStart: 'u32' });

/** `fn permute(i) -> u32`, the epoch permutation; reads `shape.rows`, `shape.halfBits` and the `step` keys. */
export const permuteWgsl = `
// Feistel rounds over [0, 2^(2·halfBits)), walking the cycle back into [0, rows).
fn permute(i: u32) -> u32 {
  let mask = (1u << shape.halfBits) - 1u;
  var v = i;
  loop {
    var left = v >> shape.halfBits;
    var right = v & mask;
    for (var round = 0u; round < 4u; round++) {
      let key = select(step.key0, step.key1, (round & 1u) == 1u);
      let next = left ^ (hash(right ^ key ^ round) & mask);
      left = right;
      right = next;
    }
    v = (left << shape.halfBits) | right;
    if (v < shape.rows) { break; }
  }
  return v;
}
`;

/** What a dispatch of the kernel takes: its uniform struct's values (halfBits: half the Feistel domain's bits, permutationBits(rows) / 2). */
export type GatherSizes = UniformValues<typeof GatherShape>;

export const gatherBatch = defineKernel<Record<string, never>, GatherSizes>()({
  name: 'gatherBatch',
  bindings: () => [
    readOnly('allInputs'),
    readOnly('allTargets'),
    readWrite('batchInputs'),
    readWrite('batchTargets'),
    uniform('shape', GatherShape),
    uniform('step', GatherStep, true),
  ],
  source: () => `
${hashWgsl}

${permuteWgsl}
${elementwiseEntry(
  WORKGROUP,
  'shape.batch',
  `  let source = permute(step.batchStart + i);
  for (var c = 0u; c < shape.inputDim; c++) {
    batchInputs[i * shape.inputDim + c] = allInputs[source * shape.inputDim + c];
  }
  for (var c = 0u; c < shape.targetWidth; c++) {
    batchTargets[i * shape.targetWidth + c] = allTargets[source * shape.targetWidth + c];
  }`,
)}`,
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.batch, WORKGROUP) }),
});
