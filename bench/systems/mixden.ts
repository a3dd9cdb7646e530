// mixden in the benchmark: the trainer and the predictor sharing one parameter arena on the page's device.
import { type GpuContext, acquireGpu } from '../../src/runtime/device.js';
import { MdnTrainer } from '../../src/mdn/trainer.js';
import { MdnPredictor } from '../../src/mdn/predictor.js';
import type { BenchSystem } from './system.js';

let gpu: GpuContext | undefined;
// How the host gets its GPU context: navigator.gpu in a page; bench/node.ts gives Dawn's.
let acquire: () => Promise<GpuContext> = () => acquireGpu();

/** Makes mixden's system run on `provider`'s context (Node: nodeGpu). */
export function useGpu(provider: () => Promise<GpuContext>): void {
  acquire = provider;
}

export const mixdenSystem: BenchSystem = {
  name: 'mixden',
  async available() {
    gpu ??= await acquire();
    return true;
  },
  async create(workload, data, initial) {
    const context = gpu!;
    const trainer = await MdnTrainer.create(context, workload.architecture, {
      rows: data.rows,
      initialParameters: initial,
      optimizer: { kind: 'adam', learningRate: workload.learningRate, epsilon: 1e-7 },
    });
    trainer.setData(data.x, data.y);
    let predictor: MdnPredictor | undefined;
    return {
      async train(steps, lossEvery) {
        const records = await trainer.train(steps, { lossEvery });
        return records[records.length - 1].loss;
      },
      async predict(x) {
        predictor ??= await MdnPredictor.create(context, workload.architecture, trainer.parameters);
        return predictor.predict(x);
      },
      memoryBytes: () => trainer.gpuBytes + (predictor?.gpuBytes ?? 0),
      dispatchesPerStep: async () => trainer.dispatchesPerStep,
      dispose() {
        predictor?.destroy();
        trainer.destroy();
      },
    };
  },
};

/** The host's mixden GPU context (for the adapter description and the ceiling measurement). */
export async function mixdenGpu(): Promise<GpuContext> {
  gpu ??= await acquire();
  return gpu;
}
