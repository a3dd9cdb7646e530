// Mixtures of Gaussians with full covariance ('gaussian-full'): per row K logits, K·D means, K·D pre-activations of
// the Cholesky factor's diagonal (through the σ activation) and its K·D(D−1)/2 entries below the diagonal, free.
// Its own NLL and sampling kernels (D compiled in: shaders/fullCovarianceNll.ts, fullCovarianceSample.ts); the
// diagonal families' mixture-parameter kernel, which copies the below-diagonal entries after the scales.
// Reference: ../reference/fullCovariance.ts.
import { fullCovarianceNll } from '../../shaders/fullCovarianceNll.js';
import { lowerCount } from '../../shaders/fullCovarianceNll.wgsl.js';
import { fullCovarianceSample } from '../../shaders/fullCovarianceSample.js';
import { InvalidArgumentError } from '../../runtime/errors.js';
import type { HeadFamily } from './headFamily.js';
import { ownKernelStages } from './ownKernels.js';

/** Most output dimensions a full-covariance head takes: each invocation keeps three D-vectors in registers. */
export const MAX_FULL_COVARIANCE_DIMS = 32;

export const gaussianFull: HeadFamily = {
  family: 'gaussian-full',
  validate: ({ outputDim }) => {
    if (outputDim === 1) throw new InvalidArgumentError("family 'gaussian-full' with outputDim 1 is family 'gaussian' (one dimension has no correlations): use that");
    if (outputDim > MAX_FULL_COVARIANCE_DIMS) throw new InvalidArgumentError(`family 'gaussian-full' takes outputDim up to ${MAX_FULL_COVARIANCE_DIMS}, got ${outputDim}`);
  },
  // Entry (i, j) of L scales with target i: diag(s) L is the factor of diag(s) Σ diag(s).
  extraMixtureValues: (dims) => Array.from({ length: dims }, (_, i) => Array.from({ length: i }, () => i)).flat(),
  splitOptions: (a) => ({ lowerPerComponent: lowerCount(a.outputDim) }),
  ...ownKernelStages({
    ownWidth: (a) => a.components * (1 + 2 * a.outputDim + lowerCount(a.outputDim)),
    nll: fullCovarianceNll,
    nllVariant: (a) => ({ sigma: a.sigma, dims: a.outputDim }),
    sample: fullCovarianceSample,
    sampleVariant: (a) => ({ sigma: a.sigma, dims: a.outputDim }),
    mixtureVariant: (a) => ({ sigma: a.sigma, unrolled: null, extraPerComponent: lowerCount(a.outputDim) }),
  }),
};
