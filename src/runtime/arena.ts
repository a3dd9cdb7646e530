// A flat arena: many named tensors in one GPU buffer, each slice aligned so it can be bound on its own,
// while whole-arena kernels (the optimiser) touch every slice in one dispatch.
import type { GpuContext } from './device.js';
import { createStorageBuffer, readFloats } from './buffers.js';

export interface ArenaSlice {
  readonly name: string;
  /** Offset in 32-bit elements. */
  readonly offset: number;
  /** Length in 32-bit elements. */
  readonly length: number;
}

export class ArenaLayout {
  private readonly byName: Map<string, ArenaSlice>;

  private constructor(readonly slices: readonly ArenaSlice[], readonly totalFloats: number) {
    this.byName = new Map(slices.map((s) => [s.name, s]));
  }

  /**
   * Lays out slices in order, each starting on a multiple of `alignFloats` (64 floats = 256 bytes, the
   * usual `minStorageBufferOffsetAlignment`). The total is a multiple of the alignment too.
   * @example
   * const layout = ArenaLayout.build([{ name: 'w0', length: 50 }, { name: 'w1', length: 8 }], 64);
   */
  static build(items: readonly { name: string; length: number }[], alignFloats = 64): ArenaLayout {
    let offset = 0;
    const slices = items.map(({ name, length }) => {
      const slice = { name, offset, length };
      offset += Math.ceil(length / alignFloats) * alignFloats;
      return slice;
    });
    return new ArenaLayout(slices, Math.max(offset, alignFloats));
  }

  slice(name: string): ArenaSlice {
    const s = this.byName.get(name);
    if (!s) throw new Error(`arena has no slice '${name}'`);
    return s;
  }

  /** Packs per-slice arrays into one flat array in this layout (padding stays zero). */
  pack(values: Readonly<Record<string, ArrayLike<number>>>): Float32Array {
    const flat = new Float32Array(this.totalFloats);
    for (const s of this.slices) {
      const v = values[s.name];
      if (!v || v.length !== s.length) throw new Error(`slice '${s.name}' needs ${s.length} values, got ${v?.length ?? 0}`);
      flat.set(Array.from(v), s.offset);
    }
    return flat;
  }

  /** Splits a flat array in this layout back into per-slice arrays. */
  unpack(flat: Float32Array): Record<string, Float32Array> {
    const out: Record<string, Float32Array> = {};
    for (const s of this.slices) out[s.name] = flat.slice(s.offset, s.offset + s.length);
    return out;
  }
}

/** One GPU buffer holding an arena layout. */
export class Arena {
  readonly buffer: GPUBuffer;

  constructor(gpu: GpuContext, readonly layout: ArenaLayout, label: string) {
    this.buffer = createStorageBuffer(gpu, label, layout.totalFloats);
  }

  get byteSize(): number {
    return this.buffer.size;
  }

  /** A binding of one slice. */
  binding(name: string): GPUBufferBinding {
    const s = this.layout.slice(name);
    return { buffer: this.buffer, offset: s.offset * 4, size: Math.max(4, s.length * 4) };
  }

  /** A binding of the whole arena. */
  whole(): GPUBufferBinding {
    return { buffer: this.buffer, offset: 0, size: this.layout.totalFloats * 4 };
  }

  /** Every slice read back, in layout order (one readback). */
  async readSlices(gpu: GpuContext): Promise<Float32Array[]> {
    const values = this.layout.unpack(await readFloats(gpu, this.buffer, this.layout.totalFloats));
    return this.layout.slices.map((s) => values[s.name]);
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
