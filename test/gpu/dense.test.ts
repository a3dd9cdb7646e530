// Dense kernels in headless Chromium against the float64 reference (tolerances justified in
// test/browser/cases/dense.ts), over shapes that are and are not multiples of the 32x32 tile.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const ROWS = [1, 7, 33, 1000];
const WIDTHS = [1, 3, 24, 130];
const ACTIVATIONS = ['identity', 'relu', 'tanh', 'sigmoid', 'elu'] as const;

const page = useGpuPage();

// Every rows x inputs x outputs combination once, cycling through the activations so each meets every size.
const sweep = ROWS.flatMap((rows, r) =>
  WIDTHS.flatMap((inputs, i) => WIDTHS.map((outputs, o) => ({ rows, inputs, outputs, activation: ACTIVATIONS[(r + i + o) % ACTIVATIONS.length] }))),
);

describe.each(['denseForward', 'denseInputGrad', 'denseWeightGrad'])('%s', (kernel) => {
  it.each(sweep)('$rows rows, $inputs -> $outputs, $activation', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>(kernel, args));
  });
});
