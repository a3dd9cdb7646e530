// Recurrent layers (LSTM, GRU) in headless Chromium against the float64 reference through time (tolerances
// justified in test/browser/cases/recurrent.ts): T = 1, 7, 33 steps, batches of 1 and 5, sequences ending early
// (masked), units below, at and above one workgroup of invocations, both designs of the walk.
import { describe, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

// Units of 8, 12 and 260 run in vec4 lanes (260: more lanes than a workgroup's invocations), 1, 5 and 70 in scalar
// ones; 12 also forced to scalar lanes (LSTM). Workgroups walk the adapter class's sequences (4 here, so batches of
// 5 leave one workgroup a single sequence), and 1 (GRU), 2 (LSTM) and 8 (GRU, lavapipe's forward walk) forced: the sequences and lanes are generated
// alike for both cells, so each forced variant runs for one cell (compiling a variant is most of a case's time).
const SIZES = [
  { steps: 1, batch: 1, inputs: 1, units: 1 },
  { steps: 7, batch: 5, inputs: 3, units: 8, masked: true },
  { steps: 33, batch: 1, inputs: 2, units: 5 },
  { steps: 7, batch: 1, inputs: 4, units: 70, inputActivation: 'tanh' as const },
  { steps: 33, batch: 5, inputs: 6, units: 12, masked: true, inputActivation: 'tanh' as const },
  { steps: 33, batch: 5, inputs: 6, units: 12, masked: true, inputActivation: 'tanh' as const, lane: 1 as const, only: 'lstm' },
  { steps: 7, batch: 2, inputs: 3, units: 260, inputActivation: 'tanh' as const },
  { steps: 7, batch: 5, inputs: 3, units: 8, masked: true, sequences: 1 as const, only: 'gru' },
  { steps: 33, batch: 5, inputs: 6, units: 12, masked: true, inputActivation: 'tanh' as const, sequences: 2 as const, only: 'lstm' },
  { steps: 7, batch: 10, inputs: 3, units: 12, masked: true, sequences: 8 as const, only: 'gru' },
];
// One dispatch per step is the same kernel dispatched differently: its own cases are the two masked sizes.
const PER_STEP = new Set([1, 4]);
const sweep = (['lstm', 'gru'] as const).flatMap((cell) =>
  SIZES.flatMap((size, i) => ((size as { only?: string }).only ?? cell) !== cell ? [] :
    (PER_STEP.has(i) ? (['looped', 'perStep'] as const) : (['looped'] as const)).map((design) => ({
      cell,
      design,
      ...size,
      masked: size.masked ?? false,
      lane: (size as { lane?: 1 | 4 }).lane ?? (size.units % 4 === 0 ? 4 : 1),
      sequences: (size as { sequences?: 1 | 2 | 4 | 8 }).sequences ?? (size.units <= 512 ? 4 : 2),
    })),
  ),
);

// The walk as a dispatch per step of register-blocked products (units divisible by 4): with no adapter class
// (register blocks), and as chosen for SwiftShader (vec4 lanes of 8 sequences through subgroups) and lavapipe
// (one unit a lane forward, 32 sequences through subgroups, so 37 sequences leave a part-filled block), at this
// page's subgroup size; 260 units take more than one workgroup's lanes.
const BLOCKED = (['lstm', 'gru'] as const).flatMap((cell) =>
  [
    { steps: 7, batch: 5, inputs: 3, units: 8, masked: true },
    { steps: 33, batch: 5, inputs: 6, units: 12, masked: true, inputActivation: 'tanh' as const, adapterClass: 'swiftshader' as const },
    { steps: 7, batch: 2, inputs: 3, units: 260, inputActivation: 'tanh' as const, adapterClass: 'lavapipe' as const },
    { steps: 9, batch: 37, inputs: 2, units: 8, masked: true, adapterClass: 'lavapipe' as const },
  ].map((size) => ({ cell, design: 'blockedSteps' as const, masked: false, adapterClass: undefined, ...size })),
);

describe('recurrent layers through time', () => {
  it.each(BLOCKED)('$cell, $design as for $adapterClass: T $steps, batch $batch, $inputs -> $units, masked $masked, input gradient through $inputActivation', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('recurrentLayer', args)),
  );
  it.each(sweep)('$cell, $design, lanes of $lane, $sequences sequences per workgroup: T $steps, batch $batch, $inputs -> $units, masked $masked, input gradient through $inputActivation', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('recurrentLayer', args)),
  );
});

// Stateful windows: both cells, the three designs (the walk per step with the LSTM; blocked steps as chosen for
// each software adapter), scalar and vec4 lanes, 2, 4 and 8 sequences per workgroup, and one-step windows (where
// the step that reads the carried state also leaves the new one); each variant once.
describe('stateful windows (a window starts from the state the last one left)', () => {
  it.each([
    { cell: 'lstm', design: 'looped', steps: 7, batch: 5, inputs: 3, units: 8, inputActivation: 'tanh' },
    { cell: 'lstm', design: 'perStep', steps: 1, batch: 5, inputs: 3, units: 12, lane: 1, sequences: 2 },
    { cell: 'gru', design: 'looped', steps: 1, batch: 10, inputs: 3, units: 12, sequences: 8, inputActivation: 'tanh' },
    { cell: 'lstm', design: 'blockedSteps', steps: 7, batch: 5, inputs: 3, units: 8, inputActivation: 'tanh', adapterClass: 'swiftshader' },
    { cell: 'lstm', design: 'blockedSteps', steps: 1, batch: 35, inputs: 2, units: 12, adapterClass: 'lavapipe' },
    { cell: 'gru', design: 'blockedSteps', steps: 5, batch: 10, inputs: 3, units: 12, inputActivation: 'tanh', adapterClass: 'lavapipe' },
    { cell: 'gru', design: 'blockedSteps', steps: 1, batch: 3, inputs: 3, units: 4 },
  ] as const)('$cell, $design $adapterClass: two windows of $steps steps, batch $batch, $inputs -> $units, against the reference from the same states', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('recurrentCarried', { masked: false, ...args })),
  );
});

describe('sequence training', () => {
  it('stateful windows in a trainer (an LSTM, a GRU, two epochs of the schedule) lose what the reference loses walking each run of windows', async () =>
    expectReportsPass(await page().run<CompareReport[]>('statefulWindowLosses', { cell: 'lstm' })),
  );

  it.each([
    { cell: 'lstm', steps: 4, sequences: 5, length: 7 },
    { cell: 'gru', steps: 4, sequences: 5, length: 7 },
    { cell: 'lstm', steps: 3, sequences: 1, length: 33 },
    { cell: 'gru', steps: 3, sequences: 3, length: 1 },
  ])('$cell: $steps Adam steps on $sequences padded sequences of up to $length steps match the float64 reference', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('recurrentTrainingSteps', args)),
  );
  // The GPU class's kernels, forced on the software adapter: tiled products, and over 4 x 300 = 1200 rows the
  // weight gradients split K in 2 slices (their partial sums in the layers' workspace), then splitKSum.
  it.each([
    { cell: 'lstm', steps: 2, sequences: 4, length: 300, gpuClass: true },
    { cell: 'gru', steps: 2, sequences: 5, length: 7, gpuClass: true },
  ])('$cell with the GPU-class kernels: $steps Adam steps on $sequences sequences of up to $length steps match the float64 reference', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('recurrentTrainingSteps', args)),
  );
});

describe('generation steps (one call per step, continuing the last)', () => {
  it("through a stacked network (LSTM, dense, GRU, dense, head), the generator's continued steps give the head of the walk over all steps", async () =>
    expectReportsPass(await page().run<CompareReport[]>('stackedContinuedSteps', {})),
  );
  it.each([
    { cell: 'gru', design: 'looped', steps: 5, batch: 3, inputs: 2, units: 70 },
    { cell: 'lstm', design: 'products', steps: 5, batch: 3, inputs: 2, units: 70 },
    { cell: 'gru', design: 'products', steps: 7, batch: 5, inputs: 3, units: 8 },
    // The fused step (its default without an adapter: vec4 lanes of 8 rows, one unit a lane of 16 where the units do
    // not divide by 4): sequences fewer than one block of rows, and a last block part-filled; one lane of units and
    // many; x's and h's loads through subgroups (Chromium's 4-lane ones on SwiftShader: 2 or 8 loads a lane).
    { cell: 'lstm', design: 'fusedStep', steps: 5, batch: 3, inputs: 2, units: 8 },
    { cell: 'gru', design: 'fusedStep', steps: 7, batch: 11, inputs: 3, units: 12 },
    { cell: 'gru', design: 'fusedStep', steps: 4, batch: 17, inputs: 2, units: 7 },
    { cell: 'lstm', design: 'fusedStep', steps: 3, batch: 9, inputs: 5, units: 16, stepVariant: { rows: 4 } },
    { cell: 'lstm', design: 'fusedStep', steps: 4, batch: 10, inputs: 1, units: 72, stepVariant: { rows: 8, subgroup: true } },
    { cell: 'gru', design: 'fusedStep', steps: 5, batch: 5, inputs: 3, units: 4, stepVariant: { rows: 4, subgroup: true } },
    { cell: 'lstm', design: 'fusedStep', steps: 3, batch: 37, inputs: 3, units: 9, stepVariant: { rows: 32, lane: 1, subgroup: true } },
  ] as const)('$cell, $design $stepVariant: $steps steps of $batch sequences, $inputs -> $units, match the walk of the reference', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('recurrentContinued', args)),
  );
});
