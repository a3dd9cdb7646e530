// Per-step uniforms for many steps recorded in one submit: one slot per step, written with a single
// writeBuffer before the submit, read by kernels through a dynamic offset.
import type { GpuContext } from './device.js';
import { type UniformStruct, packUniforms, uniformByteSize } from './uniforms.js';

export class StepRing {
  readonly buffer: GPUBuffer;
  readonly stride: number;
  private readonly staging: DataView;

  constructor(gpu: GpuContext, readonly struct: UniformStruct, readonly slots: number, label: string) {
    this.stride = Math.ceil(uniformByteSize(struct) / gpu.limits.minUniformBufferOffsetAlignment) * gpu.limits.minUniformBufferOffsetAlignment;
    this.staging = new DataView(new ArrayBuffer(this.stride * slots));
    this.buffer = gpu.device.createBuffer({
      label,
      size: this.stride * slots,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
  }

  get byteSize(): number {
    return this.buffer.size;
  }

  /** The binding kernels declare with a dynamic offset. */
  binding(): GPUBufferBinding {
    return { buffer: this.buffer, offset: 0, size: uniformByteSize(this.struct) };
  }

  /** Byte offset of slot `i`, to pass as the dynamic offset. */
  offset(i: number): number {
    return i * this.stride;
  }

  /** Writes the first `values.length` slots in one upload. */
  write(queue: GPUQueue, values: readonly Readonly<Record<string, number>>[]): void {
    if (values.length > this.slots) throw new Error(`step ring holds ${this.slots} slots, ${values.length} given`);
    values.forEach((v, i) => packUniforms(this.struct, v, this.staging, i * this.stride));
    queue.writeBuffer(this.buffer, 0, this.staging.buffer, 0, values.length * this.stride);
  }

  /** Writes one slot (its own upload), for values that change per call rather than per submit. */
  writeSlot(queue: GPUQueue, slot: number, values: Readonly<Record<string, number>>): void {
    if (slot < 0 || slot >= this.slots) throw new Error(`step ring has no slot ${slot}`);
    packUniforms(this.struct, values, this.staging, slot * this.stride);
    queue.writeBuffer(this.buffer, slot * this.stride, this.staging.buffer, slot * this.stride, this.stride);
  }

  destroy(): void {
    this.buffer.destroy();
  }
}
