// The Node adapter: WebGPU through the `webgpu` package (Dawn). Dawn needs a Vulkan driver chosen before the
// process starts; `bin/mixden.js` sets SwiftShader's (shipped with Chromium) where no other driver is installed.
import { type AcquireOptions, type GpuContext, acquireGpu } from '../runtime/device.js';
import { WebGpuUnavailableError } from '../runtime/errors.js';

// Dawn's GPU object must outlive every device made from it: if it is garbage-collected while a device is
// alive, the next WebGPU event crashes the process. One per process, held here.
let dawnGpu: GPU | undefined;

/**
 * A GPU context in Node, from Dawn's `GPU` object (or on a device the caller already has).
 * @example
 * import { nodeGpu } from 'mixden/node';
 * const gpu = await nodeGpu();
 */
export async function nodeGpu(options: Omit<AcquireOptions, 'gpu'> = {}): Promise<GpuContext> {
  if (options.device) return acquireGpu(options);
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (cause) {
    throw new WebGpuUnavailableError(`WebGPU in Node needs the 'webgpu' package (npm i webgpu): ${String(cause)}`);
  }
  Object.assign(globalThis, dawn.globals);
  try {
    dawnGpu ??= dawn.create([]);
    return await acquireGpu({ ...options, gpu: dawnGpu });
  } catch (error) {
    if (error instanceof WebGpuUnavailableError && !process.env.VK_ICD_FILENAMES) {
      throw new WebGpuUnavailableError(
        `${error.message}. Without a GPU, run through bin/mixden.js, or start Node with ` +
          'LD_LIBRARY_PATH=/usr/lib/chromium VK_ICD_FILENAMES=/usr/lib/chromium/vk_swiftshader_icd.json (Debian chromium)',
      );
    }
    throw error;
  }
}
export { readCsvColumns } from './csvFile.js';
