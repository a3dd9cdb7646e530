// Optimiser kernels in headless Chromium against the float64 reference (tolerances in the case file).
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('adam', () => {
  it.each([
    { count: 4, t: 1, weightDecay: 0 },
    { count: 1000, t: 1, weightDecay: 0 },
    { count: 1000, t: 10, weightDecay: 0.01 },
    { count: 70_000, t: 500, weightDecay: 0 },
  ])('$count params at step $t, weight decay $weightDecay', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('adam', args));
  });
});

describe('adam stops on NaN and infinity', () => {
  it('a NaN loss: nothing is updated, and health records step 7 and the loss', async () => {
    expect(await page().run('adamHalts', { badLoss: true })).toEqual({ unchanged: true, health: [7, 1, 0, 0] });
  });

  it('an infinite gradient: health records step 7 and a gradient', async () => {
    const r = await page().run<{ health: number[] }>('adamHalts', { badLoss: false });
    expect(r.health).toEqual([7, 2, 0, 0]);
  });
});

describe('gradNorm', () => {
  it.each([
    { count: 1000, maxNorm: 0.5 },
    { count: 1000, maxNorm: 100 },
    { count: 70_000, maxNorm: 1 },
  ])('clip factor of $count gradients for max norm $maxNorm', async (args) => {
    const r = await page().run<{ norm: number; reports: CompareReport[] }>('gradNorm', args);
    expectReportsPass(r.reports);
  });
});

describe('sgd', () => {
  it.each([
    { count: 64, momentum: 0, weightDecay: 0 },
    { count: 1000, momentum: 0.9, weightDecay: 0.001 },
  ])('$count params, momentum $momentum, weight decay $weightDecay', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('sgd', args));
  });
});
