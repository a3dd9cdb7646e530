// Family 'gaussian-full' in headless Chromium: the NLL kernel against the float64 reference
// (src/mdn/reference/fullCovariance.ts), its sampler by statistics, and a model through every entry point.
// Tolerances: the diagonal kernel's (test/gpu/mixture.test.ts: NLL atol 2e-5 + rtol 2e-5, gradients atol 2e-5 +
// rtol 1e-4), with the atol scaled by D/3 past D = 3, as the NLL sums D log-diagonal terms and D squares of z
// (each rounded to f32) where the diagonal kernel's tolerance was set for D <= 3. The substitutions add D(D−1)/2
// multiply-adds per component, each rounding at 2^-24 relative to the running residual: with the factor's rows
// kept comparable to its diagonal (entries ±0.8/√D), z carries a few ulp more error, well inside the rtol.
// Sampling: moments within 5 standard errors (the covariance's from the draws' own fourth moments).
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const SIGMAS = ['exp', 'softplus', 'elu1'] as const;

const page = useGpuPage();

interface NllResult {
  referenceFinite: boolean;
  reports: CompareReport[];
}

const run = async (args: object) => {
  const result = await page().run<NllResult>('fullCovarianceNll', args);
  expect(result.referenceFinite).toBe(true);
  expectReportsPass(result.reports);
};

describe('fullCovarianceNll', () => {
  const sweep = [1, 7, 33, 1000].flatMap((batch) => [1, 5, 24].flatMap((components) => [2, 3, 8].map((dims) => ({ batch, components, dims }))));
  it.each(sweep)('random heads, softplus σ: B $batch, K $components, D $dims', (shape) => run({ ...shape, sigma: 'softplus', scenario: 'random' }));

  const perActivation = SIGMAS.flatMap((sigma) =>
    (['random', 'far', 'sigma50', 'nearSingular'] as const).flatMap((scenario) => [
      { sigma, scenario, batch: 33, components: 5, dims: 3 },
      { sigma, scenario, batch: 7, components: 24, dims: 8 },
    ]),
  );
  it.each(perActivation)('$scenario, $sigma σ: B $batch, K $components, D $dims', (args) => run(args));

  it.each(SIGMAS)('%s σ, λ = 0.05: loss and gradient include λ Σ s² over the diagonal pre-activations', (sigma) =>
    run({ batch: 33, components: 5, dims: 3, sigma, scenario: 'random', sigmaPenalty: 0.05 }));
});

describe('fullCovarianceSample', () => {
  it('draws match the mixture’s mean and covariance; temperature 0 gives the mean; a diagonal factor draws as the diagonal sampler', async () => {
    const r = await page().run<{ checks: { label: string; value: number; bound: number }[]; frozenIsMean: boolean; matchesDiagonal: boolean; allFinite: boolean }>(
      'fullCovarianceSampling',
      { n: 20000 },
    );
    for (const c of r.checks) expect(c.value, c.label).toBeLessThan(c.bound);
    expect(r.checks.length).toBe(2 * (3 + 6));
    expect(r.frozenIsMean).toBe(true);
    expect(r.matchesDiagonal).toBe(true);
    expect(r.allFinite).toBe(true);
  });
});

describe('gaussian-full models', () => {
  it.each([
    { steps: 5, rows: 9, dims: 2 },
    { steps: 3, rows: 70, dims: 3 },
  ])('$steps training steps on $rows rows, D $dims, match the float64 reference', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('fullCovarianceTrainingSteps', args));
  });

  it('train, predict, score, covariance, mode and sample; saved, loaded and embedded', async () => {
    const r = await page().run<{
      losses: number[];
      family: string;
      lowerLength: number;
      validation: string;
      kernelWidth: number;
      loadedSame: boolean;
      kernelSame: boolean;
      kernelLowerSame: boolean;
      modeFinite: boolean;
      drawShape: number[];
      drawsFinite: boolean;
      reports: CompareReport[];
    }>('fullCovarianceModel');
    expectReportsPass(r.reports);
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
    expect(r.family).toBe('gaussian-full');
    expect(r.lowerLength).toBe(21 * 2);
    expect(r.validation).toBe('');
    expect(r.kernelWidth).toBe(2 * (1 + 4 + 1));
    expect(r.loadedSame).toBe(true);
    expect(r.kernelSame).toBe(true);
    expect(r.kernelLowerSame).toBe(true);
    expect(r.modeFinite).toBe(true);
    expect(r.drawShape).toEqual([21, 8, 2]);
    expect(r.drawsFinite).toBe(true);
  });
});
