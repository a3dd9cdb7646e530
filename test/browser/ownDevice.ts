// Helpers for cases that work on a device of their own, as an application embedding mixden would.
import { type ExportedKernel, loadInferenceKernel } from '../../src/inference.js';
import type { GpuContext } from '../../src/runtime/device.js';
import type { Mdn } from '../../src/mdn/model.js';
import { loadMdn } from '../../src/mdn/createMdn.js';

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

/**
 * A model saved, loaded again by loadMdn on `gpu`, and opened by mixden/inference on a device of its own: the
 * log-densities of (xs, ys) each way, and the inference kernel's mixture rows of xs.
 */
export async function throughEveryLoader(model: Mdn, gpu: GpuContext, xs: Float32Array, ys: Float32Array) {
  const saved = await model.save();
  const loaded = await loadMdn(saved, gpu);
  const loadedLogProb = Array.from(await loaded.logProb(xs, ys));
  loaded.destroy();
  const embedded = await onOwnDevice(async (device) => {
    const kernel = await loadInferenceKernel(device, saved);
    const logProb = Array.from(await kernel.logProb(xs, ys));
    const mixtureRows = Array.from(await kernel.run(xs));
    kernel.destroy();
    return { logProb, mixtureRows };
  });
  return { saved, loadedLogProb, kernelLogProb: embedded.logProb, kernelRows: embedded.mixtureRows, validation: embedded.validation };
}


/**
 * Records one of exportWgsl's stages on `rows` rows into `encoder`, as another program would: its own pipeline,
 * its uniform binding filled from uniformBytes, and `resources` bound by the stage's binding names. Returns the
 * uniform buffer it made, for the caller to destroy.
 */
export function encodeExportedStage(device: GPUDevice, encoder: GPUCommandEncoder, stage: ExportedKernel, rows: number, resources: Record<string, GPUBuffer | GPUBufferBinding>): GPUBuffer {
  const layout = device.createBindGroupLayout({ entries: stage.bindings.map(({ name: _, ...e }) => e) });
  const module = device.createShaderModule({ code: stage.code });
  const pipeline = device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
  const bytes = stage.uniformBytes(rows);
  const uniformBuffer = device.createBuffer({ size: bytes.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(uniformBuffer, 0, bytes);
  const uniformName = stage.bindings.find((b) => b.buffer?.type === 'uniform')!.name;
  const bound: Record<string, GPUBuffer | GPUBufferBinding> = { ...resources, [uniformName]: uniformBuffer };
  const bindGroup = device.createBindGroup({
    layout,
    entries: stage.bindings.map((b, j) => {
      const r = bound[b.name];
      return { binding: j, resource: 'buffer' in r ? r : { buffer: r } };
    }),
  });
  const pass = encoder.beginComputePass();
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.dispatchWorkgroups(...stage.plan(rows).workgroups);
  pass.end();
  return uniformBuffer;
}

/**
 * Runs exportWgsl's layer stages on `rows` rows of `x` by hand, binding each storage binding to what its
 * `bindTo` names (the layer's input, output, parameter block from an offset, or a scratch buffer of its own),
 * then the mixture stage; returns the mixture rows' buffer. Buffers are left to the device's destruction.
 */
export function encodeExportedModel(device: GPUDevice, encoder: GPUCommandEncoder, stages: readonly ExportedKernel[], blocks: readonly Float32Array[], outputs: readonly number[], x: Float32Array, rows: number, mixtureWidth: number): GPUBuffer {
  let input = storage(device, x);
  const layerOutputs = outputs.map((width) => storage(device, rows * width));
  const scratch = new Map<string, GPUBuffer>();
  const weights = blocks.map((b) => storage(device, b));
  for (const stage of stages) {
    if (stage.layer === undefined) {
      const params = storage(device, rows * mixtureWidth);
      encodeExportedStage(device, encoder, stage, rows, { head: input, params });
      return params;
    }
    const layer = stage.layer;
    const resources: Record<string, GPUBuffer | GPUBufferBinding> = {};
    for (const b of stage.bindings) {
      const to = b.bindTo;
      if (!to) continue;
      if (to.kind === 'input') resources[b.name] = input;
      else if (to.kind === 'output') resources[b.name] = layerOutputs[layer];
      else if (to.kind === 'weights') resources[b.name] = { buffer: weights[layer], offset: to.offsetFloats * 4 };
      else {
        const key = `${layer} ${to.index}`;
        if (!scratch.has(key)) scratch.set(key, storage(device, rows * to.floatsPerRow));
        resources[b.name] = scratch.get(key)!;
      }
    }
    encodeExportedStage(device, encoder, stage, rows, resources);
    if (stage === stages.filter((s) => s.layer === layer).at(-1)) input = layerOutputs[layer];
  }
  throw new Error('exportWgsl gave no mixture stage');
}
