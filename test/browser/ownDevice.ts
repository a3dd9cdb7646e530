// Helpers for cases that work on a device of their own, as an application embedding mixden would.

// Runs `body` on a device of the test's own inside a validation error scope, and destroys the device after it,
// also when it throws. `validation` is the scope's error message, '' if nothing went wrong on the device.
export async function onOwnDevice<T extends object>(body: (device: GPUDevice) => Promise<T>): Promise<T & { validation: string }> {
  const adapter = await navigator.gpu.requestAdapter();
  const device = await adapter!.requestDevice({ label: 'test-owned device' });
  device.pushErrorScope('validation');
  try {
    const result = await body(device);
    const error = await device.popErrorScope();
    return { ...result, validation: error ? error.message : '' };
  } finally {
    device.destroy();
  }
}

export const storage = (device: GPUDevice, values: Float32Array | number) => {
  const size = typeof values === 'number' ? values * 4 : values.byteLength;
  const buffer = device.createBuffer({ size: Math.max(16, Math.ceil(size / 16) * 16), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  if (typeof values !== 'number') device.queue.writeBuffer(buffer, 0, values);
  return buffer;
};

export async function read(device: GPUDevice, buffer: GPUBuffer, floats: number): Promise<Float32Array> {
  const staging = device.createBuffer({ size: floats * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, floats * 4);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return out;
}

export const same = (a: ArrayLike<number>, b: ArrayLike<number>) => a.length === b.length && Array.from(a).every((v, i) => Object.is(v, b[i]));

