// Which window each sequence slot of a batch trains on, step by step, when windows carry their state (stateful
// truncated back-propagation through time). Every epoch the sequences are shuffled (the epoch permutation of
// ./epochPermutation.ts over sequences), their windows laid end to end in that order, and the stream cut into
// `batch` runs of stepsPerEpoch windows: slot p takes run p, one window per step. A window continues its slot's
// previous one (its state carried) where it is the next window of the same sequence; the first window of a
// sequence, and any run's first, start from zero. The windows left over at the stream's end (fewer than
// `batch`) change from epoch to epoch, as rows do in gatherBatch.

import { epochKeys, permute } from './epochPermutation.js';

/** The bit of a schedule entry that says the window continues its slot's previous one. */
export const CONTINUES = 0x8000_0000;

export class WindowSchedule {
  readonly stepsPerEpoch: number;
  private readonly sequenceStart: Uint32Array;
  private cached: { epoch: number; stream: Uint32Array } | undefined;

  /**
   * `windows[s]`: how many windows sequence s has; the data holds them one after another, sequence by sequence.
   * @example
   * const schedule = new WindowSchedule([3, 1, 2], 2, seed); // 6 windows, 3 steps per epoch
   */
  constructor(
    private readonly windows: readonly number[],
    readonly batch: number,
    private readonly seed: number,
  ) {
    if (windows.length === 0 || windows.some((w) => !(Number.isInteger(w) && w >= 1))) throw new Error('every sequence needs at least one window');
    this.sequenceStart = new Uint32Array(windows.length + 1);
    windows.forEach((w, s) => (this.sequenceStart[s + 1] = this.sequenceStart[s] + w));
    const total = this.sequenceStart[windows.length];
    if (!(Number.isInteger(batch) && batch >= 1 && batch <= total)) throw new Error(`a batch of ${batch} slots needs 1 to ${total} windows`);
    this.stepsPerEpoch = Math.floor(total / batch);
  }

  /**
   * The entries of step t (1-based) into `out` at `at`, one per slot: the window's index in the data, with
   * CONTINUES set where it continues the slot's previous window (and `reset` is false).
   */
  write(t: number, out: Uint32Array, at: number, reset = false): void {
    const epoch = Math.floor((t - 1) / this.stepsPerEpoch);
    const k = (t - 1) % this.stepsPerEpoch;
    const stream = this.stream(epoch);
    for (let p = 0; p < this.batch; p++) {
      const entry = stream[p * this.stepsPerEpoch + k];
      out[at + p] = k === 0 || reset ? entry & ~CONTINUES : entry;
    }
  }

  /** Epoch `epoch`'s windows end to end, each with CONTINUES where it is not its sequence's first. */
  private stream(epoch: number): Uint32Array {
    if (this.cached?.epoch === epoch) return this.cached.stream;
    const keys = epochKeys(this.seed, epoch);
    const count = this.windows.length;
    const stream = new Uint32Array(this.sequenceStart[count]);
    let at = 0;
    for (let i = 0; i < count; i++) {
      const s = permute(i, count, keys);
      for (let w = 0; w < this.windows[s]; w++) stream[at++] = (this.sequenceStart[s] + w) | (w > 0 ? CONTINUES : 0);
    }
    this.cached = { epoch, stream };
    return stream;
  }
}
