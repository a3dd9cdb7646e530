// Binding and dispatch of the learned-ν Student-t NLL kernel (source in learnedStudentTNll.wgsl.ts): the diagonal
// kernel's uniform struct and bindings, so its head family records it with the same sizes.
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type MixtureSizes, mixtureNllBindings, withRowStrides } from './mixtureNll.js';
import { type LearnedStudentTVariant, learnedStudentTNllSource } from './learnedStudentTNll.wgsl.js';
import { DIAGONAL_NLL_WORKGROUP } from './diagonalNll.wgsl.js';

export const learnedStudentTNll = defineKernel<LearnedStudentTVariant, MixtureSizes>()({
  name: 'learnedStudentTNll',
  bindings: ({ withGradient }) => mixtureNllBindings(withGradient),
  source: learnedStudentTNllSource,
  plan: (sizes) => ({ uniforms: withRowStrides(sizes, sizes.components * (1 + 3 * sizes.dims)), workgroups: elementwiseWorkgroups(sizes.batch, DIAGONAL_NLL_WORKGROUP) }),
});
