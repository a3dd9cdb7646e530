// Binding and dispatch of the full-covariance sampling kernel (source in fullCovarianceSample.wgsl.ts): the
// diagonal sampler's uniform structs and bindings, D compiled in.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import type { SigmaActivation } from './sigma.wgsl.js';
import { SampleCall, type SampleSizes, SampleShape, withSampleStrides } from './mixtureSample.js';
import { FULL_COVARIANCE_SAMPLE_WORKGROUP, fullCovarianceSampleSource } from './fullCovarianceSample.wgsl.js';

export interface FullCovarianceSampleVariant {
  readonly sigma: SigmaActivation;
  /** D, compiled in. */
  readonly dims: number;
}

export const fullCovarianceSample = defineKernel<FullCovarianceSampleVariant, SampleSizes>()({
  name: 'fullCovarianceSample',
  bindings: () => [readOnly('head'), readWrite('samples'), uniform('shape', SampleShape), uniform('call', SampleCall, true)],
  source: ({ sigma, dims }) => fullCovarianceSampleSource(sigma, dims),
  plan: (sizes, v) => {
    if (sizes.dims !== v.dims) throw new Error(`fullCovarianceSample: compiled for D=${v.dims} but dispatched with D=${sizes.dims}`);
    const D = v.dims;
    return { uniforms: withSampleStrides(sizes, sizes.components * (1 + 2 * D + (D * (D - 1)) / 2)), workgroups: elementwiseWorkgroups(sizes.rows * sizes.samplesPerRow, FULL_COVARIANCE_SAMPLE_WORKGROUP) };
  },
});
