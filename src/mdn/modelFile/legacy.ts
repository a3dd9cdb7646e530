// The model file of releases up to 0.2 ("MIXDEN\0\1"), read so that their files keep loading; new files are
// safetensors (./safetensors.ts). Layout: the 8 bytes "MIXDEN\0\1", the manifest's byte length (u32,
// little-endian), the manifest as UTF-8 JSON, zero padding to a multiple of 4, then every layer's parameter block
// in mixden's layout (a dense layer's (inputs + 1) x outputs: W row by row, then the bias row), little-endian.
import { ModelFormatError } from './errors.js';
import { type DecodedModel, architectureOf, checkLayerEntry, decodedModel, parseManifest } from './manifest.js';

const SIGNATURE = [0x4d, 0x49, 0x58, 0x44, 0x45, 0x4e]; // "MIXDEN"
const VERSION = 1;
const MAX_MANIFEST_BYTES = 1 << 20;

/** True where the bytes start with the legacy signature. */
export const isLegacyModelFile = (bytes: Uint8Array): boolean => bytes.length >= 6 && SIGNATURE.every((b, i) => bytes[i] === b);

/** Reads a legacy model file; throws ModelFormatError naming the problem. */
export function decodeLegacyModel(bytes: Uint8Array): DecodedModel {
  if (bytes.length < 12) throw new ModelFormatError(`a mixden model file has a 12-byte header; this one has ${bytes.length} bytes`);
  if (bytes[6] !== 0 || bytes[7] !== VERSION) {
    throw new ModelFormatError(`unsupported mixden model format version ${bytes[7]} (this version reads ${VERSION} and safetensors files)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(8, true);
  if (jsonLength > MAX_MANIFEST_BYTES || 12 + jsonLength > bytes.length) {
    throw new ModelFormatError(`the manifest claims ${jsonLength} bytes, but the file has ${bytes.length - 12} after its header`);
  }
  const manifest = parseManifest(bytes.subarray(12, 12 + jsonLength), VERSION);
  const { architecture, layers } = architectureOf(manifest, false);
  const expected = layers.reduce((n, l) => n + l.kind.parameterCount(l.spec, l.inputs), 0);
  if (manifest.weightCount !== expected) {
    throw new ModelFormatError(`the manifest lists ${manifest.weightCount} weights in ${manifest.layers?.length} layers; its architecture needs ${expected} in ${layers.length} layers`);
  }
  const weightsStart = Math.ceil((12 + jsonLength) / 4) * 4;
  if (bytes.length !== weightsStart + expected * 4) {
    throw new ModelFormatError(`the file holds ${Math.max(0, bytes.length - weightsStart)} bytes of weights; the manifest needs ${expected * 4}`);
  }
  // The size limit, now that the file is known to hold that many weights.
  architectureOf(manifest, true);
  let offset = 0;
  const blocks = layers.map((l, i) => {
    const entry = manifest.layers[i];
    const length = l.kind.parameterCount(l.spec, l.inputs);
    checkLayerEntry(entry, l);
    if (entry.offset !== offset || entry.length !== length) throw new ModelFormatError(`layer ${i} in the manifest does not match the architecture (${l.kind.describe(l)})`);
    const block = new Float32Array(length);
    for (let j = 0; j < length; j++) {
      const v = view.getFloat32(weightsStart + 4 * (offset + j), true);
      if (!Number.isFinite(v)) throw new ModelFormatError(`layer ${i} has a non-finite weight (${v}) at index ${j}`);
      block[j] = v;
    }
    offset += length;
    return block;
  });
  return decodedModel(manifest, architecture, blocks);
}
