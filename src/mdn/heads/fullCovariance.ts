// Mixtures of Gaussians with full covariance ('gaussian-full'): per row K logits, K·D means, K·D pre-activations of
// the Cholesky factor's diagonal (through the σ activation) and its K·D(D−1)/2 entries below the diagonal, free.
// Its own NLL and sampling kernels (D compiled in: shaders/fullCovarianceNll.ts, fullCovarianceSample.ts); the
// diagonal families' mixture-parameter kernel, which copies the below-diagonal entries after the scales.
// Reference: ../reference/fullCovariance.ts.
import { fullCovarianceNll } from '../../shaders/fullCovarianceNll.js';
import { lowerCount } from '../../shaders/fullCovarianceNll.wgsl.js';
import { fullCovarianceSample } from '../../shaders/fullCovarianceSample.js';
import { mixtureParams } from '../../shaders/mixtureParams.js';
import type { MdnArchitecture } from '../architecture.js';
import { stage } from '../layers/layerKind.js';
import { InvalidArgumentError } from '../../runtime/errors.js';
import type { HeadFamily, LogDensityIo, LossIo, MixtureIo, SampleIo } from './headFamily.js';
import { rowStrides } from './sideOutputs.js';

/** Most output dimensions a full-covariance head takes: each invocation keeps three D-vectors in registers. */
export const MAX_FULL_COVARIANCE_DIMS = 32;

const ownWidth = (a: MdnArchitecture) => a.components * (1 + 2 * a.outputDim + lowerCount(a.outputDim));
const shapeOf = (a: MdnArchitecture, rows: number) => ({ batch: rows, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon });
const nllShapeOf = (a: MdnArchitecture, rows: number) => ({ ...shapeOf(a, rows), ...rowStrides(a, ownWidth(a)) });

export const gaussianFull: HeadFamily = {
  family: 'gaussian-full',
  validate: ({ outputDim }) => {
    if (outputDim === 1) throw new InvalidArgumentError("family 'gaussian-full' with outputDim 1 is family 'gaussian' (one dimension has no correlations): use that");
    if (outputDim > MAX_FULL_COVARIANCE_DIMS) throw new InvalidArgumentError(`family 'gaussian-full' takes outputDim up to ${MAX_FULL_COVARIANCE_DIMS}, got ${outputDim}`);
  },
  // Entry (i, j) of L scales with target i: diag(s) L is the factor of diag(s) Σ diag(s).
  extraMixtureValues: (dims) => Array.from({ length: dims }, (_, i) => Array.from({ length: i }, () => i)).flat(),
  splitOptions: (a) => ({ lowerPerComponent: lowerCount(a.outputDim) }),
  headWidth: ownWidth,
  loss: (a, training) =>
    stage(
      fullCovarianceNll,
      { sigma: a.sigma, dims: a.outputDim, withGradient: true },
      (rows) => ({ ...nllShapeOf(a, rows), gradScale: 1 / rows, sigmaPenalty: training.sigmaPenalty, sigmaGradScale: training.freezeSigma ? 0 : 1 }),
      (io: LossIo) => ({ head: io.head, targets: io.targets, headGrad: io.headGrad, sampleNll: io.sampleNll }),
    ),
  mixture: (a) =>
    stage(mixtureParams, { sigma: a.sigma, unrolled: null, extraPerComponent: lowerCount(a.outputDim) }, (rows) => ({ ...shapeOf(a, rows), headStride: rowStrides(a, ownWidth(a)).headStride }), (io: MixtureIo) => ({ head: io.head, params: io.params })),
  logDensity: (a) =>
    stage(
      fullCovarianceNll,
      { sigma: a.sigma, dims: a.outputDim, withGradient: false },
      (rows) => ({ ...nllShapeOf(a, rows), gradScale: 1, sigmaPenalty: 0, sigmaGradScale: 1 }),
      (io: LogDensityIo) => ({ head: io.head, targets: io.targets, logDensity: io.logDensity }),
    ),
  sample: (a, samplesPerRow) =>
    stage(
      fullCovarianceSample,
      { sigma: a.sigma, dims: a.outputDim },
      (rows) => {
        const { headStride, targetStride } = rowStrides(a, ownWidth(a));
        return { rows, samplesPerRow, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon, headStride, sampleStride: targetStride };
      },
      (io: SampleIo) => ({ head: io.head, samples: io.samples, call: io.call }),
    ),
};
