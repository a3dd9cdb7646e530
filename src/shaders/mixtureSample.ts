// Binding and dispatch of the sampling kernel (source in mixtureSample.wgsl.ts). Shapes are static uniforms;
// temperatures, seed and the chunk's first row change per call and come through a dynamic-offset slot.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import type { SigmaActivation } from './sigma.wgsl.js';
import type { ComponentDensity } from './componentDensity.wgsl.js';
import { MIXTURE_SAMPLE_WORKGROUP, mixtureSampleSource } from './mixtureSample.wgsl.js';
import { type HeadShape, checkHeadShape } from './unrolledHead.js';
import type { RowStrided } from './mixtureNll.js';

export interface MixtureSampleVariant {
  /** The components' family (default 'gaussian'). */
  readonly family?: ComponentDensity;
  /** Student-t components' degrees of freedom ν, compiled in. */
  readonly degreesOfFreedom?: number;
  readonly sigma: SigmaActivation;
  /** K and D compiled in with every loop unrolled (unrolledHead picks it); null: loops over the uniforms. */
  readonly unrolled: HeadShape | null;
}

export const SampleShape = defineUniformStruct('SampleShape', {
  rows: 'u32',
  samplesPerRow: 'u32',
  components: 'u32',
  dims: 'u32',
  sigmaEpsilon: 'f32',
  /** Floats from one row's head to the next's: more than the family's own with side outputs after it. */
  headStride: 'u32',
  /** Floats from one draw to the next: D, more with side outputs' draws after each. */
  sampleStride: 'u32',
});

export const SampleCall = defineUniformStruct('SampleCall', {
  /** π logits are divided by it; 0 picks the most probable component. */
  temperature: 'f32',
  /** σ is multiplied by it; 0 returns the component mean. */
  sigmaTemperature: 'f32',
  seed: 'u32',
  /** Index of the chunk's first row in the whole call, so draws do not depend on chunking. */
  rowOffset: 'u32',
});

/** What a dispatch of the kernel takes: its uniform struct's values (the strides default to a row of the family alone). */
export type SampleSizes = RowStrided<UniformValues<typeof SampleShape>, 'headStride' | 'sampleStride'>;

/** The uniforms of a sampling dispatch: `sizes` with any missing stride set to a head row of `headWidth` floats and D per draw. */
export const withSampleStrides = (sizes: SampleSizes, headWidth: number) => ({ ...sizes, headStride: sizes.headStride ?? headWidth, sampleStride: sizes.sampleStride ?? sizes.dims });

export const mixtureSample = defineKernel<MixtureSampleVariant, SampleSizes>()({
  name: 'mixtureSample',
  bindings: () => [readOnly('head'), readWrite('samples'), uniform('shape', SampleShape), uniform('call', SampleCall, true)],
  source: ({ sigma, unrolled, family, degreesOfFreedom }) => mixtureSampleSource(sigma, unrolled, { family, degreesOfFreedom }),
  plan: (sizes, v) => {
    checkHeadShape('mixtureSample', v.unrolled, sizes.components, sizes.dims);
    return { uniforms: withSampleStrides(sizes, sizes.components * (1 + 2 * sizes.dims)), workgroups: elementwiseWorkgroups(sizes.rows * sizes.samplesPerRow, MIXTURE_SAMPLE_WORKGROUP) };
  },
});
