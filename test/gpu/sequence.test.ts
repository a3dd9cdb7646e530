// The sequence model through its API in headless Chromium (the case file says what it trains on).
import { describe, expect, it } from 'vitest';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('sequence model', () => {
  // (A GRU model goes end to end through the command line's test, test/gpu/cliSequences.test.ts.)
  it.each(['lstm'] as const)('%s: trains, scores per step, generates (seeded, stopping at the flag), saves and loads', async (cell) => {
    const r = await page().run<{
      before: number;
      after: number;
      history: { step: number; loss: number; validationLoss: number }[];
      dispatchesPerStep: number;
      lengths: number[];
      sameSeedSame: boolean;
      otherSeedDiffers: boolean;
      loadedNll: number;
      loadedSame: boolean;
      embeddedSame: boolean;
      lastFlags: number[];
      allFinite: boolean;
      creations: Record<string, number>;
      trainingCreations: Record<string, number>[];
      statefulWithoutWindow: string;
      primeContinues: boolean;
      sharedPrimeContinues: boolean;
      primeDiffers: boolean;
      primedLengths: number[];
      badPrime: string;
    }>('sequenceModelEndToEnd', { cell });
    expect(r.after).toBeLessThan(r.before - 0.5);
    // fit scores the validation sequences with one scorer built for the fit: at each evaluation, the weights as they are then.
    expect(r.history.at(-1)!.validationLoss).toBeCloseTo(r.after, 5);
    expect(r.history[0].validationLoss).not.toBe(r.history.at(-1)!.validationLoss);
    expect(r.sameSeedSame).toBe(true);
    expect(r.otherSeedDiffers).toBe(true);
    expect(r.loadedNll).toBe(r.after);
    expect(r.loadedSame).toBe(true);
    expect(r.embeddedSame).toBe(true);
    expect(r.allFinite).toBe(true);
    expect(r.lengths.every((n) => n >= 1 && n <= 30)).toBe(true);
    // A sequence that stopped early stopped on a drawn flag.
    expect(r.lastFlags.every((f) => f === 1)).toBe(true);
    expect(Object.values(r.creations).every((n) => n === 0)).toBe(true);
    expect(r.trainingCreations).toHaveLength(2); // windows from zero, and stateful windows
    expect(r.trainingCreations.every((c) => Object.values(c).every((n) => n === 0))).toBe(true);
    expect(r.primeContinues).toBe(true);
    expect(r.sharedPrimeContinues).toBe(true);
    expect(r.primeDiffers).toBe(true);
    expect(r.primedLengths.every((n) => n === 7)).toBe(true);
    expect(r.badPrime).toMatch(/prime\[0\]\.y must hold whole rows of 2 values/);
    expect(r.statefulWithoutWindow).toMatch(/stateful carries the state from one window of a sequence to the next: give a window too/);
    expect(r.dispatchesPerStep).toBeGreaterThan(0);
  });
});
