// Mixture families other than the Gaussian, end to end on the GPU (what each check compares, and its
// tolerance, is stated in test/browser/cases/families.ts; the kernels alone are in mixture.test.ts and
// sampling.test.ts).
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe.each(['laplace', 'student-t'])('%s components', (family) => {
  it.each([
    { steps: 5, rows: 9 },
    { steps: 3, rows: 70 },
  ])('$steps training steps on $rows rows match the float64 reference', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('familyTrainingSteps', { ...args, family }));
  });

  it('train, predict and score against the reference; the family is saved, loaded and embedded', async () => {
    const r = await page().run<{
      losses: number[];
      family: string;
      mixtureFamily: string;
      validation: string;
      loadedSame: boolean;
      kernelSame: boolean;
      calibration: { pitRows: number; bins: number; levels: number[]; crps: number };
      reports: CompareReport[];
    }>('familyModelEndToEnd', { family });
    expectReportsPass(r.reports);
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
    expect(r.family).toBe(family);
    expect(r.mixtureFamily).toBe(family);
    expect(r.validation).toBe('');
    expect(r.loadedSame).toBe(true);
    expect(r.kernelSame).toBe(true);
    expect(r.calibration).toMatchObject({ pitRows: 37, bins: 4, levels: [0.9] });
    expect(r.calibration.crps).toBeGreaterThan(0);
  });
});
