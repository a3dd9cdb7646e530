// The error of a model file that cannot be read.
import { MixdenError } from '../../runtime/errors.js';

/** A model file that cannot be read: the message says what is wrong with it. */
export class ModelFormatError extends MixdenError {}
