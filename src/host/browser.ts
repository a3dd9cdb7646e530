// The browser adapter: WebGPU from navigator.gpu, with a message that says why when it is missing.
import { type AcquireOptions, type GpuContext, acquireGpu } from '../runtime/device.js';

/**
 * A GPU context in a page (navigator.gpu), or on a device the page already has.
 * @example
 * const gpu = await browserGpu();
 */
export function browserGpu(options: Omit<AcquireOptions, 'gpu'> = {}): Promise<GpuContext> {
  return acquireGpu(options);
}
