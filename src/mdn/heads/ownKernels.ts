// The stages of a head family with NLL and sampling kernels of its own (full covariance, learned-ν Student-t,
// von Mises): the NLL kernel with and without its gradient for the loss and the log-density, the shared
// mixture-parameter kernel, and the sampler, each with the row strides of a head that may carry side outputs.
import type { KernelDefinition } from '../../runtime/kernel.js';
import type { MixtureSizes } from '../../shaders/mixtureNll.js';
import { type MixtureParamsVariant, mixtureParams } from '../../shaders/mixtureParams.js';
import type { SampleSizes } from '../../shaders/mixtureSample.js';
import type { MdnArchitecture } from '../architecture.js';
import { stage } from '../layers/layerKind.js';
import type { HeadFamily, LogDensityIo, LossIo, MixtureIo, SampleIo } from './headFamily.js';
import { rowStrides } from './sideOutputs.js';

export interface OwnKernels<NllVariant, SampleVariant> {
  /** Raw head outputs per row of the family itself. */
  readonly ownWidth: (a: MdnArchitecture) => number;
  readonly nll: KernelDefinition<NllVariant & { readonly withGradient: boolean }, MixtureSizes>;
  readonly nllVariant: (a: MdnArchitecture) => NllVariant;
  readonly sample: KernelDefinition<SampleVariant, SampleSizes>;
  readonly sampleVariant: (a: MdnArchitecture) => SampleVariant;
  /** How the shared mixture-parameter kernel reads this family's rows (its values after the scales). */
  readonly mixtureVariant: (a: MdnArchitecture) => MixtureParamsVariant;
}

export function ownKernelStages<N, S>(k: OwnKernels<N, S>): Pick<HeadFamily, 'headWidth' | 'loss' | 'mixture' | 'logDensity' | 'sample'> {
  const shapeOf = (a: MdnArchitecture, rows: number) => ({ batch: rows, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon });
  const nllShapeOf = (a: MdnArchitecture, rows: number) => ({ ...shapeOf(a, rows), ...rowStrides(a, k.ownWidth(a)) });
  return {
    headWidth: k.ownWidth,
    loss: (a, training) =>
      stage(
        k.nll,
        { ...k.nllVariant(a), withGradient: true },
        (rows) => ({ ...nllShapeOf(a, rows), gradScale: 1 / rows, sigmaPenalty: training.sigmaPenalty, sigmaGradScale: training.freezeSigma ? 0 : 1 }),
        (io: LossIo) => ({ head: io.head, targets: io.targets, headGrad: io.headGrad, sampleNll: io.sampleNll }),
      ),
    mixture: (a) =>
      stage(mixtureParams, k.mixtureVariant(a), (rows) => ({ ...shapeOf(a, rows), headStride: rowStrides(a, k.ownWidth(a)).headStride }), (io: MixtureIo) => ({
        head: io.head,
        params: io.params,
      })),
    logDensity: (a) =>
      stage(
        k.nll,
        { ...k.nllVariant(a), withGradient: false },
        (rows) => ({ ...nllShapeOf(a, rows), gradScale: 1, sigmaPenalty: 0, sigmaGradScale: 1 }),
        (io: LogDensityIo) => ({ head: io.head, targets: io.targets, logDensity: io.logDensity }),
      ),
    sample: (a, samplesPerRow) =>
      stage(
        k.sample,
        k.sampleVariant(a),
        (rows) => {
          const { headStride, targetStride } = rowStrides(a, k.ownWidth(a));
          return { rows, samplesPerRow, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon, headStride, sampleStride: targetStride };
        },
        (io: SampleIo) => ({ head: io.head, samples: io.samples, call: io.call }),
      ),
  };
}
