// Fuzzing the loaders of untrusted input with seeded mutations: every input must either load or throw the
// loader's own error (ModelFormatError, CsvError), never another exception, and never take long.
import { describe, expect, it } from 'vitest';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { CsvError, parseCsv, selectColumns } from '../../src/mdn/data/csv.js';
import { initialParameters } from '../../src/mdn/init.js';
import { Random } from '../../src/mdn/random.js';
import { type MdnArchitecture, networkLayers, withLayers } from '../../src/mdn/architecture.js';
import { readFileSync } from 'node:fs';
import { rewriteManifest, rewriteSafetensorsHeader } from '../support/modelBytes.js';

const CASES = 3000;

function mutateBytes(source: Uint8Array, random: Random): Uint8Array {
  const bytes = Array.from(source);
  const edits = 1 + Math.floor(random.uniform() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random.uniform() * bytes.length);
    const kind = Math.floor(random.uniform() * 5);
    if (kind === 0) bytes[at] ^= 1 << Math.floor(random.uniform() * 8); // flip a bit
    else if (kind === 1) bytes[at] = Math.floor(random.uniform() * 256); // replace a byte
    else if (kind === 2) bytes.length = at; // truncate
    else if (kind === 3) bytes.splice(at, 0, ...Array.from({ length: 1 + Math.floor(random.uniform() * 8) }, () => Math.floor(random.uniform() * 256)));
    else bytes.splice(at, 1 + Math.floor(random.uniform() * 8)); // delete
  }
  return Uint8Array.from(bytes);
}

/** Mutates the manifest as JSON (the structured part attackers would target), keeping the weights. */
function mutateManifest(source: Uint8Array, random: Random): Uint8Array {
  const values: unknown[] = [null, -1, 0, 1.5, 1e9, 2 ** 53, 'x', [], {}, true, Number.MAX_SAFE_INTEGER, '__proto__'];
  const pick = () => values[Math.floor(random.uniform() * values.length)];
  const edits: ((manifest: any) => void)[] = [
    (m) => (m.architecture.inputDim = pick()),
    (m) => (m.architecture.hidden = [pick(), pick()]),
    (m) => (m.architecture.components = pick()),
    (m) => (m.architecture.sigma = pick()),
    (m) => (m.architecture = pick()),
    (m) => (m.layers = pick()),
    (m) => (m.layers[0] = pick()),
    (m) => (m.weightCount = pick()),
    (m) => (m.version = pick()),
    (m) => (m.__proto__ = { polluted: true }),
    (m) => (m.extra = pick()),
  ];
  return rewriteManifest(source, edits[Math.floor(random.uniform() * edits.length)]);
}

/** Mutates the safetensors header's tensor table (dtype, shape, offsets, names), keeping the data. */
function mutateHeader(source: Uint8Array, random: Random): Uint8Array {
  const values: unknown[] = [null, -1, 0, 3, 24, 1e9, 2 ** 53, 'F16', 'F32', 'x', [], [0, 0], [1, 0], [2 ** 60, 2 ** 61], {}, true];
  const pick = () => values[Math.floor(random.uniform() * values.length)];
  return rewriteSafetensorsHeader(source, (h) => {
    const names = Object.keys(h).filter((k) => k !== '__metadata__');
    const name = names[Math.floor(random.uniform() * names.length)];
    const edits: (() => void)[] = [
      () => (h[name].dtype = pick()),
      () => (h[name].shape = pick()),
      () => (h[name].shape = [pick(), pick()]),
      () => (h[name].data_offsets = pick()),
      () => (h[name].data_offsets = [pick(), pick()]),
      () => (h[name] = pick()),
      () => delete h[name],
      () => (h[`${name}.copy`] = h[name]),
      () => (h.__metadata__ = pick()),
      () => (h.__metadata__.mixden = pick()),
    ];
    edits[Math.floor(random.uniform() * edits.length)]();
  });
}

function mutateText(source: string, random: Random): string {
  const alphabet = ['"', ',', '\n', '\r', '\r\n', '\uFEFF', ' ', 'NaN', '1e999', '-', '.', 'abc', '""', '\u0000', 'é'];
  let text = source;
  const edits = 1 + Math.floor(random.uniform() * 5);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random.uniform() * (text.length + 1));
    const kind = Math.floor(random.uniform() * 3);
    if (kind === 0) text = text.slice(0, at) + alphabet[Math.floor(random.uniform() * alphabet.length)] + text.slice(at);
    else if (kind === 1) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random.uniform() * 5));
    else text = text.slice(0, at);
  }
  return text;
}

describe('fuzzing', () => {
  const arch: MdnArchitecture = { inputDim: 2, outputDim: 2, hidden: [5, 3], activation: 'tanh', components: 3, sigma: 'softplus', sigmaEpsilon: 1e-7 };
  const model = encodeModel(arch, initialParameters(arch, 1).map((b) => Float32Array.from(b)), { columns: ['a', 'b'] });

  // The earlier MIXDEN format, which files of release 0.1.0 are in and which still loads.
  const legacy = new Uint8Array(readFileSync('test/fixtures/api-0.1.0.mixden'));

  it.each([
    ['byte mutations', mutateBytes, model, 1],
    ['manifest mutations', mutateManifest, model, 2],
    ['safetensors header mutations', mutateHeader, model, 5],
    ['byte mutations of the earlier MIXDEN format', mutateBytes, legacy, 6],
    ['manifest mutations of the earlier MIXDEN format', mutateManifest, legacy, 7],
  ] as const)(`${CASES} model files with %s load or throw ModelFormatError`, (_, mutate, model, seed) => {
    const random = new Random(seed);
    const outcomes = { loaded: 0, refused: 0 };
    const started = performance.now();
    for (let i = 0; i < CASES; i++) {
      const bytes = mutate(model, random);
      try {
        const { blocks } = decodeModel(bytes);
        expect(blocks.every((b) => b.every(Number.isFinite))).toBe(true);
        outcomes.loaded++;
      } catch (error) {
        if (!(error instanceof ModelFormatError)) throw new Error(`case ${i}: ${String(error)}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.loaded + outcomes.refused).toBe(CASES);
    expect(outcomes.refused).toBeGreaterThan(CASES / 4); // the mutations do reach the checks
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it(`${CASES} model files with layer lists mutated load or throw ModelFormatError`, () => {
    const layered = withLayers({ inputDim: 2, outputDim: 1, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 }, [
      { kind: 'dense', units: 4, activation: 'relu' },
      { kind: 'layerNorm' },
      { kind: 'dense', units: 3, activation: 'tanh' },
    ]);
    const bytes = encodeModel(layered, initialParameters(layered, 2).map((b) => Float32Array.from(b)));
    const values: unknown[] = [null, -1, 0, 1e-40, 1.5, 4, 1e9, 'x', 'dense', 'layerNorm', 'constructor', [], {}, true];
    const random = new Random(4);
    const pick = () => values[Math.floor(random.uniform() * values.length)];
    const at = () => Math.floor(random.uniform() * 4);
    const edits: ((manifest: any) => void)[] = [
      (m) => (m.architecture.layers = pick()),
      (m) => (m.architecture.layers[at()] = pick()),
      (m) => (m.architecture.layers[at()] = { ...m.architecture.layers[0], kind: pick() }),
      (m) => (m.architecture.layers[0].units = pick()),
      (m) => (m.architecture.layers[1].epsilon = pick()),
      (m) => m.architecture.layers.push({ kind: pick(), units: pick() }),
      (m) => m.architecture.layers.splice(at(), 1),
      (m) => (m.layers[at()].kind = pick()),
      (m) => (m.layers[1].length = pick()),
    ];
    const outcomes = { loaded: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const mutated = rewriteManifest(bytes, edits[Math.floor(random.uniform() * edits.length)]);
      try {
        const { architecture, blocks } = decodeModel(mutated);
        expect(blocks.length).toBe(networkLayers(architecture).length);
        outcomes.loaded++;
      } catch (error) {
        if (!(error instanceof ModelFormatError)) throw new Error(`case ${i}: ${String(error)}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.loaded + outcomes.refused).toBe(CASES);
    expect(outcomes.refused).toBeGreaterThan(CASES / 2);
  });

  it(`${CASES} mutated CSV files parse or throw CsvError`, () => {
    const random = new Random(3);
    const base = 'x,"y value",z\n1,2,3\n4.5,"6",-7\n8,9e1,10\n';
    const outcomes = { loaded: 0, refused: 0 };
    for (let i = 0; i < CASES; i++) {
      const text = mutateText(base, random);
      try {
        const table = parseCsv(text);
        selectColumns(table, [table.columns[0]]);
        outcomes.loaded++;
      } catch (error) {
        if (!(error instanceof CsvError)) throw new Error(`case ${i} (${JSON.stringify(text)}): ${String(error)}`);
        outcomes.refused++;
      }
    }
    expect(outcomes.loaded + outcomes.refused).toBe(CASES);
    expect(outcomes.loaded).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
