// Whole training steps on the GPU against the float64 reference network, and seed 000's proof of life.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { MdnArchitecture } from '../../../src/mdn/architecture.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { initialParameters } from '../../../src/mdn/init.js';
import { trainReference } from '../../../src/mdn/reference/network.js';
import { trainInverseSine } from '../../../src/mdn/inverseSineJob.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { toF32 } from '../runKernel.js';

export const SMALL_ARCHITECTURE: MdnArchitecture = {
  inputDim: 3,
  outputDim: 2,
  hidden: [7, 5],
  activation: 'tanh',
  components: 3,
  sigma: 'softplus',
  sigmaEpsilon: 1e-7,
};

export const trainingCases = {
  async trainingSteps(gpu: GpuContext, { steps, rows, activation }: { steps: number; rows: number; activation: MdnArchitecture['activation'] }) {
    const arch = { ...SMALL_ARCHITECTURE, activation };
    const random = new Random(rows);
    const x = toF32(random.fill(rows * arch.inputDim, (r) => r.normal()));
    const y = toF32(random.fill(rows * arch.outputDim, (r) => r.normal()));
    const initial = initialParameters(arch, 5);
    const adam = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };
    const trainer = await MdnTrainer.create(gpu, arch, { rows, initialParameters: initial, optimizer: { kind: 'adam', ...adam } });
    try {
      trainer.setData(x, y);
      const records = await trainer.train(steps, { lossEvery: 1 });
      const params = await trainer.readParameters();
      const expectedParams = initial.map((p) => Float64Array.from(p));
      const expectedLosses = trainReference(arch, expectedParams, x, y, rows, steps, { ...adam, learningRate: Math.fround(adam.learningRate) });
      return [
        compareArrays(`loss per step (${activation})`, records.map((r) => r.loss), expectedLosses, { atol: 1e-5, rtol: 1e-5 }),
        ...params.map((p, i) => compareArrays(`layer${i} params after ${steps} steps (${activation})`, p, expectedParams[i], { atol: 1e-5, rtol: 1e-4 })),
      ];
    } finally {
      trainer.destroy();
    }
  },

  async inverseSine(gpu: GpuContext, options: { steps: number; components?: number }) {
    return trainInverseSine(gpu, options);
  },
};
