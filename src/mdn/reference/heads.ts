// The float64 loss of each head family, for the whole-network reference (./network.ts). Kept out of the head
// family modules so that what mixden/inference bundles carries no CPU special functions (log-gamma).
import { type MdnArchitecture, headOf } from '../architecture.js';
import { rowStrides, sideOutputsOf } from '../heads/sideOutputs.js';
import { mixtureNll } from './mixture.js';
import { fullCovarianceNll } from './fullCovariance.js';
import { sideOutputsNll } from './sideOutputs.js';
import { learnedStudentTNll } from './learnedStudentT.js';
import { vonMisesNll } from './vonMises.js';

export interface HeadReference {
  /** Per-row loss and the gradient of each row's loss at the raw head (not divided by the rows). */
  loss(architecture: MdnArchitecture, head: ArrayLike<number>, targets: ArrayLike<number>, rows: number, sigmaPenalty: number): { sampleNll: Float64Array; headGrad: Float64Array };
}

// The diagonal location-scale families share one reference, parametrised by the family.
const locationScale: HeadReference = {
  loss: (a, head, targets, rows, sigmaPenalty) =>
    mixtureNll(head, targets, {
      batch: rows,
      components: a.components,
      dims: a.outputDim,
      sigma: a.sigma,
      sigmaEpsilon: a.sigmaEpsilon,
      sigmaPenalty,
      family: (a.family ?? 'gaussian') as 'gaussian' | 'laplace' | 'student-t',
      ...(a.degreesOfFreedom === undefined ? {} : { degreesOfFreedom: a.degreesOfFreedom as number }),
    }),
};

const fullCovariance: HeadReference = {
  loss: (a, head, targets, rows, sigmaPenalty) =>
    fullCovarianceNll(head, targets, { batch: rows, components: a.components, dims: a.outputDim, sigma: a.sigma, sigmaEpsilon: a.sigmaEpsilon, sigmaPenalty }),
};

const vonMises: HeadReference = {
  loss: (a, head, targets, rows, sigmaPenalty) => vonMisesNll(head, targets, { batch: rows, components: a.components, dims: a.outputDim, sigma: a.sigma, sigmaEpsilon: a.sigmaEpsilon, sigmaPenalty }),
};

const REFERENCES: Record<string, HeadReference> = { gaussian: locationScale, 'gaussian-full': fullCovariance, laplace: locationScale, 'student-t': locationScale, 'von-mises': vonMises };

const learnedStudentT: HeadReference = {
  loss: (a, head, targets, rows, sigmaPenalty) =>
    learnedStudentTNll(head, targets, { batch: rows, components: a.components, dims: a.outputDim, sigma: a.sigma, sigmaEpsilon: a.sigmaEpsilon, sigmaPenalty }),
};

/** The float64 reference of a model's head family. */
export function headReferenceOf(architecture: MdnArchitecture): HeadReference {
  if (architecture.family === 'student-t' && architecture.degreesOfFreedom === 'learned') return learnedStudentT;
  const reference = REFERENCES[architecture.family ?? 'gaussian'];
  if (!reference) throw new Error(`no float64 reference for head family '${architecture.family}'`);
  return reference;
}

/**
 * A model's whole head loss: its family's on the family's own outputs and the D continuous targets, plus the side
 * outputs' cross-entropy. `head` rows are headWidth(arch) wide and `targets` rows targetWidth(arch); the gradient
 * comes in head rows.
 */
export function headLoss(arch: MdnArchitecture, head: ArrayLike<number>, targets: ArrayLike<number>, rows: number, sigmaPenalty: number): { sampleNll: Float64Array; headGrad: Float64Array } {
  const sides = sideOutputsOf(arch);
  const family = headReferenceOf(arch);
  if (sides.length === 0) return family.loss(arch, head, targets, rows, sigmaPenalty);
  const own = headOf(arch).headWidth(arch);
  const D = arch.outputDim;
  const { headStride, targetStride } = rowStrides(arch, own);
  const ownHead = Float64Array.from({ length: rows * own }, (_, i) => head[Math.floor(i / own) * headStride + (i % own)]);
  const continuous = Float64Array.from({ length: rows * D }, (_, i) => targets[Math.floor(i / D) * targetStride + (i % D)]);
  const mixture = family.loss(arch, ownHead, continuous, rows, sigmaPenalty);
  const side = sideOutputsNll(sides, head, targets, rows, { headOffset: own, headStride, targetOffset: D, targetStride });
  for (let r = 0; r < rows; r++) {
    side.sampleNll[r] += mixture.sampleNll[r];
    for (let c = 0; c < own; c++) side.headGrad[r * headStride + c] = mixture.headGrad[r * own + c];
  }
  return side;
}
