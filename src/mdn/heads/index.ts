// Every mixture head family, by name: the one list to extend when a family is added (see docs/architecture.md).
import { InvalidArgumentError } from '../../runtime/errors.js';
import { gaussian, laplace, studentT } from './locationScale.js';
import { gaussianFull } from './fullCovariance.js';
import { vonMises } from './vonMises.js';
import type { HeadFamily } from './headFamily.js';
import { learnedStudentT } from './learnedStudentT.js';
import type { MdnArchitecture } from '../architecture.js';

export type { HeadFamily, HeadTraining, LossIo, MixtureIo, LogDensityIo, SampleIo } from './headFamily.js';

const FAMILIES: readonly HeadFamily[] = [gaussian, gaussianFull, laplace, studentT, vonMises];

/** The names createMdn's `family` takes. */
export type HeadFamilyName = 'gaussian' | 'gaussian-full' | 'laplace' | 'student-t' | 'von-mises';

/** Names of the head families. */
export const HEAD_FAMILIES: readonly string[] = FAMILIES.map((f) => f.family);

/** The head family called `family`; throws InvalidArgumentError for an unknown one. */
export function headFamilyOf(family: string): HeadFamily {
  const found = FAMILIES.find((f) => f.family === family);
  if (!found) throw new InvalidArgumentError(`family must be one of ${HEAD_FAMILIES.join(', ')}, got ${JSON.stringify(family)}`);
  return found;
}

/** The head family of a model: its `family` ('gaussian' by default), Student-t with learned ν where it says so. */
export function headFamilyFor(architecture: Pick<MdnArchitecture, 'family' | 'degreesOfFreedom'>): HeadFamily {
  if (architecture.family === 'student-t' && architecture.degreesOfFreedom === 'learned') return learnedStudentT;
  return headFamilyOf(architecture.family ?? 'gaussian');
}
