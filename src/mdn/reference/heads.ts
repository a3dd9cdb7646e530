// The float64 loss of each head family, for the whole-network reference (./network.ts). Kept out of the head
// family modules so that what mixden/inference bundles carries no CPU special functions (log-gamma).
import type { MdnArchitecture } from '../architecture.js';
import { mixtureNll } from './mixture.js';
import { fullCovarianceNll } from './fullCovariance.js';

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
      ...(a.degreesOfFreedom === undefined ? {} : { degreesOfFreedom: a.degreesOfFreedom }),
    }),
};

const fullCovariance: HeadReference = {
  loss: (a, head, targets, rows, sigmaPenalty) =>
    fullCovarianceNll(head, targets, { batch: rows, components: a.components, dims: a.outputDim, sigma: a.sigma, sigmaEpsilon: a.sigmaEpsilon, sigmaPenalty }),
};

const REFERENCES: Record<string, HeadReference> = { gaussian: locationScale, 'gaussian-full': fullCovariance, laplace: locationScale, 'student-t': locationScale };

/** The float64 reference of a model's head family. */
export function headReferenceOf(architecture: MdnArchitecture): HeadReference {
  const reference = REFERENCES[architecture.family ?? 'gaussian'];
  if (!reference) throw new Error(`no float64 reference for head family '${architecture.family}'`);
  return reference;
}
