// Binding and dispatch of the full-covariance mixture NLL kernel (source in fullCovarianceNll.wgsl.ts). It takes
// the diagonal kernel's uniform struct, so a head family records either with the same sizes.
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type MixtureSizes, mixtureNllBindings } from './mixtureNll.js';
import { FULL_COVARIANCE_WORKGROUP, type FullCovarianceVariant, fullCovarianceNllSource } from './fullCovarianceNll.wgsl.js';

export const fullCovarianceNll = defineKernel<FullCovarianceVariant, MixtureSizes>()({
  name: 'fullCovarianceNll',
  bindings: ({ withGradient }) => mixtureNllBindings(withGradient),
  source: fullCovarianceNllSource,
  plan: (sizes, v) => {
    if (sizes.dims !== v.dims) throw new Error(`fullCovarianceNll: compiled for D=${v.dims} but dispatched with D=${sizes.dims}`);
    return { uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.batch, FULL_COVARIANCE_WORKGROUP) };
  },
});
