// mixden in the sequence benchmark: a SequenceMdn (lstm:128, gaussian-full K = 10, categorical pen) trained through
// a training session (one submit per call, the loss read once), generation through a SequenceGenerator built once.
import type { GpuContext } from '../../src/runtime/device.js';
import { createSequenceMdn } from '../../src/mdn/sequence/sequenceMdn.js';
import { SEQUENCE_WORKLOAD as W, type SequenceBenchSystem } from './workload.js';

export function mixdenSequenceSystem(gpu: () => Promise<GpuContext>): SequenceBenchSystem {
  return {
    name: 'mixden',
    available: async () => true,
    async create(sequences) {
      const model = await createSequenceMdn({
        outputDim: 2,
        layers: [{ kind: 'lstm', units: W.units }],
        family: 'gaussian-full',
        components: W.components,
        sideOutputs: [{ kind: 'categorical', classes: W.penClasses }],
        seed: 1,
        gpu: await gpu(),
      });
      const session = await model.trainingSession(sequences, { batchSize: W.batch, window: W.steps, learningRate: W.learningRate, seed: 1 });
      const generator = await model.generator({ count: W.generate.count, maxSteps: W.generate.steps, seed: 1 });
      return {
        train: (steps) => session.train(steps),
        async generate() {
          await generator.run();
        },
        dispatchesPerStep: async () => session.dispatchesPerStep,
        dispose() {
          generator.destroy();
          session.destroy();
          model.destroy();
        },
      };
    },
  };
}
