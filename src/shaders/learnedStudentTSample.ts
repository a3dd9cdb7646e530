// Binding and dispatch of the learned-ν Student-t sampler (source in learnedStudentTSample.wgsl.ts): the
// diagonal sampler's uniform structs and bindings.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import type { SigmaActivation } from './sigma.wgsl.js';
import { SampleCall, type SampleSizes, SampleShape, withSampleStrides } from './mixtureSample.js';
import { LEARNED_STUDENT_T_SAMPLE_WORKGROUP, learnedStudentTSampleSource } from './learnedStudentTSample.wgsl.js';

export const learnedStudentTSample = defineKernel<{ readonly sigma: SigmaActivation }, SampleSizes>()({
  name: 'learnedStudentTSample',
  bindings: () => [readOnly('head'), readWrite('samples'), uniform('shape', SampleShape), uniform('call', SampleCall, true)],
  source: ({ sigma }) => learnedStudentTSampleSource(sigma),
  plan: (sizes) => ({
    uniforms: withSampleStrides(sizes, sizes.components * (1 + 3 * sizes.dims)),
    workgroups: elementwiseWorkgroups(sizes.rows * sizes.samplesPerRow, LEARNED_STUDENT_T_SAMPLE_WORKGROUP),
  }),
});
