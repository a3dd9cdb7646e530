// Rewrites the JSON manifest of a model file, keeping its weights: for tests of the reader's checks.

export function rewriteManifest(source: Uint8Array, edit: (manifest: any) => void): Uint8Array {
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
