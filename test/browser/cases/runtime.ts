// Runtime behaviour that needs a real device: caching, ownership, and no allocation per training step.
import { type GpuContext, acquireGpu } from '../../../src/runtime/device.js';
import { compileKernel } from '../../../src/runtime/kernel.js';
import { denseForward } from '../../../src/shaders/denseForward.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { SMALL_ARCHITECTURE } from './training.js';
import { failure } from '../failure.js';
import { countCreations } from '../countCalls.js';


export const runtimeCases = {
  async deviceLostMidTraining(_shared: GpuContext, { lossEvery }: { lossEvery: number }) {
    // A device of its own, so losing it leaves the other cases' device alone.
    const gpu = await acquireGpu();
    const rows = 200;
    const trainer = await MdnTrainer.create(gpu, SMALL_ARCHITECTURE, { rows, optimizer: { kind: 'adam', learningRate: 0.01 } });
    trainer.setData(new Float32Array(rows * 3).fill(0.5), new Float32Array(rows * 2).fill(0.25));
    const training = failure(() => trainer.train(5000, { lossEvery }));
    await new Promise((resolve) => setTimeout(resolve, 30));
    gpu.device.destroy();
    const error = await training;
    const later = await failure(() => trainer.train(1));
    return { error, later, stepsDone: trainer.steps };
  },

  async refusals(gpu: GpuContext) {
    const optimizer = { kind: 'adam' as const, learningRate: 0.01 };
    const trainer = await MdnTrainer.create(gpu, SMALL_ARCHITECTURE, { rows: 4, optimizer });
    try {
      return {
        hugeBatch: await failure(() => MdnTrainer.create(gpu, SMALL_ARCHITECTURE, { rows: 2 ** 28, optimizer })),
        noRows: await failure(() => MdnTrainer.create(gpu, SMALL_ARCHITECTURE, { rows: 0, optimizer })),
        noComponents: await failure(() => MdnTrainer.create(gpu, { ...SMALL_ARCHITECTURE, components: 0 }, { rows: 4, optimizer })),
        shortX: await failure(() => trainer.setData(new Float32Array(11), new Float32Array(8))),
        nanY: await failure(() => trainer.setData(new Float32Array(12), Float32Array.of(0, 1, 2, 3, 4, NaN, 6, 7))),
        badSteps: await failure(() => trainer.train(-1)),
      };
    } finally {
      trainer.destroy();
    }
  },

  async pipelineCacheShares(gpu: GpuContext) {
    const [a, b] = await Promise.all([
      compileKernel(gpu, denseForward, { activation: 'relu', vectorB: false }),
      compileKernel(gpu, denseForward, { activation: 'relu', vectorB: false }),
    ]);
    const c = await compileKernel(gpu, denseForward, { activation: 'relu', vectorB: true });
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
      const counts = await countCreations(gpu.device, async () => void (await trainer.train(200, { lossEvery: 50 })));
      return { counts, dispatchesPerStep: trainer.dispatchesPerStep, description: trainer.stepProgram.describe() };
    } finally {
      trainer.destroy();
    }
  },
};
