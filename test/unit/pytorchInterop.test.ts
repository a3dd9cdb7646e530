// Interop with PyTorch through the model file, against fixtures made by real PyTorch (1.13, Debian's
// python3-torch) with interop/pytorch/make_fixtures.py; nothing here runs Python.
// - Models trained by the twin load, and their log-densities and mixture parameters, computed by the twin in
//   float64 from the file's float32 weights, equal mixden's float64 reference of the same file.
// - Files saved by mixden, scored by the twin, give mixden's values; saved again by the twin, they hold the
//   same weights bit for bit (mixden → safetensors → twin → safetensors → mixden).
// Tolerance atol 1e-8 + rtol 1e-8: both sides are float64 from the same weights, differing only in the order
// of operations and in library functions (PyTorch's softplus returns s itself above 20, 2e-9 from log1p(eˢ)).
// The GPU's float32 against the same fixtures is in test/gpu/fixtures.test.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { compareArrays } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { referenceLogDensity, referenceMixture, referenceSequenceLogDensity } from '../support/referenceModel.js';

const FIXTURES = 'test/fixtures/pytorch';
const file = (name: string) => new Uint8Array(readFileSync(`${FIXTURES}/${name}`));
const json = (name: string) => JSON.parse(readFileSync(`${FIXTURES}/${name}`, 'utf8'));
const TIGHT = { atol: 1e-8, rtol: 1e-8 };

// The twin's side probabilities, one flat array per side output, in mixden's layout (each row's outputs in turn).
function sideLayout(sides: number[][], rows: number): number[] {
  const widths = sides.map((s) => s.length / rows);
  return Array.from({ length: rows }, (_, r) => sides.flatMap((s, i) => s.slice(r * widths[i], (r + 1) * widths[i]))).flat();
}

function mixtureReports(label: string, actual: ReturnType<typeof referenceMixture>, expected: { logProb: number[]; pi: number[]; mu: number[]; sigma: number[]; lower: number[]; nu?: number[]; sides?: number[][] }) {
  // The factor below the diagonal only where the family has one; learned ν where it is learned.
  const parts = [...(['pi', 'mu', 'sigma'] as const), ...(expected.lower.length ? (['lower'] as const) : []), ...(expected.nu ? (['nu'] as const) : [])];
  expect(actual.lower.length).toBe(expected.lower.length);
  expect(actual.nu.length).toBe(expected.nu?.length ?? 0);
  const reports = parts.map((part) => compareArrays(`${label} ${part}`, actual[part], expected[part] ?? [], TIGHT));
  expect(actual.sides.length > 0).toBe(expected.sides !== undefined);
  if (expected.sides) reports.push(compareArrays(`${label} side outputs`, actual.sides, sideLayout(expected.sides, expected.logProb.length), TIGHT));
  return reports;
}

describe('models trained by the PyTorch twin', () => {
  it.each(['layernorm', 'full', 'student-t', 'learned-nu', 'von-mises', 'sides'])('twin-%s: mixden reads the file and computes what PyTorch computed', (name) => {
    const decoded = decodeModel(file(`twin-${name}.safetensors`));
    const expected = json(`twin-${name}-expected.json`);
    expect((decoded.metadata as { trainedBy: string }).trainedBy).toBe('interop/pytorch/make_fixtures.py');
    const logDensity = referenceLogDensity(decoded, expected.x, expected.y);
    expect(logDensity.length).toBe(13);
    expectReportsPass([compareArrays(`twin-${name} log p(y|x)`, logDensity, expected.logProb, TIGHT), ...mixtureReports(`twin-${name}`, referenceMixture(decoded, expected.x), expected)]);
  });

  it('covers a layerNorm trunk, full covariance, Student-t (ν fixed and learned) and von Mises components, with and without scalers', () => {
    const families = ['layernorm', 'full', 'student-t', 'learned-nu', 'von-mises'].map((n) => decodeModel(file(`twin-${n}.safetensors`)).architecture);
    expect(families.map((a) => a.family ?? 'gaussian')).toEqual(['gaussian', 'gaussian-full', 'student-t', 'student-t', 'von-mises']);
    expect(families.map((a) => a.degreesOfFreedom)).toEqual([undefined, undefined, 3, 'learned', undefined]);
    expect(families[0].layers?.map((l) => l.kind)).toEqual(['dense', 'layerNorm', 'dense']);
    expect(decodeModel(file('twin-student-t.safetensors')).scaling).toBeUndefined();
  });
});

// Sequence models (recurrent trunks): the per-step log-densities of a few sequences, autoregressive inputs and
// conditions included, computed by the twin (torch.nn.LSTM/GRU) and by mixden's reference from the same file.
describe('sequence models and the PyTorch twin', () => {
  it.each(['sequence-lstm', 'sequence-gru'])('twin-%s (trained by the twin): mixden computes what PyTorch computed at every step', (name) => {
    const decoded = decodeModel(file(`twin-${name}.safetensors`));
    const expected = json(`twin-${name}-expected.json`);
    expect(decoded.architecture.sequence).toBeDefined();
    expect(decoded.architecture.layers?.some((l) => l.kind === 'lstm')).toBe(true);
    expectReportsPass([compareArrays(`twin-${name} log p(y_t | y_<t)`, referenceSequenceLogDensity(decoded, expected.sequences), expected.logProb, TIGHT)]);
  });

  it.each(['sequence-gru', 'sequence-lstm'])('mixden-%s: the twin computes what mixden computes, and saves the weights again bit for bit', (name) => {
    const decoded = decodeModel(file(`mixden-${name}.safetensors`));
    const { sequences } = json(`mixden-${name}-inputs.json`);
    const twin = json(`mixden-${name}-twin.json`);
    expectReportsPass([compareArrays(`mixden-${name} log p(y_t | y_<t)`, referenceSequenceLogDensity(decoded, sequences), twin.logProb, TIGHT)]);
    const resaved = decodeModel(file(`mixden-${name}-resaved.safetensors`));
    expect(resaved.architecture).toEqual(decoded.architecture);
    resaved.blocks.forEach((b, i) => expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(decoded.blocks[i].buffer, decoded.blocks[i].byteOffset, decoded.blocks[i].byteLength))).toBe(true));
  });

  it('covers LSTM and GRU layers, stacked and between dense and layerNorm layers, with and without a condition', () => {
    const trunks = ['twin-sequence-lstm', 'twin-sequence-gru', 'mixden-sequence-gru', 'mixden-sequence-lstm'].map((n) => decodeModel(file(`${n}.safetensors`)).architecture);
    expect(trunks.map((a) => a.layers?.map((l) => l.kind).join(','))).toEqual(['lstm,dense', 'gru,layerNorm,lstm', 'gru,dense', 'lstm,layerNorm,lstm']);
    expect(trunks.map((a) => a.sequence?.conditionDim)).toEqual([2, 0, 3, 0]);
  });
});

describe('files saved by mixden, read by the PyTorch twin', () => {
  it.each(['laplace', 'full', 'lognormal', 'learned-nu', 'von-mises', 'sides'])('mixden-%s: the twin computes what mixden computes', (name) => {
    const decoded = decodeModel(file(`mixden-${name}.safetensors`));
    const inputs = json(`mixden-${name}-inputs.json`);
    const twin = json(`mixden-${name}-twin.json`);
    expectReportsPass([compareArrays(`mixden-${name} log p(y|x)`, referenceLogDensity(decoded, inputs.x, inputs.y), twin.logProb, TIGHT), ...mixtureReports(`mixden-${name}`, referenceMixture(decoded, inputs.x), twin)]);
  });

  it.each(['laplace', 'full', 'lognormal', 'learned-nu', 'von-mises', 'sides'])('mixden-%s: saved again by the twin, the weights are bit for bit mixden’s', (name) => {
    const original = decodeModel(file(`mixden-${name}.safetensors`));
    const resaved = decodeModel(file(`mixden-${name}-resaved.safetensors`));
    expect(resaved.architecture).toEqual(original.architecture);
    expect(resaved.scaling).toEqual(original.scaling);
    expect(resaved.metadata).toEqual(original.metadata);
    resaved.blocks.forEach((b, i) => expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.from(original.blocks[i].buffer, original.blocks[i].byteOffset, original.blocks[i].byteLength))).toBe(true));
  });

  it("the committed files are what mixden's writer makes of their contents today, byte for byte", () => {
    for (const name of ['laplace', 'full', 'lognormal', 'learned-nu', 'von-mises', 'sides']) {
      const bytes = file(`mixden-${name}.safetensors`);
      const d = decodeModel(bytes);
      expect(Buffer.from(encodeModel(d.architecture, d.blocks, d.metadata, d.scaling, d.scalePlan)).equals(Buffer.from(bytes))).toBe(true);
    }
  });
});
