// Student-t components with learned degrees of freedom (family 'student-t', degreesOfFreedom: 'learned'): per row
// K logits, K·D locations μ, K·D scale pre-activations (the σ activation) and K·D ν pre-activations, ν in
// (1.5, 100) per component and dimension (shaders/learnedDegreesOfFreedom.wgsl.ts). Its own NLL and sampling
// kernels (shaders/learnedStudentTNll.ts, learnedStudentTSample.ts); the diagonal families' mixture-parameter
// kernel, which gives ν after the scales. Reference: ../reference/learnedStudentT.ts.
import { learnedStudentTNll } from '../../shaders/learnedStudentTNll.js';
import { learnedStudentTSample } from '../../shaders/learnedStudentTSample.js';
import { mixtureParams } from '../../shaders/mixtureParams.js';
import type { MdnArchitecture } from '../architecture.js';
import { stage } from '../layers/layerKind.js';
import type { HeadFamily, LogDensityIo, LossIo, MixtureIo, SampleIo } from './headFamily.js';
import { rowStrides } from './sideOutputs.js';

const ownWidth = (a: MdnArchitecture) => a.components * (1 + 3 * a.outputDim);
const shapeOf = (a: MdnArchitecture, rows: number) => ({ batch: rows, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon });

export const learnedStudentT: HeadFamily = {
  family: 'student-t',
  // ν is a number of degrees of freedom, not a length: no target scale multiplies it.
  extraMixtureValues: (dims) => Array.from({ length: dims }, () => null),
  splitOptions: () => ({ family: 'student-t', learnedDegreesOfFreedom: true }),
  headWidth: ownWidth,
  loss: (a, training) =>
    stage(
      learnedStudentTNll,
      { sigma: a.sigma, withGradient: true },
      (rows) => ({ ...shapeOf(a, rows), ...rowStrides(a, ownWidth(a)), gradScale: 1 / rows, sigmaPenalty: training.sigmaPenalty, sigmaGradScale: training.freezeSigma ? 0 : 1 }),
      (io: LossIo) => ({ head: io.head, targets: io.targets, headGrad: io.headGrad, sampleNll: io.sampleNll }),
    ),
  mixture: (a) =>
    stage(
      mixtureParams,
      { sigma: a.sigma, unrolled: null, extraPerComponent: a.outputDim, extraActivation: 'degreesOfFreedom' },
      (rows) => ({ ...shapeOf(a, rows), headStride: rowStrides(a, ownWidth(a)).headStride }),
      (io: MixtureIo) => ({ head: io.head, params: io.params }),
    ),
  logDensity: (a) =>
    stage(
      learnedStudentTNll,
      { sigma: a.sigma, withGradient: false },
      (rows) => ({ ...shapeOf(a, rows), ...rowStrides(a, ownWidth(a)), gradScale: 1, sigmaPenalty: 0, sigmaGradScale: 1 }),
      (io: LogDensityIo) => ({ head: io.head, targets: io.targets, logDensity: io.logDensity }),
    ),
  sample: (a, samplesPerRow) =>
    stage(
      learnedStudentTSample,
      { sigma: a.sigma },
      (rows) => {
        const { headStride, targetStride } = rowStrides(a, ownWidth(a));
        return { rows, samplesPerRow, components: a.components, dims: a.outputDim, sigmaEpsilon: a.sigmaEpsilon, headStride, sampleStride: targetStride };
      },
      (io: SampleIo) => ({ head: io.head, samples: io.samples, call: io.call }),
    ),
};
