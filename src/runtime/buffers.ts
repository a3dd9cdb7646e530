// Buffer helpers: creation with labels, uploads, and readback through a staging buffer that is always released.
import type { GpuContext } from './device.js';

/** A storage buffer of `floats` 32-bit values, zero-filled. */
export function createStorageBuffer(gpu: GpuContext, label: string, floats: number): GPUBuffer {
  gpu.assertUsable();
  // WebGPU bindings must be at least 4 bytes and sized in multiples of 4; round small ones up to 16.
  const size = Math.max(16, Math.ceil(floats / 4) * 16);
  // GPUBufferUsage is read here, not at import, so CPU-only code can import this module without WebGPU.
  const usage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
  return gpu.device.createBuffer({ label, size, usage });
}

/** Writes `data` into `buffer` at element offset `offset`. */
export function uploadFloats(gpu: GpuContext, buffer: GPUBuffer, data: Float32Array, offset = 0): void {
  gpu.assertUsable();
  gpu.device.queue.writeBuffer(buffer, offset * 4, data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Copies `floats` values from `buffer` (at element `offset`) back to the CPU.
 * @example
 * const loss = await readFloats(gpu, lossBuffer, 1);
 */
export async function readFloats(gpu: GpuContext, buffer: GPUBuffer, floats: number, offset = 0): Promise<Float32Array> {
  gpu.assertUsable();
  const bytes = Math.ceil((floats * 4) / 4) * 4;
  const staging = gpu.device.createBuffer({
    label: `${buffer.label} readback`,
    size: Math.max(4, bytes),
    usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
  });
  try {
    const encoder = gpu.device.createCommandEncoder({ label: `${buffer.label} readback` });
    encoder.copyBufferToBuffer(buffer, offset * 4, staging, 0, bytes);
    gpu.device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    return new Float32Array(staging.getMappedRange().slice(0));
  } finally {
    staging.destroy();
  }
}
