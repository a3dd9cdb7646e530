// Binding and dispatch of the fused mixture NLL kernel (source in mixtureNll.wgsl.ts).
import { readOnly, readWrite, uniform, optional } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { MIXTURE_WORKGROUP, type MixtureVariant, mixtureNllSource } from './mixtureNll.wgsl.js';
import { checkHeadShape } from './unrolledHead.js';

export const MixtureShape = defineUniformStruct('MixtureShape', {
  batch: 'u32',
  components: 'u32',
  dims: 'u32',
  /** Multiplies every gradient (1 / batch for the mean NLL). */
  gradScale: 'f32',
  /** ε of the elu1 σ activation (unused by the others). */
  sigmaEpsilon: 'f32',
  /** λ of the L2 penalty λ Σ s² on the σ pre-activations, added to each row's loss (gradient variant only). */
  sigmaPenalty: 'f32',
  /** Multiplies the σ pre-activation gradients: 1 normally, 0 to hold σ fixed (a regression trained by MSE). */
  sigmaGradScale: 'f32',
  /** Floats from one row's head (and gradient) to the next's: the family's own width, more with side outputs after it. */
  headStride: 'u32',
  /** Floats from one row's targets to the next's: D, more with side outputs' columns after them. */
  targetStride: 'u32',
});

/** What a dispatch of the kernel takes: its uniform struct's values, the row strides defaulting to a row of the family alone. */
export type MixtureSizes = RowStrided<UniformValues<typeof MixtureShape>, 'headStride' | 'targetStride'>;

/** Uniform values whose row strides may be left out (they default to the natural width). */
export type RowStrided<V, Stride extends keyof V> = Omit<V, Stride> & Partial<Pick<V, Stride>>;

/** The uniforms of a mixture NLL dispatch: `sizes` with any missing stride set to a row of `headWidth` floats and D targets. */
export const withRowStrides = (sizes: MixtureSizes, headWidth: number) => ({ ...sizes, headStride: sizes.headStride ?? headWidth, targetStride: sizes.targetStride ?? sizes.dims });

/**
 * The bindings of a mixture NLL kernel (this one and the full-covariance one): the raw head and the targets; in
 * training the head's gradient and each row's NLL, in inference each row's log-density; the shape.
 */
export const mixtureNllBindings = (withGradient: boolean) => [
  readOnly('head'),
  readOnly('targets'),
  ...(withGradient ? [optional(readWrite('headGrad')), optional(readWrite('sampleNll'))] : [optional(readWrite('logDensity'))]),
  uniform('shape', MixtureShape),
];

export const mixtureNll = defineKernel<MixtureVariant, MixtureSizes>()({
  name: 'mixtureNll',
  bindings: ({ withGradient }) => mixtureNllBindings(withGradient),
  source: mixtureNllSource,
  plan: (sizes, v) => {
    checkHeadShape('mixtureNll', v.unrolled, sizes.components, sizes.dims);
    return { uniforms: withRowStrides(sizes, sizes.components * (1 + 2 * sizes.dims)), workgroups: elementwiseWorkgroups(sizes.batch, MIXTURE_WORKGROUP) };
  },
});
