// The schedule of stateful windows (src/mdn/windowSchedule.ts): which window each batch slot trains on, step by
// step, and which of them continue their slot's previous window.
import { describe, expect, it } from 'vitest';
import { CONTINUES, WindowSchedule } from '../../src/mdn/windowSchedule.js';

const WINDOWS = [3, 1, 4, 2, 5];
// Sequence and window index of each data item (windows of a sequence are consecutive items).
const items = WINDOWS.flatMap((w, s) => Array.from({ length: w }, (_, k) => ({ sequence: s, index: k })));

function epoch(schedule: WindowSchedule, e: number, reset = false) {
  const rows: Uint32Array[] = [];
  for (let k = 0; k < schedule.stepsPerEpoch; k++) {
    const out = new Uint32Array(schedule.batch);
    schedule.write(e * schedule.stepsPerEpoch + k + 1, out, 0, reset && k > 0);
    rows.push(out);
  }
  return rows;
}

describe('window schedule', () => {
  it('gives each slot a run of consecutive windows, continuing exactly where the previous step held the same sequence\'s previous window', () => {
    const schedule = new WindowSchedule(WINDOWS, 3, 11);
    expect(schedule.stepsPerEpoch).toBe(5); // 15 windows, 3 slots
    for (const e of [0, 1, 2]) {
      const rows = epoch(schedule, e);
      const seen = new Set<number>();
      let continuing = 0;
      for (let p = 0; p < 3; p++) {
        for (let k = 0; k < rows.length; k++) {
          const entry = rows[k][p];
          const piece = entry & ~CONTINUES;
          expect(seen.has(piece)).toBe(false);
          seen.add(piece);
          const previous = k > 0 ? rows[k - 1][p] & ~CONTINUES : -1;
          const follows = previous === piece - 1 && items[piece].index > 0;
          expect((entry & CONTINUES) !== 0).toBe(follows);
          // A run is the windows end to end: a window that is not its sequence's first follows its predecessor.
          if (k > 0 && items[piece].index > 0) expect(previous).toBe(piece - 1);
          if (follows) continuing++;
        }
      }
      expect(seen.size).toBe(15);
      expect(continuing).toBeGreaterThanOrEqual(15 - 5 - 3); // all but sequences' and runs' first windows
    }
  });

  it('orders the sequences anew each epoch, the same way for the same seed', () => {
    const order = (seed: number, e: number) => epoch(new WindowSchedule(WINDOWS, 3, seed), e).map((r) => Array.from(r)).flat();
    expect(order(11, 0)).toEqual(order(11, 0));
    expect(order(11, 0)).not.toEqual(order(11, 1));
    expect(order(11, 0)).not.toEqual(order(12, 0));
  });

  it('starts every slot afresh when asked (after a checkpoint is restored), and at every epoch\'s start', () => {
    const schedule = new WindowSchedule([6], 1, 0);
    const out = new Uint32Array(1);
    schedule.write(3, out, 0);
    expect(out[0]).toBe((2 | CONTINUES) >>> 0);
    schedule.write(3, out, 0, true);
    expect(out[0]).toBe(2);
    schedule.write(7, out, 0); // epoch 2's first step: window 0 of the one sequence
    expect(out[0]).toBe(0);
  });

  it('refuses a batch larger than the windows, and sequences without windows', () => {
    expect(() => new WindowSchedule([2, 1], 4, 0)).toThrow(/batch of 4 slots needs 1 to 3 windows/);
    expect(() => new WindowSchedule([2, 0], 1, 0)).toThrow(/at least one window/);
  });
});
