// The model file: a safetensors file in PyTorch's names and layouts with mixden's manifest in its metadata;
// round trips, the layouts, a clear ModelFormatError for every kind of bad file, and the earlier MIXDEN format
// (a file of release 0.1.0, test/fixtures/api-0.1.0.mixden) still read, with the same checks.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { initialParameters } from '../../src/mdn/init.js';
import { type MdnArchitecture, withLayers } from '../../src/mdn/architecture.js';
import { MAX_HEADER_BYTES } from '../../src/mdn/modelFile/safetensors.js';
import { rewriteManifest, rewriteSafetensorsHeader } from '../support/modelBytes.js';

const arch: MdnArchitecture = { inputDim: 2, outputDim: 1, hidden: [3], activation: 'relu', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 };
const blocks = initialParameters(arch, 1).map((b) => Float32Array.from(b, (v, i) => v + i * 1e-3));
const good = encodeModel(arch, blocks);

const withManifest = (edit: (m: any) => void): Uint8Array => rewriteManifest(good, edit);
const withHeader = (edit: (h: any) => void): Uint8Array => rewriteSafetensorsHeader(good, edit);
const headerOf = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true)))));

const expectFormatError = (bytes: Uint8Array, message: RegExp) => {
  expect(() => decodeModel(bytes)).toThrow(ModelFormatError);
  expect(() => decodeModel(bytes)).toThrow(message);
};

describe('model file (safetensors)', () => {
  it('round-trips the architecture and every weight bit for bit, and saves again byte for byte', () => {
    const { architecture, blocks: read } = decodeModel(good);
    expect(architecture).toEqual(arch);
    read.forEach((b, i) => expect(Array.from(b)).toEqual(Array.from(blocks[i])));
    expect(encodeModel(architecture, read)).toEqual(good);
  });

  it("holds the parameters as torch.nn.Linear and torch.nn.LayerNorm do, under the PyTorch module's names", () => {
    const layered = withLayers({ inputDim: 2, outputDim: 1, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 }, [{ kind: 'dense', units: 3 }, { kind: 'layerNorm' }]);
    const parameters = initialParameters(layered, 4).map((b) => Float32Array.from(b, (v, i) => v + 0.01 * i));
    const bytes = encodeModel(layered, parameters);
    const header = headerOf(bytes);
    expect(Object.keys(header)).toEqual(['__metadata__', 'trunk.0.weight', 'trunk.0.bias', 'trunk.1.weight', 'trunk.1.bias', 'head.weight', 'head.bias']);
    expect(header.__metadata__.format).toBe('pt');
    expect(JSON.parse(header.__metadata__.mixden)).toMatchObject({ format: 'mixden-model', version: 2 });
    expect(header['trunk.0.weight']).toEqual({ dtype: 'F32', shape: [3, 2], data_offsets: [0, 24] });
    expect(header['head.weight'].shape).toEqual([6, 3]);
    // The data starts 8-byte aligned; trunk.0.weight[o][i] is mixden's W[i][o] (block[i * 3 + o]).
    const start = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(start % 8).toBe(0);
    const at = (name: string, index: number) => new DataView(bytes.buffer).getFloat32(start + header[name].data_offsets[0] + 4 * index, true);
    expect(at('trunk.0.weight', 1 * 2 + 0)).toBe(parameters[0][0 * 3 + 1]);
    expect(at('trunk.0.bias', 2)).toBe(parameters[0][2 * 3 + 2]);
    expect(at('trunk.1.weight', 1)).toBe(parameters[1][1]);
    expect(at('trunk.1.bias', 1)).toBe(parameters[1][3 + 1]);
    expect(decodeModel(bytes).blocks.map((b) => Array.from(b))).toEqual(parameters.map((b) => Array.from(b)));
  });

  it('carries application metadata through a round trip', () => {
    const metadata = { xColumns: ['a', 'b'], scaler: { shift: [1.5], scale: [2] } };
    const bytes = encodeModel(arch, blocks, metadata);
    expect(decodeModel(bytes).metadata).toEqual(metadata);
    expect(decodeModel(good).metadata).toBeUndefined();
  });

  it('accepts extra keys in the manifest and the metadata, tensors in any order, and never evaluates it', () => {
    expect(() => decodeModel(withManifest((m) => (m.comment = 'trained on Tuesday')))).not.toThrow();
    expect(() => decodeModel(withHeader((h) => (h.__metadata__.note = 'from a cluster')))).not.toThrow();
    const reordered = withHeader((h) => {
      const bias = h['head.bias'];
      delete h['head.bias'];
      const entries = Object.entries(h);
      for (const [k] of entries) delete h[k];
      Object.assign(h, { 'head.bias': bias }, Object.fromEntries(entries));
    });
    expect(decodeModel(reordered).blocks.map((b) => Array.from(b))).toEqual(blocks.map((b) => Array.from(b)));
  });

  it.each([
    ['an empty file', new Uint8Array(0), /not a mixden model file/],
    ['another format', new TextEncoder().encode('{"hello": "world"}'), /not a mixden model file/],
    ['a truncated file', good.subarray(0, good.length - 5), /tensors end at byte \d+ of the data, but the file holds \d+|outside the \d+ bytes of data/],
    ['trailing bytes', Uint8Array.from([...good, 0, 0, 0, 0]), /the tensors end at byte \d+ of the data, but the file holds \d+/],
    ['an absurd header length', (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 2n ** 62n, true); return b; })(), /not a mixden model file/],
    ['a header that is not JSON', (() => { const b = good.slice(); b[9] = 0x7b; return b; })(), /safetensors header is not valid UTF-8 JSON/],
  ])('refuses %s', (_, bytes, message) => expectFormatError(bytes as Uint8Array, message));

  it('refuses a header longer than it reads, before reading it', () => {
    const b = new Uint8Array(MAX_HEADER_BYTES + 64);
    new DataView(b.buffer).setBigUint64(0, BigInt(MAX_HEADER_BYTES + 1), true);
    b[8] = 0x7b;
    expectFormatError(b, new RegExp(`claims ${MAX_HEADER_BYTES + 1} bytes`));
  });

  it('refuses tensors whose shapes disagree with the architecture the manifest and its layer table agree on', () => {
    const edited = withHeader((h) => {
      const m = JSON.parse(h.__metadata__.mixden);
      m.architecture.hidden = [4];
      m.layers[0].outputs = 4;
      m.layers[1].inputs = 4;
      h.__metadata__.mixden = JSON.stringify(m);
    });
    expectFormatError(edited, /tensor 'trunk.0.weight' has shape \[3,2\]; the architecture needs \[4,2\]/);
  });

  it.each([
    ['a bfloat16 tensor', (h: any) => (h['head.bias'].dtype = 'BF16'), /tensor 'head.bias' is "BF16"; mixden reads F32/],
    ['offsets past the data', (h: any) => (h['head.bias'].data_offsets = [0, 1e9]), /tensor 'head.bias' has data_offsets \[0,1000000000\] outside/],
    ['a shape that does not fit its bytes', (h: any) => (h['head.bias'].shape = [7]), /tensor 'head.bias' of shape \[7\] needs 28 bytes; its offsets span 24/],
    ['overlapping tensors', (h: any) => (h['head.bias'].data_offsets = [0, 24]), /must tile the data|tensors end at byte/],
    ['a shape the architecture does not have', (h: any) => { h['head.weight'].shape = [3, 6]; }, /tensor 'head.weight' has shape \[3,6\]; the architecture needs \[6,3\]/],
    ['a missing tensor', (h: any) => { h.stray = h['head.bias']; delete h['head.bias']; }, /tensors its architecture has no place for: stray/],
    ['no mixden manifest', (h: any) => delete h.__metadata__.mixden, /without a mixden manifest/],
    ['metadata that is not strings', (h: any) => (h.__metadata__.n = 3), /__metadata__ must be an object of strings/],
  ])('refuses a header with %s', (_, edit, message) => expectFormatError(withHeader(edit), message));

  it.each([
    ['zero components', (m: any) => (m.architecture.components = 0), /architecture is invalid: components must be an integer >= 1/],
    ['an unknown activation', (m: any) => (m.architecture.activation = 'gelu'), /activation must be one of/],
    ['a different shape than the tensors', (m: any) => (m.architecture.hidden = [4]), /layer 0 in the manifest does not match the architecture \(2 -> 4 relu\)/],
    ['an absurd size', (m: any) => { m.architecture.hidden = [1e9]; }, /layer 0 in the manifest does not match the architecture \(2 -> 1000000000 relu\)/],
    ['layers out of step with the architecture', (m: any) => (m.layers[1].inputs = 4), /layer 1 in the manifest does not match/],
    ['another format name', (m: any) => (m.format = 'keras'), /not a mixden-model version 2 manifest/],
  ])('refuses a manifest with %s', (_, edit, message) => expectFormatError(withManifest(edit), message));

  it('refuses a non-finite weight, naming the tensor and where in it', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setFloat32(bad.length - 4, Number.NaN, true);
    expectFormatError(bad, /tensor 'head.bias' has a non-finite value \(NaN\) at index 5/);
  });
});

describe('model file of the earlier MIXDEN format', () => {
  const legacy = new Uint8Array(readFileSync('test/fixtures/api-0.1.0.mixden'));

  it('loads (release 0.1.0 wrote it), and saves as safetensors with the same weights', () => {
    const decoded = decodeModel(legacy);
    const again = decodeModel(encodeModel(decoded.architecture, decoded.blocks, decoded.metadata, decoded.scaling, decoded.scalePlan));
    expect(again.architecture).toEqual(decoded.architecture);
    again.blocks.forEach((b, i) => expect(Array.from(b)).toEqual(Array.from(decoded.blocks[i])));
  });

  it.each([
    ['a future version', Uint8Array.from([...legacy.subarray(0, 7), 9, ...legacy.subarray(8)]), /unsupported mixden model format version 9/],
    ['a truncated file', legacy.subarray(0, legacy.length - 5), /holds \d+ bytes of weights; the manifest needs \d+/],
    ['trailing bytes', Uint8Array.from([...legacy, 0, 0, 0, 0]), /holds \d+ bytes of weights/],
    ['an absurd manifest length', (() => { const b = legacy.slice(); new DataView(b.buffer).setUint32(8, 0xfffffff0, true); return b; })(), /manifest claims 4294967280 bytes/],
    ['a manifest that is not JSON', (() => { const b = legacy.slice(); b[12] = 0x7b; b[13] = 0x7b; return b; })(), /not valid UTF-8 JSON/],
    ['a non-finite weight', (() => { const b = legacy.slice(); new DataView(b.buffer).setFloat32(b.length - 4, Number.NaN, true); return b; })(), /has a non-finite weight \(NaN\)/],
  ])('refuses %s', (_, bytes, message) => expectFormatError(bytes as Uint8Array, message));

  it.each([
    ['a different shape than the weights', (m: any) => (m.architecture.hidden = m.architecture.hidden.map((h: number) => h + 1)), /lists \d+ weights in \d+ layers; its architecture needs \d+/],
    ['layers out of step with the architecture', (m: any) => (m.layers[1].offset = 1), /layer 1 in the manifest does not match/],
    ['another format name', (m: any) => (m.format = 'keras'), /not a mixden-model version 1 manifest/],
  ])('refuses a manifest with %s', (_, edit, message) => expectFormatError(rewriteManifest(legacy, edit), message));
});
