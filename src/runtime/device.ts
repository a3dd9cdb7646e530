// Device acquisition and the context every other runtime piece hangs off. A caller may bring its own
// GPUDevice; then we never destroy it.
import { DestroyedError, DeviceLostError, WebGpuUnavailableError } from './errors.js';
import { PipelineCache } from './pipelineCache.js';

export interface AcquireOptions {
  /** Use this device (the caller keeps ownership: `destroy()` leaves it alive). */
  device?: GPUDevice;
  /** The `GPU` object to ask for an adapter; defaults to `navigator.gpu`. */
  gpu?: GPU;
  /** Which adapter to ask for (default: the browser's or Dawn's choice). */
  powerPreference?: GPUPowerPreference;
  /** Label of the device mixden creates (default 'mixden'). */
  label?: string;
}

// Limits raised to the adapter's own, since defaults (128 MiB bindings) are far below what adapters offer.
const RAISED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxStorageBuffersPerShaderStage',
] as const;

/** Adapter classes whose kernels may differ: software adapters by name, everything else a GPU. */
export type AdapterClass = 'swiftshader' | 'lavapipe' | 'gpu';

/** The class of an adapter from its vendor / architecture / description. */
export function adapterClassOf(description: string): AdapterClass {
  if (/llvmpipe|lavapipe/i.test(description)) return 'lavapipe';
  if (/swiftshader/i.test(description)) return 'swiftshader';
  return 'gpu';
}

export class GpuContext {
  readonly pipelines: PipelineCache;
  /** Why the device was lost, or null while it is usable. */
  lostReason: string | null = null;
  private destroyed = false;

  constructor(
    readonly device: GPUDevice,
    /** Vendor / architecture / description of the adapter, for reports. */
    readonly adapterDescription: string,
    readonly isSoftwareAdapter: boolean,
    readonly ownsDevice: boolean,
  ) {
    this.pipelines = new PipelineCache(device);
    void device.lost.then((info) => {
      this.lostReason = this.destroyed ? 'destroyed' : `${info.reason}: ${info.message || 'no message'}`;
    });
  }

  /**
   * The adapter's class, for kernels whose fastest form differs by class (measured by `npm run bench:kernels`):
   * 'swiftshader', 'lavapipe' (llvmpipe's Vulkan driver), or 'gpu' for anything else that is not a software
   * (fallback) adapter.
   */
  get adapterClass(): AdapterClass {
    const named = adapterClassOf(this.adapterDescription);
    // A software adapter of another name (a fallback adapter) gets the CPU kernels, SwiftShader's.
    return named === 'gpu' && this.isSoftwareAdapter ? 'swiftshader' : named;
  }

  /**
   * The subgroup size kernels may be generated for: where the device has 'subgroups' and its adapter runs every
   * subgroup at one size (subgroupMinSize = subgroupMaxSize, as SwiftShader's 4 and lavapipe's 8 lanes), else
   * undefined. subgroupBroadcast takes a constant lane, so a kernel is written for one size.
   */
  get subgroupSize(): number | undefined {
    if (!this.device.features.has('subgroups')) return undefined;
    const info = (this.device as GPUDevice & { adapterInfo?: { subgroupMinSize?: number; subgroupMaxSize?: number } }).adapterInfo;
    const size = info?.subgroupMinSize;
    return size !== undefined && size === info?.subgroupMaxSize && [4, 8, 16, 32, 64].includes(size) ? size : undefined;
  }

  get hasTimestamps(): boolean {
    return this.device.features.has('timestamp-query');
  }

  get limits(): GPUSupportedLimits {
    return this.device.limits;
  }

  /** Throws a clear error if the context was destroyed or its device lost. */
  assertUsable(): void {
    if (this.destroyed) throw new DestroyedError('this mixden GPU context was destroyed');
    if (this.lostReason !== null) throw new DeviceLostError(`the GPU device was lost (${this.lostReason})`);
  }

  /**
   * The error to report for a failed GPU call: a DeviceLostError when the device turns out to be lost
   * (the lost promise can settle just after the call that failed), else the error itself.
   */
  async explainFailure(error: unknown): Promise<unknown> {
    if (this.lostReason === null && !this.destroyed) {
      await Promise.race([this.device.lost, new Promise((resolve) => setTimeout(resolve, 100))]);
    }
    if (this.destroyed) return new DestroyedError('this mixden GPU context was destroyed while work was in flight');
    if (this.lostReason !== null) return new DeviceLostError(`the GPU device was lost (${this.lostReason})`);
    return error;
  }

  /** Destroys the device if we created it; idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.ownsDevice) this.device.destroy();
  }
}

/**
 * Gets a GPU context: from a device the caller already has, or a new one from `options.gpu ?? navigator.gpu`.
 * @example
 * const gpu = await acquireGpu();                    // in a page
 * const gpu2 = await acquireGpu({ device: myDevice }); // share the caller's device
 */
export async function acquireGpu(options: AcquireOptions = {}): Promise<GpuContext> {
  if (options.device) {
    // The device's adapter, where the implementation says (GPUDevice.adapterInfo), so that its class picks the
    // same kernels as a context mixden made on that adapter would.
    const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    const described = info ? describeAdapter(info) : undefined;
    return new GpuContext(options.device, described ? `${described} (caller-provided device)` : 'caller-provided device', info ? isSoftware(info) : false, false);
  }
  const gpu = options.gpu ?? (globalThis.navigator as Navigator | undefined)?.gpu;
  if (!gpu) {
    throw new WebGpuUnavailableError(
      'WebGPU is not available here: navigator.gpu is missing (it needs a secure context such as https or ' +
        '127.0.0.1, and a browser with WebGPU enabled); in Node use mixden/node',
    );
  }
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference });
  if (!adapter) {
    throw new WebGpuUnavailableError('WebGPU found no adapter: no GPU, and no software adapter was offered');
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of RAISED_LIMITS) requiredLimits[name] = adapter.limits[name];
  // Timestamps for profiles; subgroups for the kernels that share loads through them (GpuContext.subgroupSize).
  const requiredFeatures = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((f) => adapter.features.has(f));
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: options.label ?? 'mixden', requiredLimits, requiredFeatures });
  } catch (cause) {
    throw new WebGpuUnavailableError(`the adapter refused to create a device: ${String(cause)}`);
  }
  return new GpuContext(device, describeAdapter(adapter.info) || 'unknown adapter', isSoftware(adapter.info), true);
}

const describeAdapter = (info: GPUAdapterInfo): string => [info.vendor, info.architecture, info.description].filter(Boolean).join(' / ');

const isSoftware = (info: GPUAdapterInfo): boolean =>
  info.architecture === 'swiftshader' || info.vendor === 'google' || /swiftshader|llvmpipe|lavapipe/i.test(info.description) || (info as GPUAdapterInfo & { isFallbackAdapter?: boolean }).isFallbackAdapter === true;
