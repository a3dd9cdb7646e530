// Binding and dispatch of the von Mises sampler (source in vonMisesSample.wgsl.ts): the diagonal sampler's
// uniform structs and bindings.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import type { SigmaActivation } from './sigma.wgsl.js';
import { SampleCall, type SampleSizes, SampleShape, withSampleStrides } from './mixtureSample.js';
import { VON_MISES_SAMPLE_WORKGROUP, vonMisesSampleSource } from './vonMisesSample.wgsl.js';

export const vonMisesSample = defineKernel<{ readonly sigma: SigmaActivation }, SampleSizes>()({
  name: 'vonMisesSample',
  bindings: () => [readOnly('head'), readWrite('samples'), uniform('shape', SampleShape), uniform('call', SampleCall, true)],
  source: ({ sigma }) => vonMisesSampleSource(sigma),
  plan: (sizes) => ({
    uniforms: withSampleStrides(sizes, sizes.components * (1 + 2 * sizes.dims)),
    workgroups: elementwiseWorkgroups(sizes.rows * sizes.samplesPerRow, VON_MISES_SAMPLE_WORKGROUP),
  }),
});
