// Von Mises components (angles in radians) on the GPU.
// Tolerances: NLL and log-density atol 2e-5 + rtol 2e-5, gradients atol 2e-5 + rtol 1e-4, the other families'
// (test/gpu/mixture.test.ts): the kernels' log I₀ and I₁/I₀ are within 1e-7 of the float64 ones (polynomials of
// Abramowitz and Stegun below κ = 12, ten asymptotic terms above), and κ(1 − I₁/I₀) and κ(1 − cos δ) are formed
// without cancellation, so the f32 terms of size up to κ·π² stay within a few ulp. Targets 1e3 radians out: the
// f32 angle itself is only known to 1e3 · 2^-24 = 6e-5 rad, which κ up to 100 turns into 1e-2 in the gradient
// (atol 1e-2, rtol 1e-3 there). The sampler: Kolmogorov–Smirnov distance of 40,000 draws against the circular
// CDF below 1.95/√n, its 0.1% critical value; κ = 0.5, 4 and 1e4 in one mixture.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

const sweep = [1, 7, 33, 1000].flatMap((batch) => [1, 5, 24].flatMap((components) => [1, 2, 3].map((dims) => ({ batch, components, dims }))));
type Result = { referenceFinite: boolean; gpuFinite: boolean; reports: CompareReport[] };

describe('von Mises NLL kernel against the float64 reference', () => {
  it.each(sweep.map((s, i) => ({ ...s, sigma: (['exp', 'softplus', 'elu1'] as const)[i % 3] })))('random heads, $sigma σ: B $batch, K $components, D $dims', async (args) => {
    const r = await page().run<Result>('vonMisesNll', { ...args, scenario: 'random' });
    expect(r.referenceFinite).toBe(true);
    expect(r.gpuFinite).toBe(true);
    expectReportsPass(r.reports);
  });

  it.each((['diffuse', 'concentrated', 'far'] as const).flatMap((scenario) => (['exp', 'softplus', 'elu1'] as const).map((sigma) => ({ scenario, sigma, batch: 65, components: 5, dims: 2 }))))(
    '$scenario ($sigma σ): κ = 1e-4, κ = 1e4, or targets 1e3 rad out: finite and matching',
    async (args) => {
      const r = await page().run<Result>('vonMisesNll', args);
      expect(r.referenceFinite).toBe(true);
      expect(r.gpuFinite).toBe(true);
      expectReportsPass(r.reports);
    },
  );
});

describe('von Mises components', () => {
  it('sample from the predicted mixture (Kolmogorov–Smirnov against the circular CDF), in (−π, π]; σ temperature 0 gives μ', async () => {
    const r = await page().run<{ ks: number; bound: number; inRange: boolean; frozen: number[]; heaviestMu: number }>('vonMisesSampling', { n: 10_000 });
    expect(r.inRange).toBe(true);
    expect(r.ks).toBeLessThan(r.bound);
    expect(r.frozen).toEqual([r.heaviestMu]);
  });

  it.each([
    { steps: 5, rows: 9 },
    { steps: 3, rows: 70 },
  ])('$steps training steps on $rows rows match the float64 reference', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('vonMisesTrainingSteps', args));
  });

  it('train on the angular problem; predict, score, summarise on the circle and sample; saved, loaded and embedded; y never scaled', async () => {
    const r = await page().run<{
      losses: number[];
      family: string;
      yScaled: boolean;
      anglesInRange: boolean;
      cdfInRange: boolean;
      varianceInRange: boolean;
      crpsFinite: boolean;
      validation: string;
      loadedSame: boolean;
      kernelSame: boolean;
      reports: CompareReport[];
    }>('vonMisesModelEndToEnd', {});
    expectReportsPass(r.reports);
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
    expect(r.family).toBe('von-mises');
    expect(r.yScaled).toBe(false);
    expect(r.anglesInRange).toBe(true);
    expect(r.cdfInRange).toBe(true);
    expect(r.varianceInRange).toBe(true);
    expect(r.crpsFinite).toBe(true);
    expect(r.validation).toBe('');
    expect(r.loadedSame).toBe(true);
    expect(r.kernelSame).toBe(true);
  });
});
