// GPU I/O that the model layer asks for and the runtime does: copies recorded into an encoder, whole
// submits, readback through a staging buffer kept for reuse, snapshots of buffers (checkpoints, best weights),
// and checks that a caller's buffer has the usage a copy needs. Nothing above src/runtime creates command
// encoders, maps buffers or names usage flags.
import type { GpuContext } from './device.js';
import { InvalidArgumentError } from './errors.js';

/** Records a copy of `floats` values from `source` (at float `from`) to `target` (at float `to`). */
export function recordCopy(encoder: GPUCommandEncoder, source: GPUBuffer, from: number, target: GPUBuffer, to: number, floats: number): void {
  encoder.copyBufferToBuffer(source, from * 4, target, to * 4, floats * 4);
}

/**
 * Records what `record` adds into one new command encoder and submits it.
 * @example
 * submitCommands(gpu, 'train steps', (encoder) => program.encodeInto(encoder));
 */
export function submitCommands(gpu: GpuContext, label: string, record: (encoder: GPUCommandEncoder) => void): void {
  const encoder = gpu.device.createCommandEncoder({ label });
  record(encoder);
  gpu.device.queue.submit([encoder.finish()]);
}

/** Throws InvalidArgumentError unless a caller's `buffer` allows `usage` and holds `floats` values. */
export function requireBuffer(name: string, buffer: GPUBuffer, usage: 'COPY_SRC' | 'COPY_DST', floats: number): void {
  if ((buffer.usage & GPUBufferUsage[usage]) === 0) throw new InvalidArgumentError(`the ${name} buffer needs ${usage} usage`);
  if (buffer.size < floats * 4) throw new InvalidArgumentError(`the ${name} buffer holds ${buffer.size} bytes; this call needs ${floats * 4}`);
}

/**
 * A staging buffer for readbacks, made once and reused: copies into it are recorded with the work that produces
 * the values, then one `read` maps it. One read at a time (a second map of a mapped buffer fails).
 */
export class StagingBuffer {
  private readonly buffer: GPUBuffer;

  constructor(gpu: GpuContext, label: string, readonly floats: number) {
    this.buffer = gpu.device.createBuffer({ label, size: Math.max(16, Math.ceil(floats / 4) * 16), usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  get byteSize(): number {
    return this.buffer.size;
  }

  /** Records a copy of `floats` values of `source` (from float `from`) into this buffer at float `at`. */
  copyFrom(encoder: GPUCommandEncoder, source: GPUBuffer, from: number, at: number, floats: number): void {
    recordCopy(encoder, source, from, this.buffer, at, floats);
  }

  /** Maps `floats` values from float `at` (after the submitted copies) and returns them as f32 (or u32) words. */
  async read(at: number, floats: number): Promise<Float32Array> {
    await this.buffer.mapAsync(GPUMapMode.READ, at * 4, floats * 4);
    try {
      return new Float32Array(this.buffer.getMappedRange(at * 4, floats * 4).slice(0));
    } finally {
      this.buffer.unmap();
    }
  }

  /** Maps `floats` values from float `at` and copies them straight into `out` at `outAt` (no intermediate copy). */
  async readInto(at: number, floats: number, out: Float32Array, outAt: number): Promise<void> {
    await this.buffer.mapAsync(GPUMapMode.READ, at * 4, floats * 4);
    try {
      out.set(new Float32Array(this.buffer.getMappedRange(at * 4, floats * 4)), outAt);
    } finally {
      this.buffer.unmap();
    }
  }

  destroy(): void {
    this.buffer.destroy();
  }
}

/**
 * Copies of some buffers kept on the GPU (no readback): `save` copies them in, `restore` copies them back. For
 * training checkpoints and the best weights of early stopping.
 */
export class BufferSnapshot {
  private readonly copies: GPUBuffer[];

  constructor(private readonly gpu: GpuContext, private readonly sources: readonly GPUBuffer[], label: string) {
    this.copies = sources.map((b) => gpu.device.createBuffer({ label: `${label}: ${b.label}`, size: b.size, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }));
  }

  get byteSize(): number {
    return this.copies.reduce((n, b) => n + b.size, 0);
  }

  save(): void {
    this.gpu.assertUsable();
    submitCommands(this.gpu, 'save snapshot', (encoder) => this.sources.forEach((b, i) => encoder.copyBufferToBuffer(b, 0, this.copies[i], 0, b.size)));
  }

  /** Copies the saved values back, and zeroes `clear` in the same submit. */
  restore(clear: readonly GPUBuffer[] = []): void {
    this.gpu.assertUsable();
    submitCommands(this.gpu, 'restore snapshot', (encoder) => {
      this.sources.forEach((b, i) => encoder.copyBufferToBuffer(this.copies[i], 0, b, 0, b.size));
      for (const b of clear) encoder.clearBuffer(b);
    });
  }

  destroy(): void {
    for (const b of this.copies) b.destroy();
  }
}

/** Something on the GPU that can be freed. */
export interface Destroyable {
  destroy(): void;
}

/**
 * Owns what a component made on the GPU and frees it all at once, once: buffers, arenas, programs, rings,
 * staging buffers, snapshots.
 */
export class ResourceScope {
  private readonly owned: Destroyable[] = [];

  /** Takes ownership of `resource` and returns it. */
  own<T extends Destroyable>(resource: T): T {
    this.owned.push(resource);
    return resource;
  }

  /** Bytes held by what it owns (buffers by size, others by their byteSize where they have one). */
  get bytes(): number {
    return this.owned.reduce((n, r) => n + ((r as { size?: number }).size ?? (r as { byteSize?: number }).byteSize ?? 0), 0);
  }

  /** Frees everything it owns; idempotent. */
  destroy(): void {
    for (const r of this.owned.splice(0)) r.destroy();
  }
}
