// Von Mises components ('von-mises') for targets that are angles in radians: per row K logits, K·D mean
// directions μ and K·D scale pre-activations, the concentration κ = 1/σ² with σ from the σ activation (so a
// concentrated component is a Gaussian of standard deviation σ, and sigmaTemperature τ multiplies σ: 1/κ by τ²).
// Its own NLL and sampling kernels (shaders/vonMisesNll.ts, vonMisesSample.ts); the diagonal families'
// mixture-parameter kernel (π, μ, σ). Targets are never scaled: scaling would break the circle.
// Reference: ../reference/vonMises.ts.
import { vonMisesNll } from '../../shaders/vonMisesNll.js';
import { vonMisesSample } from '../../shaders/vonMisesSample.js';
import { unrolledHead } from '../../shaders/unrolledHead.js';
import type { HeadFamily } from './headFamily.js';
import { ownKernelStages } from './ownKernels.js';

export const vonMises: HeadFamily = {
  family: 'von-mises',
  splitOptions: () => ({ family: 'von-mises' }),
  ...ownKernelStages({
    ownWidth: (a) => a.components * (1 + 2 * a.outputDim),
    nll: vonMisesNll,
    nllVariant: (a) => ({ sigma: a.sigma }),
    sample: vonMisesSample,
    sampleVariant: (a) => ({ sigma: a.sigma }),
    mixtureVariant: (a) => ({ sigma: a.sigma, unrolled: unrolledHead(a.components, a.outputDim) }),
  }),
};
