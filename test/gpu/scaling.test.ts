// Models that scale their inputs and targets, in headless Chromium: original units through every entry point.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe('a model that scales its inputs and targets', () => {
  it.each([false, true])('predicts, scores and samples in original units (logY %s), as the same weights do unscaled with the scalers on the CPU', async (logY) => {
    const r = await page().run<Record<string, any> & { reports: CompareReport[] }>('scaledModelInOriginalUnits', { logY });
    expectReportsPass(r.reports);
    expect(r.logNormal).toBe(logY);
    expect(r.shapes).toEqual({ logProb: [30], sample: [30, 4, 2] });
    // fit's validation loss is the validation rows' NLL in original units (f32 sums of 30 terms).
    expect(r.validationLoss).toBeCloseTo(r.heldNll, 3);
    // Fitted on the 90 training rows only: zscore's shift is their mean, minmax's their minimum (of log y).
    expect(r.shift0).toBeCloseTo(r.fittedOnTraining, 9);
  });

  it('saves and loads its scalers, and mixden/inference (run, logProb, sample, exported WGSL) gives the library\'s bits', async () => {
    const r = await page().run<Record<string, any>>('scaledModelEverywhere');
    expect(r).toMatchObject({ loadedSame: true, kernelSame: true, kernelShape: [25, 15], logProbSame: true, samplesSame: true, exportedSame: true });
    expect(r.stages[0]).toBe('input scaling');
    expect(r.stages[r.stages.length - 1]).toBe('mixture unscaling');
  });

  it("loads a file written by release 0.1.0's command line with its scalers, through loadMdn and mixden/inference, giving that command line's predictions", async () => {
    const r = await page().run<{ reports: CompareReport[] }>('commandLineFileOfRelease010');
    expectReportsPass(r.reports);
  });

  it('keeps its scaling through a save and load before its first fit, and fits the scalers then', async () => {
    const r = await page().run<{ before: boolean; shift0: number; meanY0: number }>('planSurvivesSave');
    expect(r.before).toBe(true);
    expect(r.shift0).toBeCloseTo(r.meanY0, 9);
  });

  it('refuses plain-JavaScript mistakes with errors that name them, and draws afresh unless seeded', async () => {
    const r = await page().run<Record<string, any>>('apiEdgeErrors');
    expect(r.hiddenNumber).toEqual([6]);
    expect(r.unknownFitKey.message).toMatch(/fit options has no option 'lr'; did you mean 'learningRate'\?/);
    expect(r.unknownCreateKey.message).toMatch(/createMdn options has no option 'hiden'; did you mean 'hidden'\?/);
    expect(r.nestedRagged.message).toMatch(/x\[1\] has 2 values; each row of x needs 1/);
    expect(r.validationNaN.message).toMatch(/validationData.x has a non-finite value \(NaN\) at row 1, column 0/);
    expect(r.validationShape.message).toMatch(/validationData.y has 2 rows, x has 3/);
    expect(r.badSeed.message).toMatch(/seed must be an integer from 0 to 2\^32 - 1, got -1/);
    expect(r.badSampleKey.message).toMatch(/did you mean 'temperature'/);
    expect(r.path).toMatchObject({ name: 'ModelFormatError', message: expect.stringMatching(/not from a path/) });
    expect(r.hugeEpsilon.message).toMatch(/sigmaEpsilon must be a number in \[0, 1\], got 1e\+300/);
    expect(r.createSeed.message).toMatch(/seed must be an integer/);
    expect(r.freshDraws).toBe(true);
    expect(r.seededDraws).toBe(true);
  });
});
