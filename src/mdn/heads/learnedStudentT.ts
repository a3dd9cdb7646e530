// Student-t components with learned degrees of freedom (family 'student-t', degreesOfFreedom: 'learned'): per row
// K logits, K·D locations μ, K·D scale pre-activations (the σ activation) and K·D ν pre-activations, ν in
// (1.5, 100) per component and dimension (shaders/learnedDegreesOfFreedom.wgsl.ts). Its own NLL and sampling
// kernels (shaders/learnedStudentTNll.ts, learnedStudentTSample.ts); the diagonal families' mixture-parameter
// kernel, which gives ν after the scales. Reference: ../reference/learnedStudentT.ts.
import { learnedStudentTNll } from '../../shaders/learnedStudentTNll.js';
import { learnedStudentTSample } from '../../shaders/learnedStudentTSample.js';
import type { HeadFamily } from './headFamily.js';
import { ownKernelStages } from './ownKernels.js';

export const learnedStudentT: HeadFamily = {
  family: 'student-t',
  // ν is a number of degrees of freedom, not a length: no target scale multiplies it.
  extraMixtureValues: (dims) => Array.from({ length: dims }, () => null),
  splitOptions: () => ({ family: 'student-t', learnedDegreesOfFreedom: true }),
  ...ownKernelStages({
    ownWidth: (a) => a.components * (1 + 3 * a.outputDim),
    nll: learnedStudentTNll,
    nllVariant: (a) => ({ sigma: a.sigma }),
    sample: learnedStudentTSample,
    sampleVariant: (a) => ({ sigma: a.sigma }),
    mixtureVariant: (a) => ({ sigma: a.sigma, unrolled: null, extraPerComponent: a.outputDim, extraActivation: 'degreesOfFreedom' }),
  }),
};
