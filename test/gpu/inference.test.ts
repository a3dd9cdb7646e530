// Inference in headless Chromium against the float64 reference (tolerances in test/browser/cases/inference.ts).
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

describe.each(['exp', 'softplus', 'elu1'])('mixtureParams, %s σ', (sigma) => {
  // Both variants: K and D compiled in and unrolled, and the loops that heads over 256 outputs keep.
  it.each(
    [
      { batch: 1, components: 1, dims: 1 },
      { batch: 7, components: 5, dims: 2 },
      { batch: 33, components: 24, dims: 3 },
      { batch: 1000, components: 24, dims: 1 },
    ].flatMap((shape) => (['unrolled', 'loops'] as const).map((layout) => ({ ...shape, layout }))),
  )('$layout: B $batch, K $components, D $dims', async (shape) => {
    expectReportsPass(await page().run<CompareReport[]>('mixtureParams', { ...shape, sigma }));
  });
});

describe('predictor', () => {
  it.each([
    { rows: 1, maxRows: 16 },
    { rows: 50, maxRows: 16 },
    { rows: 1000, maxRows: 65536 },
  ])('$rows rows in chunks of $maxRows match the reference network, and repeat exactly', async (args) => {
    const r = await page().run<{ chunks: number; repeatable: boolean; reports: CompareReport[] }>('predictor', args);
    expect(r.chunks).toBe(Math.ceil(args.rows / args.maxRows));
    expect(r.repeatable).toBe(true);
    expectReportsPass(r.reports);
  });
});
