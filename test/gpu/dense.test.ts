// Dense kernels in headless Chromium against the float64 reference (tolerances justified in
// test/browser/cases/dense.ts), over shapes that are and are not multiples of the blocks.
import { describe, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const ROWS = [1, 7, 33, 1000];
const WIDTHS = [1, 3, 24, 130];
// Multiples of 4 (B read as vec4s) including two that end half-way through an 8-wide block.
const VECTOR_WIDTHS = [1, 12, 24, 36];
const ACTIVATIONS = ['identity', 'relu', 'tanh', 'sigmoid', 'elu'] as const;

const page = useGpuPage();

// Every rows x inputs x outputs combination once, cycling through the activations so each meets every size:
// all operands scalar over the widths 1, 3, 24 and 130, and B as vec4s wherever its stride allows.
const combinations = (widths: number[], vector: boolean) =>
  ROWS.flatMap((rows, r) =>
    widths.flatMap((inputs, i) =>
      widths.map((outputs, o) => ({ rows, inputs, outputs, activation: ACTIVATIONS[(r + i + o) % ACTIVATIONS.length], vector })),
    ),
  );
const sweep = [...combinations(WIDTHS, false), ...combinations(VECTOR_WIDTHS, true)];

describe.each(['denseForward', 'denseInputGrad'])('%s', (kernel) => {
  // The input gradient has no vec4 variant: its vector half of the sweep repeats other widths, of which every
  // other case is kept (the edges 12 and 36 still meet every row count).
  const cases = kernel === 'denseInputGrad' ? sweep.filter((args, i) => !args.vector || i % 2 === 0) : sweep;
  it.each(cases)('$rows rows, $inputs -> $outputs, $activation, B as vec4 where aligned: $vector', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>(kernel, args));
  });
});

// The forward product in the 8x8 blocks lavapipe's class runs where the device has no subgroups of one size
// (forwardBlockFor), here on SwiftShader: every other case of the sweep (all sizes and activations still meet;
// the generator is the 16 x 8 blocks' one, over the whole sweep above).
describe('denseForward in 8x8 blocks (the lavapipe class)', () => {
  it.each(sweep.filter((_, i) => i % 2 === 0))('$rows rows, $inputs -> $outputs, $activation, B as vec4 where aligned: $vector', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('denseForward', { ...args, adapterClass: 'lavapipe' }));
  });
});

// The three products in workgroup-memory tiles of 64 x 64 (tiledMatmul.wgsl.ts), the GPU-class kernels, here on
// SwiftShader; the same rounding bounds hold whatever the order of the sums.
describe.each(['denseForward', 'denseInputGrad', 'denseWeightGrad'])('%s in workgroup-memory tiles (the GPU class)', (kernel) => {
  it.each(sweep.filter((_, i) => i % 2 === 0))('$rows rows, $inputs -> $outputs, $activation', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>(kernel, { ...args, tiled: true }));
  });
});

// The GPU class's weight gradient with K split over the rows (slices of at least 4 rows here, so most cases run
// several, up to the 32 the split allows; one row runs one and writes the gradient directly), then splitKSum.
describe('denseWeightGrad in tiles with K split over the rows (the GPU class)', () => {
  it.each(sweep.filter((_, i) => i % 2 === 1))('$rows rows, $inputs -> $outputs', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('denseWeightGrad', { ...args, splitRows: 4 }));
  });
});

// Fitted blocks have the sizes' own row counts (2, 4, 13, 15 here); 8x16 checks 16 columns on every size.
describe.each(['fitted', 'wide'])('denseWeightGrad in %s blocks', (block) => {
  it.each(sweep)('$rows rows, $inputs -> $outputs, B as vec4 where aligned: $vector', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('denseWeightGrad', { ...args, block }));
  });
});

// The three products with loads shared through subgroups (subgroupMatmul.wgsl.ts), lavapipe's kernels, here at
// SwiftShader's subgroup size; test/gpu/adapters.test.ts runs them on lavapipe itself. Every other combination
// of the sweep (all sizes and activations still meet), each product in turn with rows of one subgroup per
// workgroup (the weight gradient's choice for narrow layers), 16 rows and 32 (BATCH_ROWS_PER_GROUP).
describe.each(['denseForward', 'denseInputGrad', 'denseWeightGrad'])('%s with subgroup broadcasts', (kernel) => {
  it.each(sweep.filter((_, i) => i % 2 === 1).map((args, i) => ({ ...args, subgroupRows: [4, 16, 32][i % 3] })))('$rows rows, $inputs -> $outputs, $activation, B as vec4 where aligned: $vector, $subgroupRows rows a workgroup', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>(kernel, { ...args, subgroups: true }));
  });
});
