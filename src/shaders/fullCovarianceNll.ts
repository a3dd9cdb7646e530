// Binding and dispatch of the full-covariance mixture NLL kernel (source in fullCovarianceNll.wgsl.ts). It takes
// the diagonal kernel's uniform struct, so a head family records either with the same sizes.
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type MixtureSizes, mixtureNllBindings, withRowStrides } from './mixtureNll.js';
import { FULL_COVARIANCE_WORKGROUP, type FullCovarianceVariant, fullCovarianceNllSource } from './fullCovarianceNll.wgsl.js';

export const fullCovarianceNll = defineKernel<FullCovarianceVariant, MixtureSizes>()({
  name: 'fullCovarianceNll',
  bindings: ({ withGradient }) => mixtureNllBindings(withGradient),
  source: fullCovarianceNllSource,
  plan: (sizes, v) => {
    if (sizes.dims !== v.dims) throw new Error(`fullCovarianceNll: compiled for D=${v.dims} but dispatched with D=${sizes.dims}`);
    const D = sizes.dims;
    return { uniforms: withRowStrides(sizes, sizes.components * (1 + 2 * D + (D * (D - 1)) / 2)), workgroups: elementwiseWorkgroups(sizes.batch, FULL_COVARIANCE_WORKGROUP) };
  },
});
