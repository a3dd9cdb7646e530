// Von Mises components ('von-mises') for targets that are angles in radians: per row K logits, K·D mean
// directions μ and K·D scale pre-activations, the concentration κ = 1/σ² with σ from the σ activation (so a
// concentrated component is a Gaussian of standard deviation σ, and sigmaTemperature τ multiplies σ: 1/κ by τ²).
// Its own NLL and sampling kernels (shaders/vonMisesNll.ts, vonMisesSample.ts); the diagonal families'
// mixture-parameter kernel (π, μ, σ). Targets are never scaled: scaling would break the circle.
// Reference: ../reference/vonMises.ts.
import { vonMisesNll } from '../../shaders/vonMisesNll.js';
import { vonMisesSample } from '../../shaders/vonMisesSample.js';
import { mixtureParams } from '../../shaders/mixtureParams.js';
import { unrolledHead } from '../../shaders/unrolledHead.js';
import type { MdnArchitecture } from '../architecture.js';
import { stage } from '../layers/layerKind.js';
import type { HeadFamily, LogDensityIo, LossIo, MixtureIo, SampleIo } from './headFamily.js';
import { rowStrides } from './sideOutputs.js';

const ownWidth = (a: MdnArchitecture) => a.components * (1 + 2 * a.outputDim);
const shapeOf = (a: MdnArchitecture, rows: number) => ({ batch: rows, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon });

export const vonMises: HeadFamily = {
  family: 'von-mises',
  splitOptions: () => ({ family: 'von-mises' }),
  headWidth: ownWidth,
  loss: (a, training) =>
    stage(
      vonMisesNll,
      { sigma: a.sigma, withGradient: true },
      (rows) => ({ ...shapeOf(a, rows), ...rowStrides(a, ownWidth(a)), gradScale: 1 / rows, sigmaPenalty: training.sigmaPenalty, sigmaGradScale: training.freezeSigma ? 0 : 1 }),
      (io: LossIo) => ({ head: io.head, targets: io.targets, headGrad: io.headGrad, sampleNll: io.sampleNll }),
    ),
  mixture: (a) =>
    stage(
      mixtureParams,
      { sigma: a.sigma, unrolled: unrolledHead(a.components, a.outputDim) },
      (rows) => ({ ...shapeOf(a, rows), headStride: rowStrides(a, ownWidth(a)).headStride }),
      (io: MixtureIo) => ({ head: io.head, params: io.params }),
    ),
  logDensity: (a) =>
    stage(
      vonMisesNll,
      { sigma: a.sigma, withGradient: false },
      (rows) => ({ ...shapeOf(a, rows), ...rowStrides(a, ownWidth(a)), gradScale: 1, sigmaPenalty: 0, sigmaGradScale: 1 }),
      (io: LogDensityIo) => ({ head: io.head, targets: io.targets, logDensity: io.logDensity }),
    ),
  sample: (a, samplesPerRow) =>
    stage(
      vonMisesSample,
      { sigma: a.sigma },
      (rows) => {
        const { headStride, targetStride } = rowStrides(a, ownWidth(a));
        return { rows, samplesPerRow, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon, headStride, sampleStride: targetStride };
      },
      (io: SampleIo) => ({ head: io.head, samples: io.samples, call: io.call }),
    ),
};
