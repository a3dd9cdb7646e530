// The model API in headless Chromium: fit, inference against the float64 reference, save/load, schedules.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('model', () => {
  it('fits with a validation split, infers like the float64 reference, and saves and loads bit for bit', async () => {
    const r = await page().run<{ history: { step: number; loss: number; validationLoss: number }[]; reports: CompareReport[] }>('modelEndToEnd');
    expect(r.history.map((h) => h.step)).toEqual([100, 200, 300, 400, 500, 600]);
    expect(r.history[5].loss).toBeLessThan(r.history[0].loss);
    expect(r.history[5].validationLoss).toBeLessThan(r.history[0].validationLoss);
    expectReportsPass(r.reports);
  });

  it('halves the learning rate on a plateau and stops early, keeping the best step', async () => {
    const r = await page().run<{ steps: number; bestStep: number; stoppedEarly: boolean; rates: number[] }>('schedules');
    // Evaluation 1 is the best; evaluations 2-5 do not improve: the rate halves after the 2nd and 4th, and
    // early stopping ends the run at the 4th evaluation without improvement.
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestStep).toBe(10);
    expect(r.steps).toBe(50);
    expect(r.rates.map((v) => v / 1e-9)).toEqual([1, 1, 1, 0.5, 0.5].map((v) => expect.closeTo(v, 9)));
  });

  it('restores the weights of the best validation loss when it stops early', async () => {
    const r = await page().run<{ stoppedEarly: boolean; bestStep: number; steps: number; best: number; now: number }>('restoresBestWeights');
    expect(r.stoppedEarly).toBe(true);
    expect(r.bestStep).toBeLessThan(r.steps);
    // The restored weights score the best validation loss seen (f32 sums of 100 log-densities).
    expect(r.now).toBeCloseTo(r.best, 4);
  });

  it('gives a density that integrates to 1, a Monte Carlo entropy that agrees with it, and consistent quantiles and modes', async () => {
    const r = await page().run<Record<string, any>>('modelDistribution');
    // Trapezoid rule on [-8, 8] with step 0.004 over a density of width ~0.1 or more.
    expect(Math.abs(r.integral - 1)).toBeLessThan(1e-3);
    expect(Math.abs(r.entropyMc - r.entropyGrid)).toBeLessThan(r.entropyBound);
    expect(Math.abs(r.atMedian - 0.5)).toBeLessThan(1e-6);
    // The mode is at least as high as every grid point (f32 densities).
    expect(r.atMode).toBeGreaterThanOrEqual(r.gridMax * (1 - 1e-5));
    expect(r.twoD).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/one input and one output; this model has 1 and 2/) });
  });

  it('trains on minibatches by epochs, evaluating once per epoch, and repeats exactly for the same seed', async () => {
    const r = await page().run<Record<string, any>>('minibatchFit');
    expect(r.steps).toBe(20 * 6); // floor(200 / 32) = 6 steps per epoch
    expect(r.epochs).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(r.last).toBeLessThan(r.first);
    expect(r.sameSeedSameWeights).toBe(true);
    expect(r.otherSeedDiffers).toBe(true);
    expect(r.badBatch).toMatchObject({ name: 'InvalidArgumentError', message: "batchSize must be 'full' or an integer from 1 to the 200 training rows, got 500" });
  });

  it('continues a training session across calls exactly as one fit would, with inference in between', async () => {
    const r = await page().run<{ steps: number[]; identical: boolean; piSum: number }>('sessionContinues');
    expect(r.steps).toEqual([50, 100]);
    expect(r.identical).toBe(true);
    expect(r.piSum).toBeCloseTo(1, 5);
  });

  it('stops at a NaN or infinite value, rolls the weights back to the last checkpoint and says what to try', async () => {
    const r = await page().run<{ error: { name: string; message: string }; rolledBack: boolean; predictsFinite: boolean }>('divergence');
    expect(r.error.name).toBe('MixdenError');
    expect(r.error.message).toMatch(/^training stopped: the (loss|gradient) became NaN or infinite at step \d+\. The weights and optimiser state were rolled back to step 0\. Try a lower learning rate, gradient clipping \(clipNorm\)/);
    expect(r.rolledBack).toBe(true);
    expect(r.predictsFinite).toBe(true);
  });

  it.each([1, 2, 3])('survives its device being destroyed mid-training (injection %i): rejects, restores on a new device, trains on', async (seed) => {
    const r = await page().run<Record<string, any>>('deviceLostAndRestored', { seed });
    expect(r.error).toMatchObject({ name: 'DeviceLostError', message: expect.stringMatching(/the GPU device was lost \(destroyed/) });
    expect(r.duringLoss).toMatchObject({ name: 'DeviceLostError' });
    expect(r.restoredStep).toBe(r.mirrored);
    expect(r.restoredStep).toBe(r.at * 10); // the mirror of the evaluation just before the loss
    expect(r.predictsFinite).toBe(true);
    expect(r.resumedLosses).toHaveLength(4);
    expect(r.resumedLosses.every(Number.isFinite)).toBe(true);
    console.log(`device destroyed at step ${r.at * 10}; restored from the mirror of step ${r.restoredStep}`);
  });

  it('destroy() during fit or predict: the call in flight rejects cleanly, nothing hangs, the device stays usable', async () => {
    const r = await page().run<Record<string, any>>('destroyInFlight');
    expect(r.fitError).toMatchObject({ name: 'DestroyedError', message: expect.stringMatching(/^the model was destroyed during fit \(at step \d+\)$/) });
    expect(r.predictError).toMatchObject({ name: 'DestroyedError', message: expect.stringMatching(/^this model was destroyed/) });
    expect(r.works).toBe(true);
  });

  it('two models training at once on one device end with exactly the weights each reaches alone', async () => {
    expect(await page().run('concurrentTraining')).toEqual({ sameA: true, sameB: true });
  });

  it('refuses bad arguments and files with errors that name the problem, and calls after destroy', async () => {
    const r = await page().run<Record<string, { name: string; message: string } | null>>('modelRefusals');
    expect(r.noComponents).toMatchObject({ name: 'InvalidArgumentError', message: 'components must be an integer >= 1, got 0' });
    expect(r.raggedX).toMatchObject({ name: 'InvalidArgumentError', message: 'x has 3 values, not a whole number of rows of 2' });
    expect(r.emptyX).toMatchObject({ name: 'InvalidArgumentError', message: 'x is empty' });
    expect(r.nanY).toMatchObject({ name: 'InvalidArgumentError', message: 'y has a non-finite value (NaN) at row 1, column 0' });
    expect(r.rowMismatch).toMatchObject({ name: 'InvalidArgumentError', message: 'y has 3 rows, x has 2' });
    expect(r.badSplit).toMatchObject({ name: 'InvalidArgumentError', message: expect.stringMatching(/validationSplit 0.9 leaves 0 training and 2 validation rows/) });
    expect(r.badFile).toMatchObject({ name: 'ModelFormatError', message: expect.stringMatching(/not a mixden model file/) });
    expect(r.afterDestroy).toMatchObject({ name: 'DestroyedError', message: 'this model was destroyed' });
  });
});
