// LayerNorm kernels in headless Chromium against the float64 reference (tolerances justified in
// test/browser/cases/layerNorm.ts): row widths of one feature, a few, and more than a workgroup, and
// row counts below and above one workgroup of rows; the forward pass with and without keeping its statistics.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();
const ACTIVATIONS = ['identity', 'relu', 'tanh', 'sigmoid', 'elu'] as const;
const SHAPES = [
  { rows: 1, width: 1 },
  { rows: 7, width: 3 },
  { rows: 65, width: 24 },
  { rows: 130, width: 70 },
];
const sweep = SHAPES.flatMap((shape, i) => [
  { ...shape, activation: ACTIVATIONS[i % ACTIVATIONS.length], offset: 0, epsilon: 1e-5 },
  { ...shape, activation: ACTIVATIONS[(i + 2) % ACTIVATIONS.length], offset: 0, epsilon: 0.1 },
]);

describe('layerNorm kernels', () => {
  it.each([...sweep.map((s, i) => ({ ...s, save: i % 2 === 0 })), ...SHAPES.map((s) => ({ ...s, activation: 'tanh' as const, offset: 100, epsilon: 1e-5, save: true }))])(
    'forward: $rows rows x $width, inputs offset by $offset, ε $epsilon, keeping its statistics: $save',
    async (args) => expectReportsPass(await page().run<CompareReport[]>('layerNormForward', args)),
  );
  it.each(sweep)('input gradient: $rows rows x $width through $activation, ε $epsilon', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('layerNormInputGrad', args)),
  );
  it.each(sweep)('parameter gradient: $rows rows x $width, ε $epsilon', async (args) =>
    expectReportsPass(await page().run<CompareReport[]>('layerNormParamGrad', args)),
  );
});

// The layer kind through every entry point (the case file says what each check compares and why).
describe('a model with layerNorm layers', () => {
  it.each([
    { steps: 5, rows: 9 },
    { steps: 3, rows: 70 },
  ])('$steps training steps on $rows rows match the float64 reference', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('layerNormTrainingSteps', args));
  });

  it('trains, predicts, scores, samples, saves, loads, embeds and exports through the same layers', async () => {
    const result = await page().run<{
      losses: number[];
      layers: unknown;
      labels: string[];
      validation: string;
      exportedIdentical: boolean;
      samplesFinite: boolean;
      samplesRepeat: boolean;
      reports: CompareReport[];
    }>('layerNormModelEndToEnd', {});
    expectReportsPass(result.reports);
    expect(result.losses[result.losses.length - 1]).toBeLessThan(result.losses[0]);
    expect(result.layers).toEqual([{ kind: 'dense', units: 16, activation: 'tanh' }, { kind: 'layerNorm', epsilon: 1e-5 }, { kind: 'dense', units: 12, activation: 'tanh' }]);
    expect(result.labels).toEqual(['layer0 1 -> 16 tanh', 'layer1 layerNorm 16', 'layer2 16 -> 12 tanh', 'layer3 12 -> 9 identity', 'mixture parameters']);
    expect(result.validation).toBe('');
    expect(result.exportedIdentical).toBe(true);
    expect(result.samplesFinite).toBe(true);
    expect(result.samplesRepeat).toBe(true);
  });
});
