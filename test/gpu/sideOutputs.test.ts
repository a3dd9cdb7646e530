// Discrete side outputs (Bernoulli and categorical) after every head family, on the GPU.
// Tolerances: the whole head's NLL and log-density atol 2e-5 + rtol 2e-5 and gradients atol 2e-5 + rtol 1e-4,
// the family kernels' own (test/gpu/mixture.test.ts): the side outputs add a softplus or a log-sum-exp of at
// most 5 logits per output, each a few f32 ulp of its size (up to 1e3 with extreme logits, where rtol 2e-5 is
// 2e-2 absolute against an error of ~1e-4). Probabilities atol 1e-6 + rtol 1e-5: one exp and one division
// each. The family's own mixture parameters must not move at all when side logits follow them (bit for bit).
// Sampling: each class's frequency within 5 binomial standard errors of softmax(logits / T) over 8,000 draws,
// exactly the argmax at T = 0; continuous draws bit for bit those of the same model without side outputs.
import { describe, expect, it } from 'vitest';
import type { CompareReport } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { useGpuPage } from './page.js';

const page = useGpuPage();

const HEADS = [
  { family: 'gaussian', components: 5, dims: 1 }, // K and D unrolled
  { family: 'gaussian', components: 24, dims: 3 }, // the looping kernels
  { family: 'gaussian-full', components: 3, dims: 2 },
  { family: 'laplace', components: 2, dims: 2 },
  { family: 'student-t', components: 5, dims: 1 },
];

describe('a head with side outputs against the float64 reference', () => {
  it.each(HEADS.flatMap((h) => [1, 7, 33, 1000].map((rows) => ({ ...h, rows, extreme: false }))).concat(HEADS.map((h) => ({ ...h, rows: 33, extreme: true }))))(
    '$family K $components D $dims, B $rows, extreme logits $extreme',
    async (args) => {
      const r = await page().run<{ finite: boolean; familyParamsUnmoved: boolean; reports: CompareReport[] }>('sideOutputHead', args);
      expect(r.finite).toBe(true);
      expect(r.familyParamsUnmoved).toBe(true);
      expectReportsPass(r.reports);
    },
  );
});

describe('sampling side outputs', () => {
  it.each([1, 0.5, 0])('temperature %s: frequencies of softmax(logits / T), continuous draws unmoved', async (temperature) => {
    const r = await page().run<{ continuousUnmoved: boolean; valuesValid: boolean; observed: number[][]; expected: number[][]; draws: number; predicted: number[][]; predictedExpected: number[][] }>('sideOutputSampling', { temperature });
    expect(r.continuousUnmoved).toBe(true);
    expect(r.valuesValid).toBe(true);
    r.observed.forEach((freq, s) =>
      freq.forEach((f, k) => {
        const p = r.expected[s][k];
        expect(Math.abs(f - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / r.draws));
      }),
    );
    r.predicted.forEach((p, s) => p.forEach((v, k) => expect(v).toBeCloseTo(r.predictedExpected[s][k], 6)));
  });
});

describe.each(['gaussian', 'gaussian-full', 'student-t'])('training a %s head with side outputs', (family) => {
  it.each([
    { steps: 5, rows: 9 },
    { steps: 3, rows: 70 },
  ])('$steps steps on $rows rows match the float64 reference', async (args) => {
    expectReportsPass(await page().run<CompareReport[]>('sideOutputTrainingSteps', { ...args, family }));
  });
});

describe('a model with side outputs', () => {
  it('trains, predicts their probabilities, scores and samples them; saved, loaded, embedded and exported', async () => {
    const r = await page().run<{
      losses: number[];
      sideOutputs: unknown;
      pen: number[];
      third: number[];
      never: number[];
      logProbFinite: boolean;
      drawShape: number[];
      drawsValid: boolean;
      loadedSame: boolean;
      kernelSame: boolean;
      kernelRowsSame: boolean;
      labels: string[];
      validation: string;
    }>('sideOutputModelEndToEnd', {});
    expect(r.losses[r.losses.length - 1]).toBeLessThan(r.losses[0]);
    expect(r.sideOutputs).toEqual([{ kind: 'bernoulli', name: 'pen' }, { kind: 'categorical', classes: 3, name: 'third' }, { kind: 'bernoulli', name: 'never' }]);
    // The pen lifts with probability 0.1 left of x = 1 and 0.9 right of it.
    expect(r.pen[0]).toBeLessThan(0.3);
    expect(r.pen[2]).toBeGreaterThan(0.7);
    // The class is the third of [−3, 3] that x falls in: each probe is in a different third.
    [0, 1, 2].forEach((c) => expect(r.third[c * 3 + c]).toBeGreaterThan(0.6));
    r.never.forEach((p) => expect(p).toBeLessThan(0.1));
    expect(r.logProbFinite).toBe(true);
    expect(r.drawShape).toEqual([3, 3, 4]);
    expect(r.drawsValid).toBe(true);
    expect(r.loadedSame).toBe(true);
    expect(r.kernelSame).toBe(true);
    expect(r.kernelRowsSame).toBe(true);
    expect(r.labels).toEqual(['input scaling', 'layer0 1 -> 16 tanh', 'layer1 16 -> 11 identity', 'mixture parameters', 'side output probabilities', 'mixture unscaling']);
    expect(r.validation).toBe('');
  });
});
