// The diagonal mixtures of location-scale families: per row K logits, K·D locations μ and K·D scale
// pre-activations (the scale from the chosen σ activation), each dimension of a component the family's standard
// density shifted by μ and scaled by σ. Gaussian (the default), Laplace and Student-t (ν fixed by the model) share every kernel
// (src/shaders/mixtureNll.ts, mixtureParams.ts, mixtureSample.ts, each compiled with K and D unrolled where the
// head is small) and differ only in the density snippet compiled in (shaders/componentDensity.wgsl.ts).
// Reference: ../reference/mixture.ts, through ../reference/heads.ts.
import type { ComponentDensity } from '../../shaders/componentDensity.wgsl.js';
import { mixtureNll } from '../../shaders/mixtureNll.js';
import { mixtureParams } from '../../shaders/mixtureParams.js';
import { mixtureSample } from '../../shaders/mixtureSample.js';
import { unrolledHead } from '../../shaders/unrolledHead.js';
import type { MdnArchitecture } from '../architecture.js';
import { headWidthOf } from './gaussianShape.js';
import { stage } from '../layers/layerKind.js';
import type { HeadFamily, LogDensityIo, LossIo, MixtureIo, SampleIo } from './headFamily.js';
import { rowStrides } from './sideOutputs.js';

function locationScaleFamily(family: ComponentDensity): HeadFamily {
  // Gaussian variants carry no family key, so their kernels keep the labels and cache keys they always had.
  // Fixed ν only: a model with learned ν has its own head family (./learnedStudentT.ts).
  const familyKey = (a: MdnArchitecture) => (family === 'gaussian' ? {} : family === 'student-t' ? { family, degreesOfFreedom: a.degreesOfFreedom as number } : { family });
  const variantOf = (a: MdnArchitecture) => ({ ...familyKey(a), sigma: a.sigma, unrolled: unrolledHead(a.components, a.outputDim) });
  const shapeOf = (a: MdnArchitecture, rows: number) => ({ batch: rows, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon });
  const strides = (a: MdnArchitecture) => rowStrides(a, headWidthOf(a.components, a.outputDim));
  return {
    family,
    headWidth: (a) => headWidthOf(a.components, a.outputDim),
    splitOptions: (a) => ({ family, ...(family === 'student-t' ? { degreesOfFreedom: a.degreesOfFreedom as number } : {}) }),
    loss: (a, training) =>
      stage(
        mixtureNll,
        { ...variantOf(a), withGradient: true },
        (rows) => ({ ...shapeOf(a, rows), ...strides(a), gradScale: 1 / rows, sigmaPenalty: training.sigmaPenalty, sigmaGradScale: training.freezeSigma ? 0 : 1 }),
        (io: LossIo) => ({ head: io.head, targets: io.targets, headGrad: io.headGrad, sampleNll: io.sampleNll }),
      ),
    // Mixture parameters do not depend on the family: π, μ and the scale.
    mixture: (a) => stage(mixtureParams, { sigma: a.sigma, unrolled: unrolledHead(a.components, a.outputDim) }, (rows) => ({ ...shapeOf(a, rows), headStride: strides(a).headStride }), (io: MixtureIo) => ({ head: io.head, params: io.params })),
    logDensity: (a) =>
      stage(
        mixtureNll,
        { ...variantOf(a), withGradient: false },
        (rows) => ({ ...shapeOf(a, rows), ...strides(a), gradScale: 1, sigmaPenalty: 0, sigmaGradScale: 1 }),
        (io: LogDensityIo) => ({ head: io.head, targets: io.targets, logDensity: io.logDensity }),
      ),
    sample: (a, samplesPerRow) =>
      stage(
        mixtureSample,
        variantOf(a),
        (rows) => ({ rows, samplesPerRow, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon, headStride: strides(a).headStride, sampleStride: strides(a).targetStride }),
        (io: SampleIo) => ({ head: io.head, samples: io.samples, call: io.call }),
      ),
  };
}

export const gaussian = locationScaleFamily('gaussian');
export const laplace = locationScaleFamily('laplace');
export const studentT = locationScaleFamily('student-t');
