// The fused mixture NLL kernel in headless Chromium against the float64 reference.
// Tolerances: NLL atol 2e-5 + rtol 2e-5. Each NLL is a difference of two log-sum-exps of terms up to a few
// hundred in size here (u² / 2 with u <= ~25); f32 rounding of such terms is ~1e-5 absolute at worst, and
// WGSL's exp/log are within a few ulp. Gradients atol 2e-5 + rtol 1e-4: responsibilities are exp() of those
// same terms, so they carry ~1e-5 relative error, which the μ and σ gradients inherit and scale.
// Extreme cases: targets 1e3 σ from every component, and σ pre-activations of ±50, for every σ activation, on
// Gaussian and Student-t heads up to K 12, D 3: the inputs are extreme per component, and the widest unrolled head
// (K 24, D 3, whose kernels take SwiftShader 4-12 s each to compile, most of this file's time) is compiled and
// checked by each family's sweep of random heads. Laplace's 'far' logit gradients have an allowance of their own
// (test/browser/cases/mixture.ts says why).
// Every case runs on both variants: K and D compiled in and unrolled, and the loops that wider heads keep.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const SIGMAS = ['exp', 'softplus', 'elu1'] as const;

const page = useGpuPage();

interface MixtureResult {
  referenceFinite: boolean;
  reports: CompareReport[];
}

const sweep = [1, 7, 33, 1000].flatMap((batch) =>
  [1, 5, 24].flatMap((components) => [1, 2, 3].map((dims) => ({ batch, components, dims }))),
);

const LAYOUTS = ['unrolled', 'loops'] as const;
const bothLayouts = <T extends object>(cases: T[]) => cases.flatMap((c) => LAYOUTS.map((layout) => ({ ...c, layout })));

describe.each(SIGMAS)('mixtureNll, %s σ', (sigma) => {
  it.each(bothLayouts(sweep))('random heads, $layout: B $batch, K $components, D $dims', async (shape) => {
    const result = await page().run<MixtureResult>('mixtureNll', { ...shape, sigma, scenario: 'random' });
    expect(result.referenceFinite).toBe(true);
    expectReportsPass(result.reports);
  });

  const extremes = [
    { scenario: 'far', what: 'targets 1e3 σ from every component' },
    { scenario: 'sigma50', what: 'σ pre-activations of ±50' },
  ].flatMap((e) =>
    [
      { batch: 7, components: 1, dims: 1 },
      { batch: 33, components: 5, dims: 2 },
      { batch: 65, components: 12, dims: 3 },
    ].map((shape) => ({ ...e, ...shape })),
  );
  it.each(bothLayouts(extremes))('$what, $layout: B $batch, K $components, D $dims', async ({ what: _, ...args }) => {
    const result = await page().run<MixtureResult>('mixtureNll', { ...args, sigma });
    expect(result.referenceFinite).toBe(true);
    expectReportsPass(result.reports);
  });
});

// Laplace components share the kernel with a density snippet of their own; the NLL's terms are |u| instead of
// u²/2, so smaller, and the tolerances above hold a fortiori. Every shape with one σ activation, and the
// extremes with each.
describe('mixtureNll, Laplace components', () => {
  it.each(bothLayouts(sweep))('random heads, softplus σ, $layout: B $batch, K $components, D $dims', async (shape) => {
    const result = await page().run<MixtureResult>('mixtureNll', { ...shape, sigma: 'softplus', scenario: 'random', family: 'laplace' });
    expect(result.referenceFinite).toBe(true);
    expectReportsPass(result.reports);
  });
  const extremes = SIGMAS.flatMap((sigma) =>
    (['far', 'sigma50'] as const).flatMap((scenario) => [
      { sigma, scenario, batch: 7, components: 1, dims: 1 },
      { sigma, scenario, batch: 65, components: 12, dims: 3 },
    ]),
  );
  it.each(bothLayouts(extremes))('$scenario, $sigma σ, $layout: B $batch, K $components, D $dims', async (args) => {
    const result = await page().run<MixtureResult>('mixtureNll', { ...args, family: 'laplace' });
    expect(result.referenceFinite).toBe(true);
    expectReportsPass(result.reports);
  });
});

// Student-t components: the NLL's terms are ((ν + 1)/2) log(1 + u²/ν), smaller again than u²/2, so the same
// tolerances hold; the kernel's compiled-in normaliser log Γ((ν + 1)/2) − log Γ(ν/2) − ½ log νπ rounds to f32
// (2^-24 relative, well inside atol). Heavy (ν = 1.5) and near-Gaussian (ν = 30) tails.
describe('mixtureNll, Student-t components', () => {
  const shapes = [7, 1000].flatMap((batch) => [1, 5, 24].flatMap((components) => [1, 3].map((dims) => ({ batch, components, dims }))));
  it.each(bothLayouts(shapes.flatMap((s, i) => ({ ...s, degreesOfFreedom: i % 2 === 0 ? 1.5 : 30 }))))(
    'random heads, softplus σ, ν $degreesOfFreedom, $layout: B $batch, K $components, D $dims',
    async (shape) => {
      const result = await page().run<MixtureResult>('mixtureNll', { ...shape, sigma: 'softplus', scenario: 'random', family: 'student-t' });
      expect(result.referenceFinite).toBe(true);
      expectReportsPass(result.reports);
    },
  );
  const extremes = SIGMAS.flatMap((sigma) =>
    (['far', 'sigma50'] as const).map((scenario) => ({ sigma, scenario, batch: 65, components: 12, dims: 3, degreesOfFreedom: 3 })),
  );
  it.each(bothLayouts(extremes))('$scenario, $sigma σ, ν 3, $layout: B $batch, K $components, D $dims', async (args) => {
    const result = await page().run<MixtureResult>('mixtureNll', { ...args, family: 'student-t' });
    expect(result.referenceFinite).toBe(true);
    expectReportsPass(result.reports);
  });
});

describe('mixtureNll with the σ penalty', () => {
  it.each(bothLayouts(SIGMAS.map((sigma) => ({ sigma }))))('$sigma σ, $layout, λ = 0.05: loss and gradient include λ Σ s²', async ({ sigma, layout }) => {
    const result = await page().run<MixtureResult>('mixtureNll', { batch: 33, components: 5, dims: 2, sigma, scenario: 'random', sigmaPenalty: 0.05, layout });
    expect(result.referenceFinite).toBe(true);
    expectReportsPass(result.reports);
  });
});

describe('meanReduce', () => {
  it.each([1, 7, 64, 65, 1000, 100_000])('mean of %i values', async (count) => {
    expectReportsPass(await page().run<CompareReport[]>('meanReduce', { count }));
  });
});
