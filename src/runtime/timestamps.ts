// GPU timestamps for a program, one pass per dispatch, where the adapter offers `timestamp-query`.
// Browsers may quantise these (Chromium to 100 µs unless developer features are on): use for profiling only.
import type { GpuContext } from './device.js';
import type { Program } from './program.js';

export interface DispatchTiming {
  readonly label: string;
  readonly milliseconds: number;
}

/**
 * Runs `program` once with a timestamp around every dispatch; null where timestamps are not offered.
 * @example
 * const timings = await timeProgram(gpu, stepProgram);
 */
export async function timeProgram(gpu: GpuContext, program: Program, dynamicOffset = 0): Promise<DispatchTiming[] | null> {
  if (!gpu.hasTimestamps) return null;
  gpu.assertUsable();
  const count = program.dispatchCount * 2;
  const device = gpu.device;
  const querySet = device.createQuerySet({ label: 'mixden timestamps', type: 'timestamp', count });
  const resolved = device.createBuffer({ label: 'timestamps resolved', size: count * 8, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
  const staging = device.createBuffer({ label: 'timestamps readback', size: count * 8, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  try {
    const encoder = device.createCommandEncoder({ label: 'timed program' });
    program.encodeTimed(encoder, querySet, 0, dynamicOffset);
    encoder.resolveQuerySet(querySet, 0, count, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, count * 8);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const ticks = new BigInt64Array(staging.getMappedRange().slice(0));
    return program.dispatchLabels.map((label, i) => ({ label, milliseconds: Number(ticks[2 * i + 1] - ticks[2 * i]) / 1e6 }));
  } finally {
    staging.destroy();
    resolved.destroy();
    querySet.destroy();
  }
}
