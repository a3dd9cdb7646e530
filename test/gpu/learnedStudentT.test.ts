// Student-t components with learned degrees of freedom on the GPU.
// Tolerances: NLL and log-density atol 2e-5 + rtol 2e-5, gradients atol 2e-5 + rtol 1e-4, as for the fixed-ν
// kernel (test/gpu/mixture.test.ts), whose terms are the same size. The normaliser's log Γ(ν/2) − log Γ((ν + 1)/2)
// and its digamma difference come from a series with error below 3e-10, evaluated in f32 as a difference of
// terms of order 1 (~1e-7 absolute); at ν = 100 the ν-gradient's two halves cancel to O(1/ν²) ≈ 1e-4, whose f32
// error (~1e-9) is far inside atol. The sampler: the Kolmogorov–Smirnov distance of 80,000 draws from one
// known mixture (ν = 1.6, a Gamma shape below 1, and ν = 6) below 1.95/√n, its 0.1% critical value. The model
// end to end: the predictor's tolerances (test/gpu/model.test.ts).
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

const sweep = [1, 7, 33, 1000].flatMap((batch) => [1, 5, 24].flatMap((components) => [1, 2, 3].map((dims) => ({ batch, components, dims }))));

describe('learned-ν Student-t NLL kernel against the float64 reference', () => {
  // Each σ activation over a third of the sweep, so every activation meets every size class.
  it.each(sweep.map((s, i) => ({ ...s, sigma: (['exp', 'softplus', 'elu1'] as const)[i % 3] })))('random heads, $sigma σ: B $batch, K $components, D $dims', async (args) => {
    const r = await page().run<{ referenceFinite: boolean; gpuFinite: boolean; reports: CompareReport[] }>('learnedStudentTNll', { ...args, scenario: 'random' });
    expect(r.referenceFinite).toBe(true);
    expect(r.gpuFinite).toBe(true);
    expectReportsPass(r.reports);
  });

  it.each(
    (['bounds', 'far'] as const).flatMap((scenario) => (['exp', 'softplus', 'elu1'] as const).map((sigma) => ({ scenario, sigma, batch: 65, components: 5, dims: 3 }))),
  )('$scenario ($sigma σ): ν at 1.5 and 100, or targets 1e3 away: finite and matching', async (args) => {
    const r = await page().run<{ referenceFinite: boolean; gpuFinite: boolean; reports: CompareReport[] }>('learnedStudentTNll', args);
    expect(r.referenceFinite).toBe(true);
    expect(r.gpuFinite).toBe(true);
    expectReportsPass(r.reports);
  });
});

describe('learned-ν Student-t components', () => {
  it('sample from the predicted mixture (Kolmogorov–Smirnov), ν = 1.6 and 6', async () => {
    const r = await page().run<{ nu: number[]; ks: number; bound: number; finite: boolean }>('learnedStudentTSampling', { n: 20_000 });
    expect(r.nu[0]).toBeCloseTo(1.6, 5);
    expect(r.nu[1]).toBeCloseTo(6, 4);
    expect(r.finite).toBe(true);
    expect(r.ks).toBeLessThan(r.bound);
  });

  it.each([
    { steps: 5, rows: 9 },
    { steps: 3, rows: 70 },
  ])('$steps training steps on $rows rows match the float64 reference', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('learnedStudentTTrainingSteps', args));
  });

  it('train, predict (with ν), score, summarise and sample; saved, loaded and embedded', async () => {
    const r = await page().run<{
      losses: number[];
      degreesOfFreedom: unknown;
      nuInRange: boolean;
      summariesFinite: boolean;
      varianceAsNu: boolean;
      validation: string;
      loadedSame: boolean;
      kernelSame: boolean;
      reports: CompareReport[];
    }>('learnedStudentTModelEndToEnd', {});
    expectReportsPass(r.reports);
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
    expect(r.degreesOfFreedom).toBe('learned');
    expect(r.nuInRange).toBe(true);
    expect(r.summariesFinite).toBe(true);
    expect(r.varianceAsNu).toBe(true);
    expect(r.validation).toBe('');
    expect(r.loadedSame).toBe(true);
    expect(r.kernelSame).toBe(true);
  });
});
