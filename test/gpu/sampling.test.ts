// Sampling in headless Chromium: statistics with fixed seeds (bounds stated in test/browser/cases/sampling.ts).
import { describe, expect, it } from 'vitest';
import { useGpuPage } from './page.js';

const page = useGpuPage();
const N = 20_000;

describe('sample', () => {
  it.each(['gaussian', 'laplace', 'student-t'])('matches the predicted mixture of %s components: means, variances and distribution, for every row and dimension', async (family) => {
    const r = await page().run<{ checks: { label: string; value: number; bound: number }[]; repeatable: boolean; seedsDiffer: boolean; allFinite: boolean }>(
      'samplingStatistics',
      { n: N, family },
    );
    expect(r.checks).toHaveLength(18);
    for (const c of r.checks) expect(c.value, c.label).toBeLessThan(c.bound);
    expect(r.allFinite).toBe(true);
    expect(r.repeatable).toBe(true);
    expect(r.seedsDiffer).toBe(true);
  });

  it('draws components with probability softmax(logits / temperature), and temperature 0 takes the most probable', async () => {
    const r = await page().run<{
      pi: number[];
      atOne: { counts: number[]; unmatched: number };
      atHalf: { counts: number[]; unmatched: number };
      expectedAtHalf: number[];
      frozenIsArgmaxMean: boolean;
    }>('samplingTemperatures', { n: N });
    // With sigmaTemperature 0 every draw is exactly one of the component means.
    expect(r.atOne.unmatched).toBe(0);
    expect(r.atHalf.unmatched).toBe(0);
    const within = (counts: number[], expected: number[]) =>
      counts.forEach((c, k) => expect(Math.abs(c / N - expected[k]), `component ${k}`).toBeLessThan(5 * Math.sqrt((expected[k] * (1 - expected[k])) / N) + 1e-9));
    within(r.atOne.counts, r.pi);
    within(r.atHalf.counts, r.expectedAtHalf);
    expect(r.frozenIsArgmaxMean).toBe(true);
  });

  it('gives the same draws however the rows are chunked', async () => {
    expect(await page().run('samplingChunks')).toEqual({ length: 5 * 7 * 2, identical: true });
  });
});

describe('sampling kernel variants', () => {
  // Models get the unrolled kernel (heads up to 256 outputs), which the tests above check by statistics; wider
  // heads get the loops. Both must draw the same values from the same head, including at temperature 0.
  it.each(
    [
      { components: 1, dims: 1, sigma: 'exp', temperature: 1, family: 'gaussian' },
      { components: 5, dims: 2, sigma: 'softplus', temperature: 0.7, family: 'gaussian' },
      { components: 24, dims: 3, sigma: 'elu1', temperature: 1, family: 'gaussian' },
      { components: 24, dims: 1, sigma: 'exp', temperature: 0, family: 'gaussian' },
      { components: 5, dims: 2, sigma: 'softplus', temperature: 1, family: 'laplace' },
      { components: 24, dims: 3, sigma: 'exp', temperature: 0.7, family: 'laplace' },
      { components: 5, dims: 2, sigma: 'softplus', temperature: 1, family: 'student-t', degreesOfFreedom: 1.5 },
      { components: 24, dims: 1, sigma: 'elu1', temperature: 1, family: 'student-t', degreesOfFreedom: 6 },
    ],
  )('K $components, D $dims, $sigma σ, temperature $temperature, $family components: unrolled and loops agree bit for bit', async (args) => {
    const r = await page().run<{ identical: boolean; allFinite: boolean; distinct: number }>('samplingVariantsAgree', args);
    expect(r.allFinite).toBe(true);
    expect(r.distinct).toBeGreaterThan(100); // 33 rows x 5 samples x D values, not a constant
    expect(r.identical).toBe(true);
  });
});
