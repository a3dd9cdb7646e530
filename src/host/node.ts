// The Node adapter: WebGPU through the `webgpu` package (Dawn), on a GPU's Vulkan driver where one is installed
// and on SwiftShader (from Debian's chromium) where none is: vulkanDriver.ts chooses, in this process.
import { readFile } from 'node:fs/promises';
import { type AcquireOptions, type GpuContext, acquireGpu } from '../runtime/device.js';
import type { Mdn } from '../mdn/model.js';
import { loadMdn } from '../mdn/createMdn.js';
import { WebGpuUnavailableError } from '../runtime/errors.js';
import { type VulkanDriverChoice, chooseVulkanDriver } from './vulkanDriver.js';

// Dawn's GPU object must outlive every device made from it: if it is garbage-collected while a device is
// alive, the next WebGPU event crashes the process. One per process, held here.
let dawnGpu: GPU | undefined;

/**
 * A GPU context in Node, from Dawn's `GPU` object (or on a device the caller already has). Works from any
 * script: without a GPU it runs on SwiftShader from Debian's chromium package, with nothing to set.
 * @example
 * import { nodeGpu } from 'mixden/node';
 * const gpu = await nodeGpu();
 */
export async function nodeGpu(options: Omit<AcquireOptions, 'gpu'> = {}): Promise<GpuContext> {
  if (options.device) return acquireGpu(options);
  const driver = chooseVulkanDriver();
  let dawn: typeof import('webgpu');
  try {
    dawn = await import('webgpu');
  } catch (cause) {
    throw new WebGpuUnavailableError(`WebGPU in Node needs the 'webgpu' package: npm i webgpu (${(cause as Error).message})`);
  }
  Object.assign(globalThis, dawn.globals);
  try {
    dawnGpu ??= dawn.create([]);
    return await acquireGpu({ ...options, gpu: dawnGpu });
  } catch (error) {
    if (error instanceof WebGpuUnavailableError) {
      throw new WebGpuUnavailableError(
        `${error.message}. Vulkan driver: ${driver.reason}. Without a GPU, install Debian's chromium (apt-get install chromium), ` +
          'whose SwiftShader mixden then uses by itself, or a Vulkan driver such as mesa-vulkan-drivers',
      );
    }
    throw error;
  }
}

/** Which Vulkan driver Dawn uses in this process, and why (chosen at the first nodeGpu call). */
export const vulkanDriver = (): VulkanDriverChoice => chooseVulkanDriver();

/**
 * Loads a model file from a path (Node): `loadMdn` of its bytes.
 * @example
 * const model = await loadMdnFile('model.mixden', await nodeGpu());
 */
export async function loadMdnFile(path: string, gpu?: GpuContext): Promise<Mdn> {
  return loadMdn(await readFile(path), gpu ?? (await nodeGpu()));
}

export { readCsvColumns } from './csvFile.js';
export { hersheyFont } from './hersheyFont.js';
