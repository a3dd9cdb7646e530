/** Base class of every error mixden throws on purpose, so callers can tell ours from the platform's. */
export class MixdenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** WebGPU itself is missing, or no adapter or device could be had. */
export class WebGpuUnavailableError extends MixdenError {}

/** The GPUDevice was lost (driver reset, `destroy()`, out of memory); work on it cannot continue. */
export class DeviceLostError extends MixdenError {}

/** A size asked for is past what the device allows. */
export class DeviceLimitError extends MixdenError {}

/** An object was used after `destroy()`. */
export class DestroyedError extends MixdenError {}

/** Arguments of the wrong shape, type or value. */
export class InvalidArgumentError extends MixdenError {}
