// The model file format: round trip, and a clear ModelFormatError for every kind of bad file.
import { describe, expect, it } from 'vitest';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { initialParameters } from '../../src/mdn/init.js';
import type { MdnArchitecture } from '../../src/mdn/architecture.js';
import { rewriteManifest } from '../support/modelBytes.js';

const arch: MdnArchitecture = { inputDim: 2, outputDim: 1, hidden: [3], activation: 'relu', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 };
const blocks = initialParameters(arch, 1).map((b) => Float32Array.from(b, (v, i) => v + i * 1e-3));
const good = encodeModel(arch, blocks);

const withManifest = (edit: (m: any) => void): Uint8Array => rewriteManifest(good, edit);

const expectFormatError = (bytes: Uint8Array, message: RegExp) => {
  expect(() => decodeModel(bytes)).toThrow(ModelFormatError);
  expect(() => decodeModel(bytes)).toThrow(message);
};

describe('model file', () => {
  it('round-trips the architecture and every weight bit for bit', () => {
    const { architecture, blocks: read } = decodeModel(good);
    expect(architecture).toEqual(arch);
    read.forEach((b, i) => expect(Array.from(b)).toEqual(Array.from(blocks[i])));
    expect(encodeModel(architecture, read)).toEqual(good);
  });

  it('carries application metadata through a round trip', () => {
    const metadata = { xColumns: ['a', 'b'], scaler: { shift: [1.5], scale: [2] } };
    const bytes = encodeModel(arch, blocks, metadata);
    expect(decodeModel(bytes).metadata).toEqual(metadata);
    expect(decodeModel(good).metadata).toBeUndefined();
  });

  it('accepts extra keys in the manifest, and never evaluates it', () => {
    expect(() => decodeModel(withManifest((m) => (m.comment = 'trained on Tuesday')))).not.toThrow();
  });

  it.each([
    ['an empty file', new Uint8Array(0), /not a mixden model file/],
    ['another format', new TextEncoder().encode('{"hello": "world"}'), /not a mixden model file/],
    ['a future version', Uint8Array.from([...good.subarray(0, 7), 9, ...good.subarray(8)]), /unsupported mixden model format version 9/],
    ['a truncated file', good.subarray(0, good.length - 5), /holds \d+ bytes of weights; the manifest needs \d+/],
    ['trailing bytes', Uint8Array.from([...good, 0, 0, 0, 0]), /holds \d+ bytes of weights/],
    ['an absurd manifest length', (() => { const b = good.slice(); new DataView(b.buffer).setUint32(8, 0xfffffff0, true); return b; })(), /manifest claims 4294967280 bytes/],
    ['a manifest that is not JSON', (() => { const b = good.slice(); b[12] = 0x7b; b[13] = 0x7b; return b; })(), /not valid UTF-8 JSON/],
  ])('refuses %s', (_, bytes, message) => expectFormatError(bytes as Uint8Array, message));

  it.each([
    ['zero components', (m: any) => (m.architecture.components = 0), /architecture is invalid: components must be an integer >= 1/],
    ['an unknown activation', (m: any) => (m.architecture.activation = 'gelu'), /activation must be one of/],
    ['a different shape than the weights', (m: any) => (m.architecture.hidden = [4]), /lists \d+ weights in 2 layers; its architecture needs \d+ in 2 layers/],
    ['an absurd size', (m: any) => { m.architecture.hidden = [1e9]; }, /needs \d+ in 2 layers/],
    ['layers out of step with the architecture', (m: any) => (m.layers[1].offset = 1), /layer 1 in the manifest does not match/],
    ['another format name', (m: any) => (m.format = 'keras'), /not a mixden-model version 1 manifest/],
  ])('refuses a manifest with %s', (_, edit, message) => expectFormatError(withManifest(edit), message));

  it('refuses a non-finite weight, naming where it is', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setFloat32(bad.length - 4, Number.NaN, true);
    expectFormatError(bad, /layer 1 has a non-finite weight \(NaN\) at index \d+/);
  });
});
