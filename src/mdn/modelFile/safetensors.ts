// The safetensors container (the format of Hugging Face's `safetensors`, which PyTorch users load with
// safetensors.torch.load_file): an 8-byte little-endian header length n, n bytes of JSON naming each tensor's
// dtype, shape and [begin, end) byte offsets into the data that follows, and an optional "__metadata__" object
// of strings; then the data. mixden writes float32 ('F32') tensors only, in the order given, with the header
// padded by spaces so the data starts 8-byte aligned.
// Reading trusts nothing: the header's size is checked before it is read, every entry before any tensor is
// allocated, and the tensors must tile the data exactly (no gaps, no overlaps, nothing after).
import { ModelFormatError } from './errors.js';

/** Largest header read: 16 MiB (the manifest and the tensor table of a 1,024-layer model fit well within). */
export const MAX_HEADER_BYTES = 16 * 2 ** 20;

export interface Tensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

/** Encodes float32 tensors and string metadata as a safetensors file. */
export function encodeSafetensors(metadata: Readonly<Record<string, string>>, tensors: readonly Tensor[]): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const bytes = 4 * t.data.length;
    if (t.shape.reduce((a, b) => a * b, 1) !== t.data.length) throw new Error(`tensor ${t.name} has ${t.data.length} values for shape [${t.shape}]`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  const length = encoder.encode(json).length;
  json += ' '.repeat((8 - ((8 + length) % 8)) % 8);
  const headerBytes = encoder.encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let at = 8 + headerBytes.length;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i], true);
  }
  return out;
}

/** A tensor entry of a file read: where its float32 values lie, read on demand. */
export interface TensorEntry {
  readonly shape: readonly number[];
  /** Reads the values (count = product of the shape), checking each is finite. */
  read(): Float32Array;
}

export interface SafetensorsFile {
  readonly metadata: Readonly<Record<string, string>>;
  readonly tensors: ReadonlyMap<string, TensorEntry>;
}

/** True where the bytes start like a safetensors file (a plausible header length, then '{'). */
export function looksLikeSafetensors(bytes: Uint8Array): boolean {
  if (bytes.length < 10) return false;
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  return n >= 2n && n <= BigInt(bytes.length - 8) && bytes[8] === 0x7b;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Reads a safetensors file of float32 tensors; throws ModelFormatError naming the first problem. */
export function decodeSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new ModelFormatError(`a safetensors file starts with an 8-byte header length; this one has ${bytes.length} bytes`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = view.getBigUint64(0, true);
  if (n > BigInt(Math.min(MAX_HEADER_BYTES, bytes.length - 8))) {
    throw new ModelFormatError(`the safetensors header claims ${n} bytes; the file has ${bytes.length - 8} after its length, and headers are read up to ${MAX_HEADER_BYTES}`);
  }
  const headerLength = Number(n);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerLength)));
  } catch (cause) {
    throw new ModelFormatError(`the safetensors header is not valid UTF-8 JSON: ${(cause as Error).message}`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw new ModelFormatError('the safetensors header is not a JSON object');
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, TensorEntry>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
        throw new ModelFormatError('the safetensors __metadata__ must be an object of strings');
      }
      Object.assign(metadata, entry);
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (e === null || typeof e !== 'object') throw new ModelFormatError(`tensor '${name}' has no dtype, shape and data_offsets`);
    if (e.dtype !== 'F32') throw new ModelFormatError(`tensor '${name}' is ${JSON.stringify(e.dtype)}; mixden reads F32 (float32) tensors`);
    if (!Array.isArray(e.shape) || e.shape.length > 8 || !e.shape.every(isCount)) throw new ModelFormatError(`tensor '${name}' has an invalid shape ${JSON.stringify(e.shape)}`);
    const offsets = e.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount) || offsets[0] > offsets[1] || offsets[1] > dataLength) {
      throw new ModelFormatError(`tensor '${name}' has data_offsets ${JSON.stringify(offsets)} outside the ${dataLength} bytes of data`);
    }
    const shape = e.shape as number[];
    // The element count, stopping as soon as it passes what the data could hold.
    let count = 1;
    for (const d of shape) if ((count *= d) > dataLength) break;
    const [begin, end] = offsets as number[];
    if (4 * count !== end - begin) throw new ModelFormatError(`tensor '${name}' of shape [${shape}] needs ${4 * count} bytes; its offsets span ${end - begin}`);
    spans.push({ name, begin, end });
    tensors.set(name, {
      shape,
      read() {
        const values = new Float32Array(count);
        for (let i = 0; i < count; i++) {
          const v = view.getFloat32(dataStart + begin + 4 * i, true);
          if (!Number.isFinite(v)) throw new ModelFormatError(`tensor '${name}' has a non-finite value (${v}) at index ${i}`);
          values[i] = v;
        }
        return values;
      },
    });
  }
  // The tensors must tile the data: sorted by offset, each starts where the last ended, and the last ends the file.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const s of spans) {
    if (s.begin !== at) throw new ModelFormatError(`tensor '${s.name}' starts at byte ${s.begin} of the data; the tensors before it end at ${at} (they must tile the data)`);
    at = s.end;
  }
  if (at !== dataLength) throw new ModelFormatError(`the tensors end at byte ${at} of the data, but the file holds ${dataLength}`);
  return { metadata, tensors };
}
