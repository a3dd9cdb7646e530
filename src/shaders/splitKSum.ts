// The second half of a split-K product (tiledMatmul.wgsl.ts's weight gradient with `partials`): each value of C
// is the sum of the slices' partial sums, C[i] = Σ_z partials[z·count + i], in slice order. With one slice the
// product wrote C itself and this plans no workgroups (so no dispatch). Float64 reference: the weight gradient's own
// (src/mdn/reference/dense.ts); tested with the split product in test/browser/cases/dense.ts.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

const WORKGROUP = 64;

export const SplitKShape = defineUniformStruct('SplitKShape', { count: 'u32', slices: 'u32' });

export const splitKSum = defineKernel<Record<string, never>, UniformValues<typeof SplitKShape>>()({
  name: 'splitKSum',
  bindings: () => [readOnly('partials'), readWrite('output'), uniform('shape', SplitKShape)],
  source: () =>
    elementwiseEntry(
      WORKGROUP,
      'shape.count',
      `  var sum = 0.0;
  for (var z = 0u; z < shape.slices; z++) {
    sum += partials[z * shape.count + i];
  }
  output[i] = sum;`,
    ),
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: sizes.slices > 1 ? elementwiseWorkgroups(sizes.count, WORKGROUP) : [0, 1, 1] }),
});
