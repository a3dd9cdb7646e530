// Rewrites the JSON manifest of a model file, keeping its weights: for tests of the reader's checks. Takes
// both containers: safetensors (the manifest in __metadata__.mixden) and the legacy MIXDEN file.

export function rewriteManifest(source: Uint8Array, edit: (manifest: any) => void): Uint8Array {
  if (new TextDecoder().decode(source.subarray(0, 6)) === 'MIXDEN') return rewriteLegacy(source, edit);
  return rewriteSafetensorsHeader(source, (header) => {
    const manifest = JSON.parse(header.__metadata__.mixden);
    edit(manifest);
    header.__metadata__.mixden = JSON.stringify(manifest);
  });
}

/** Rewrites the safetensors header (tensor entries and __metadata__), keeping the data; padded as mixden pads it. */
export function rewriteSafetensorsHeader(source: Uint8Array, edit: (header: any) => void): Uint8Array {
  const length = Number(new DataView(source.buffer, source.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(source.subarray(8, 8 + length)));
  edit(header);
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8);
  const bytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + bytes.length + source.length - 8 - length);
  new DataView(out.buffer).setBigUint64(0, BigInt(bytes.length), true);
  out.set(bytes, 8);
  out.set(source.subarray(8 + length), 8 + bytes.length);
  return out;
}

function rewriteLegacy(source: Uint8Array, edit: (manifest: any) => void): Uint8Array {
  const length = new DataView(source.buffer, source.byteOffset).getUint32(8, true);
  const manifest = JSON.parse(new TextDecoder().decode(source.subarray(12, 12 + length)));
  edit(manifest);
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const oldStart = Math.ceil((12 + length) / 4) * 4;
  const start = Math.ceil((12 + json.length) / 4) * 4;
  const out = new Uint8Array(start + source.length - oldStart);
  out.set(source.subarray(0, 8));
  new DataView(out.buffer).setUint32(8, json.length, true);
  out.set(json, 12);
  out.set(source.subarray(oldStart), start);
  return out;
}
