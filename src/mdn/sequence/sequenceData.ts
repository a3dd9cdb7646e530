// Sequences as the GPU trains on them. A sequence is its steps' target rows (outputDim continuous values, then one
// class per side output) and, for a conditioned model, conditionDim values held over the whole sequence. The model
// is autoregressive: step t's input is step t − 1's target row (zeros at the first step) followed by the
// condition. For training, sequences are cut into windows of at most `window` steps (truncated back-propagation
// through time: each window starts from a zero state, its first input still the true previous step) and padded to
// `window` rows with a mask.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { type MdnArchitecture, targetWidth } from '../architecture.js';
import { checkSideTargets } from '../heads/sideOutputs.js';

/** One sequence: `y` its steps' target rows, row after row; `condition` its conditioning values (conditioned models only). */
export interface Sequence {
  readonly y: ArrayLike<number>;
  readonly condition?: ArrayLike<number>;
}

/** Most steps one sequence may have (training and generation): beyond it, cut it into several. */
export const MAX_SEQUENCE_STEPS = 10_000;

/** Sequences packed for the GPU: `pieces` windows of `steps` rows each (padded), and the mask of the valid rows. */
export interface PackedSequences {
  readonly pieces: number;
  readonly steps: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly mask: Float32Array;
  /** Valid rows in all: the steps the loss is a mean over. */
  readonly validSteps: number;
  /** Windows of each sequence, in order (their pieces are consecutive). */
  readonly windows: readonly number[];
}

const conditionDimOf = (arch: MdnArchitecture): number => arch.sequence?.conditionDim ?? 0;

/** Steps of each sequence, checked: shapes, finite values, side outputs' classes, conditions. Names the sequence and row. */
export function checkSequences(name: string, arch: MdnArchitecture, sequences: readonly Sequence[]): number[] {
  if (!Array.isArray(sequences) || sequences.length === 0) throw new InvalidArgumentError(`${name} must be a non-empty list of sequences ({ y, condition? })`);
  const width = targetWidth(arch);
  const conditionDim = conditionDimOf(arch);
  return sequences.map((s, n) => {
    const at = `${name}[${n}]`;
    if (s === null || typeof s !== 'object' || s.y === undefined || typeof (s.y as ArrayLike<number>).length !== 'number') throw new InvalidArgumentError(`${at} must be { y, condition? } with y its steps' rows`);
    const { y } = s;
    if (y.length === 0 || y.length % width !== 0) throw new InvalidArgumentError(`${at}.y must hold whole rows of ${width} values (and at least one), got ${y.length} values`);
    const steps = y.length / width;
    if (steps > MAX_SEQUENCE_STEPS) throw new InvalidArgumentError(`${at} has ${steps} steps; the limit is ${MAX_SEQUENCE_STEPS} (cut it into several sequences)`);
    for (let i = 0; i < y.length; i++) {
      if (!Number.isFinite(y[i])) throw new InvalidArgumentError(`${at}.y has a non-finite value (${y[i]}) at step ${Math.floor(i / width)}, column ${i % width}`);
    }
    checkSideTargets(`${at}.y`, arch, y);
    const condition = s.condition ?? [];
    if (condition.length !== conditionDim) throw new InvalidArgumentError(`${at}.condition must hold ${conditionDim} values (the model's conditionDim), got ${condition.length}`);
    for (let i = 0; i < condition.length; i++) {
      if (!Number.isFinite(condition[i])) throw new InvalidArgumentError(`${at}.condition has a non-finite value (${condition[i]}) at column ${i}`);
    }
    return steps;
  });
}

/** Step t's input row of a sequence: the previous step's targets (zeros at t = 0), then the condition. */
function writeInput(out: Float32Array, at: number, s: Sequence, t: number, width: number): void {
  if (t > 0) for (let c = 0; c < width; c++) out[at + c] = s.y[(t - 1) * width + c];
  const condition = s.condition ?? [];
  for (let c = 0; c < condition.length; c++) out[at + width + c] = condition[c];
}

/**
 * The windows of every sequence, one after another, `window` rows each (default: the longest sequence, so
 * nothing is cut); rows past a sequence's end are zeros with mask 0.
 */
export function packSequences(arch: MdnArchitecture, sequences: readonly Sequence[], window?: number, name = 'sequences'): PackedSequences {
  const lengths = checkSequences(name, arch, sequences);
  const steps = window ?? Math.max(...lengths);
  if (!(Number.isInteger(steps) && steps >= 1 && steps <= MAX_SEQUENCE_STEPS)) throw new InvalidArgumentError(`window must be an integer from 1 to ${MAX_SEQUENCE_STEPS}, got ${window}`);
  const width = targetWidth(arch);
  const inputDim = arch.inputDim;
  const pieces = lengths.reduce((n, length) => n + Math.ceil(length / steps), 0);
  const x = new Float32Array(pieces * steps * inputDim);
  const y = new Float32Array(pieces * steps * width);
  const mask = new Float32Array(pieces * steps);
  let piece = 0;
  sequences.forEach((s, n) => {
    for (let start = 0; start < lengths[n]; start += steps, piece++) {
      for (let t = start; t < Math.min(lengths[n], start + steps); t++) {
        const row = piece * steps + (t - start);
        writeInput(x, row * inputDim, s, t, width);
        for (let c = 0; c < width; c++) y[row * width + c] = s.y[t * width + c];
        mask[row] = 1;
      }
    }
  });
  return { pieces, steps, x, y, mask, validSteps: lengths.reduce((a, b) => a + b, 0), windows: lengths.map((length) => Math.ceil(length / steps)) };
}

/**
 * Windows from..from + n of the packed set rearranged time-major (row t·batch + p is step t of window p), as a
 * batch runs through the network; a batch of more than n windows is filled with padding (mask 0).
 */
export function timeMajor(packed: PackedSequences, from: number, n: number, inputDim: number, width: number, batch = n) {
  const { steps } = packed;
  const count = batch;
  const rows = steps * count;
  const x = new Float32Array(rows * inputDim);
  const y = new Float32Array(rows * width);
  const mask = new Float32Array(rows);
  for (let p = 0; p < n; p++) {
    for (let t = 0; t < steps; t++) {
      const source = (from + p) * steps + t;
      const row = t * count + p;
      x.set(packed.x.subarray(source * inputDim, (source + 1) * inputDim), row * inputDim);
      y.set(packed.y.subarray(source * width, (source + 1) * width), row * width);
      mask[row] = packed.mask[source];
    }
  }
  return { x, y, mask };
}
