// The diagonal Gaussian mixture head: K logits, K·D means, K·D σ pre-activations per row; σ from the chosen
// activation. Kernels: src/shaders/mixtureNll.ts, mixtureParams.ts, mixtureSample.ts (each compiled with K and
// D unrolled where the head is small, see shaders/unrolledHead.ts); reference: ../reference/mixture.ts.
import { mixtureNll } from '../../shaders/mixtureNll.js';
import { mixtureParams } from '../../shaders/mixtureParams.js';
import { mixtureSample } from '../../shaders/mixtureSample.js';
import { unrolledHead } from '../../shaders/unrolledHead.js';
import type { MdnArchitecture } from '../architecture.js';
import { mixtureNll as mixtureNllReference } from '../reference/mixture.js';
import { headWidthOf } from './gaussianShape.js';
import { stage } from '../layers/layerKind.js';
import type { HeadFamily, LogDensityIo, LossIo, MixtureIo, SampleIo } from './headFamily.js';

const variantOf = (a: MdnArchitecture) => ({ sigma: a.sigma, unrolled: unrolledHead(a.components, a.outputDim) });
const shapeOf = (a: MdnArchitecture, rows: number) => ({ batch: rows, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon });

export const gaussian: HeadFamily = {
  family: 'gaussian',
  headWidth: (a) => headWidthOf(a.components, a.outputDim),
  mixtureWidth: (a) => headWidthOf(a.components, a.outputDim),
  loss: (a, training) =>
    stage(
      mixtureNll,
      { ...variantOf(a), withGradient: true },
      (rows) => ({ ...shapeOf(a, rows), gradScale: 1 / rows, sigmaPenalty: training.sigmaPenalty, sigmaGradScale: training.freezeSigma ? 0 : 1 }),
      (io: LossIo) => ({ head: io.head, targets: io.targets, headGrad: io.headGrad, sampleNll: io.sampleNll }),
    ),
  mixture: (a) => stage(mixtureParams, variantOf(a), (rows) => shapeOf(a, rows), (io: MixtureIo) => ({ head: io.head, params: io.params })),
  logDensity: (a) =>
    stage(
      mixtureNll,
      { ...variantOf(a), withGradient: false },
      (rows) => ({ ...shapeOf(a, rows), gradScale: 1, sigmaPenalty: 0, sigmaGradScale: 1 }),
      (io: LogDensityIo) => ({ head: io.head, targets: io.targets, logDensity: io.logDensity }),
    ),
  sample: (a, samplesPerRow) =>
    stage(
      mixtureSample,
      variantOf(a),
      (rows) => ({ rows, samplesPerRow, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon }),
      (io: SampleIo) => ({ head: io.head, samples: io.samples, call: io.call }),
    ),
  reference: {
    loss: (a, head, targets, rows, sigmaPenalty) =>
      mixtureNllReference(head, targets, { batch: rows, components: a.components, dims: a.outputDim, sigma: a.sigma, sigmaEpsilon: a.sigmaEpsilon, sigmaPenalty }),
  },
};
