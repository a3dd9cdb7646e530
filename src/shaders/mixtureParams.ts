// Binding and dispatch of the mixture-parameter kernel (source in mixtureParams.wgsl.ts).
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import type { SigmaActivation } from './sigma.wgsl.js';
import { MIXTURE_PARAMS_WORKGROUP, mixtureParamsSource } from './mixtureParams.wgsl.js';
import { type HeadShape, checkHeadShape } from './unrolledHead.js';
import type { RowStrided } from './mixtureNll.js';

export interface MixtureParamsVariant {
  readonly sigma: SigmaActivation;
  /** K and D compiled in with every loop unrolled (unrolledHead picks it); null: loops over the uniforms. */
  readonly unrolled: HeadShape | null;
  /**
   * Values per component after the scales, copied as they are (full covariance: the Cholesky factor's entries
   * below its diagonal); default 0. Only the looping variant takes them.
   */
  readonly extraPerComponent?: number;
  /** What the values after the scales go through: copied as they are (default), or ν from its pre-activation (learned Student-t degrees of freedom). */
  readonly extraActivation?: 'degreesOfFreedom';
}

export const MixtureParamsShape = defineUniformStruct('MixtureParamsShape', {
  batch: 'u32',
  components: 'u32',
  dims: 'u32',
  /** ε of the elu1 σ activation (unused by the others). */
  sigmaEpsilon: 'f32',
  /** Floats from one row's head (and parameters, laid out alike) to the next's: more than the family's own with side outputs. */
  headStride: 'u32',
});

/** What a dispatch of the kernel takes: its uniform struct's values (the stride defaults to the family's own width). */
export type MixtureParamsSizes = RowStrided<UniformValues<typeof MixtureParamsShape>, 'headStride'>;

export const mixtureParams = defineKernel<MixtureParamsVariant, MixtureParamsSizes>()({
  name: 'mixtureParams',
  bindings: () => [readOnly('head'), readWrite('params'), uniform('shape', MixtureParamsShape)],
  source: ({ sigma, unrolled, extraPerComponent, extraActivation }) => mixtureParamsSource(sigma, unrolled, extraPerComponent ?? 0, extraActivation),
  plan: (sizes, v) => {
    checkHeadShape('mixtureParams', v.unrolled, sizes.components, sizes.dims);
    const natural = sizes.components * (1 + 2 * sizes.dims + (v.extraPerComponent ?? 0));
    return { uniforms: { ...sizes, headStride: sizes.headStride ?? natural }, workgroups: elementwiseWorkgroups(sizes.batch, MIXTURE_PARAMS_WORKGROUP) };
  },
});
