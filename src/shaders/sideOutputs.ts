// Binding and dispatch of the side-output kernels (source in sideOutputs.wgsl.ts): one for the loss, the
// log-density and the probabilities (per row), one for sampling (per draw, with the mixture sampler's per-call slot).
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { SampleCall } from './mixtureSample.js';
import { SIDE_OUTPUT_WORKGROUP, type SideOutputVariant, sideOutputsSource } from './sideOutputs.wgsl.js';

export type { SideOutputVariant, SideOutputMode } from './sideOutputs.wgsl.js';

export const SideShape = defineUniformStruct('SideShape', {
  rows: 'u32',
  headStride: 'u32',
  targetStride: 'u32',
  /** Multiplies every gradient (1 / batch for the mean loss). */
  gradScale: 'f32',
});

export type SideSizes = UniformValues<typeof SideShape>;

// The head, then what the mode reads and writes: targets with the gradient and loss, targets and log-densities, or parameters.
const rowBindings = ({ mode }: SideOutputVariant) => [
  readOnly('head'),
  ...(mode === 'probabilities' ? [optional(readWrite('params'))] : [optional(readOnly('targets'))]),
  ...(mode === 'loss' ? [optional(readWrite('headGrad')), optional(readWrite('sampleNll'))] : mode === 'logDensity' ? [optional(readWrite('logDensity'))] : []),
  uniform('shape', SideShape),
];

export const sideOutputs = defineKernel<SideOutputVariant, SideSizes>()({
  name: 'sideOutputs',
  bindings: rowBindings,
  source: sideOutputsSource,
  plan: (sizes, v) => {
    if (v.mode === 'sample') throw new Error('sideOutputs: sampling is sideOutputSample');
    return { uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.rows, SIDE_OUTPUT_WORKGROUP) };
  },
});

export const SideSampleShape = defineUniformStruct('SideSampleShape', {
  rows: 'u32',
  samplesPerRow: 'u32',
  headStride: 'u32',
  sampleStride: 'u32',
});

export type SideSampleSizes = UniformValues<typeof SideSampleShape>;

export const sideOutputSample = defineKernel<SideOutputVariant, SideSampleSizes>()({
  name: 'sideOutputSample',
  bindings: () => [readOnly('head'), readWrite('samples'), uniform('shape', SideSampleShape), uniform('call', SampleCall, true)],
  source: sideOutputsSource,
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.rows * sizes.samplesPerRow, SIDE_OUTPUT_WORKGROUP) }),
});
