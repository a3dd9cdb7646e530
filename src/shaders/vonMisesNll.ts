// Binding and dispatch of the von Mises NLL kernel (source in vonMisesNll.wgsl.ts): the diagonal kernel's uniform
// struct and bindings, so its head family records it with the same sizes.
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type MixtureSizes, mixtureNllBindings, withRowStrides } from './mixtureNll.js';
import { type VonMisesVariant, vonMisesNllSource } from './vonMisesNll.wgsl.js';
import { DIAGONAL_NLL_WORKGROUP } from './diagonalNll.wgsl.js';

export const vonMisesNll = defineKernel<VonMisesVariant, MixtureSizes>()({
  name: 'vonMisesNll',
  bindings: ({ withGradient }) => mixtureNllBindings(withGradient),
  source: vonMisesNllSource,
  plan: (sizes) => ({ uniforms: withRowStrides(sizes, sizes.components * (1 + 2 * sizes.dims)), workgroups: elementwiseWorkgroups(sizes.batch, DIAGONAL_NLL_WORKGROUP) }),
});
