// Runtime behaviour that needs a real device: caching, ownership, and no allocation per training step.
import { type GpuContext, acquireGpu } from '../../../src/runtime/device.js';
import { compileKernel } from '../../../src/runtime/kernel.js';
import { denseForward } from '../../../src/shaders/denseForward.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { SMALL_ARCHITECTURE } from './training.js';

export const runtimeCases = {
  async pipelineCacheShares(gpu: GpuContext) {
    const [a, b] = await Promise.all([
      compileKernel(gpu, denseForward, { activation: 'relu' }),
      compileKernel(gpu, denseForward, { activation: 'relu' }),
    ]);
    const c = await compileKernel(gpu, denseForward, { activation: 'elu' });
    return { samePipeline: a.pipeline === b.pipeline, differentVariant: a.pipeline !== c.pipeline };
  },

  async callerDeviceSurvives(gpu: GpuContext) {
    const borrowed = await acquireGpu({ device: gpu.device });
    borrowed.destroy();
    borrowed.destroy();
    let afterDestroy = '';
    try {
      borrowed.assertUsable();
    } catch (e) {
      afterDestroy = String(e);
    }
    // The caller's device must still work.
    const buffer = gpu.device.createBuffer({ size: 16, usage: GPUBufferUsage.STORAGE });
    buffer.destroy();
    return { ownsDevice: borrowed.ownsDevice, afterDestroy, stillUsable: gpu.lostReason === null };
  },

  async stepsAllocateNothing(gpu: GpuContext) {
    const rows = 40;
    const trainer = await MdnTrainer.create(gpu, SMALL_ARCHITECTURE, { rows, optimizer: { kind: 'adam', learningRate: 0.01 } });
    try {
      trainer.setData(new Float32Array(rows * 3).fill(0.5), new Float32Array(rows * 2).fill(0.25));
      await trainer.train(3, { lossEvery: 1 });
      const device = gpu.device as unknown as Record<string, unknown>;
      const counts = { createBuffer: 0, createBindGroup: 0, createComputePipeline: 0, createComputePipelineAsync: 0 };
      const originals = Object.fromEntries(Object.keys(counts).map((k) => [k, device[k]]));
      for (const name of Object.keys(counts) as (keyof typeof counts)[]) {
        device[name] = (...a: unknown[]) => {
          counts[name]++;
          return (originals[name] as (...x: unknown[]) => unknown).apply(device, a);
        };
      }
      try {
        await trainer.train(200, { lossEvery: 50 });
      } finally {
        for (const name of Object.keys(counts)) device[name] = originals[name];
      }
      return { counts, dispatchesPerStep: trainer.dispatchesPerStep, description: trainer.stepProgram.describe() };
    } finally {
      trainer.destroy();
    }
  },
};
