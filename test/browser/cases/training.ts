// Whole training steps on the GPU against the float64 reference network, and the inverse-sine proof of life.
import { GpuContext } from '../../../src/runtime/device.js';
import type { MdnArchitecture } from '../../../src/mdn/architecture.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { initialParameters } from '../../../src/mdn/init.js';
import { trainReference } from '../../../src/mdn/reference/network.js';
import { trainInverseSine } from '../../../src/mdn/inverseSineJob.js';
import { Random } from '../../../src/mdn/random.js';
import { epochKeys, permutationBits, permute } from '../../../src/mdn/epochPermutation.js';
import { StepRing } from '../../../src/runtime/stepRing.js';
import { GatherStep, gatherBatch } from '../../../src/shaders/gatherBatch.js';
import { runKernel } from '../runKernel.js';
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

/**
 * `steps` Adam steps of `arch` on `rows` seeded random rows, on the GPU and in the float64 reference from the
 * same initial weights: the loss of every step (atol 1e-5, rtol 1e-5) and every parameter after the last
 * (atol 1e-5, rtol 1e-4), as trainingSteps compares them.
 */
export async function stepsAgainstReference(gpu: GpuContext, arch: MdnArchitecture, steps: number, rows: number, seed: number, label: string) {
  const random = new Random(seed);
  const x = toF32(random.fill(rows * arch.inputDim, (r) => r.normal()));
  const y = toF32(randomTargets(random, arch, rows));
  const initial = initialParameters(arch, 5);
  const adam = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };
  const trainer = await MdnTrainer.create(gpu, arch, { rows, initialParameters: initial, optimizer: { kind: 'adam', ...adam } });
  try {
    trainer.setData(x, y);
    const records = await trainer.train(steps, { lossEvery: 1 });
    const params = await trainer.readParameters();
    const expected = initial.map((p) => Float64Array.from(p));
    const losses = trainReference(arch, expected, x, y, rows, steps, { ...adam, learningRate: Math.fround(adam.learningRate) });
    return [
      compareArrays(`${label} loss per step`, records.map((r) => r.loss), losses, { atol: 1e-5, rtol: 1e-5 }),
      ...params.map((p, i) => compareArrays(`${label} layer${i} params after ${steps} steps`, p, expected[i], { atol: 1e-5, rtol: 1e-4 })),
    ];
  } finally {
    trainer.destroy();
  }
}

/** Rows of targets for `arch`: standard normal continuous values, then a random class of each side output. */
export function randomTargets(random: Random, arch: MdnArchitecture, rows: number): Float64Array {
  const sides = arch.sideOutputs ?? [];
  const width = arch.outputDim + sides.length;
  return Float64Array.from({ length: rows * width }, (_, i) => {
    const column = i % width;
    if (column < arch.outputDim) return random.normal();
    const side = sides[column - arch.outputDim];
    return Math.floor(random.uniform() * (side.kind === 'bernoulli' ? 2 : (side.classes as number)));
  });
}

export const trainingCases = {
  /**
   * Training steps with the kernels a GPU-class adapter gets (the three dense products in workgroup-memory tiles),
   * forced here on a software adapter: a context over the same device that reports another adapter.
   */
  async gpuClassTrainingSteps(gpu: GpuContext, { steps, rows }: { steps: number; rows: number }) {
    const forced = new GpuContext(gpu.device, 'test: a GPU-class adapter (forced)', false, false);
    if (forced.adapterClass !== 'gpu') throw new Error('the forced context is not GPU-class');
    return stepsAgainstReference(forced, { ...SMALL_ARCHITECTURE, hidden: [70, 5] }, steps, rows, rows + 2, 'GPU-class kernels');
  },

  async trainingSteps(
    gpu: GpuContext,
    { steps, rows, activation, clipNorm, sigmaPenalty }: { steps: number; rows: number; activation: MdnArchitecture['activation']; clipNorm?: number; sigmaPenalty?: number },
  ) {
    const arch = { ...SMALL_ARCHITECTURE, activation };
    const random = new Random(rows);
    const x = toF32(random.fill(rows * arch.inputDim, (r) => r.normal()));
    const y = toF32(random.fill(rows * arch.outputDim, (r) => r.normal()));
    const initial = initialParameters(arch, 5);
    const adam = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };
    const trainer = await MdnTrainer.create(gpu, arch, { rows, initialParameters: initial, optimizer: { kind: 'adam', ...adam }, clipNorm, sigmaPenalty });
    try {
      trainer.setData(x, y);
      const records = await trainer.train(steps, { lossEvery: 1 });
      const params = await trainer.readParameters();
      const expectedParams = initial.map((p) => Float64Array.from(p));
      const expectedLosses = trainReference(arch, expectedParams, x, y, rows, steps, { ...adam, learningRate: Math.fround(adam.learningRate) }, {
        clipNorm: clipNorm === undefined ? undefined : Math.fround(clipNorm),
        sigmaPenalty: sigmaPenalty === undefined ? 0 : Math.fround(sigmaPenalty),
      });
      return [
        compareArrays(`loss per step (${activation})`, records.map((r) => r.loss), expectedLosses, { atol: 1e-5, rtol: 1e-5 }),
        ...params.map((p, i) => compareArrays(`layer${i} params after ${steps} steps (${activation})`, p, expectedParams[i], { atol: 1e-5, rtol: 1e-4 })),
      ];
    } finally {
      trainer.destroy();
    }
  },

  async gatherBatch(gpu: GpuContext, { rows, batch, batchStart, epoch }: { rows: number; batch: number; batchStart: number; epoch: number }) {
    const keys = epochKeys(7, epoch);
    const ring = new StepRing(gpu, GatherStep, 1, 'test gather ring');
    try {
      ring.write(gpu.device.queue, [{ key0: keys[0], key1: keys[1], batchStart }]);
      const out = await runKernel(gpu, gatherBatch, {}, { rows, batch, inputDim: 2, targetWidth: 1, halfBits: permutationBits(rows) / 2 }, {
        buffers: {
          allInputs: Float32Array.from({ length: rows * 2 }, (_, j) => (j % 2 ? -1 : 1) * Math.floor(j / 2)),
          allTargets: Float32Array.from({ length: rows }, (_, i) => i + 0.5),
          batchInputs: batch * 2,
          batchTargets: batch,
        },
        resources: { step: ring.binding() },
        read: ['batchInputs', 'batchTargets'],
      });
      const expected = Array.from({ length: batch }, (_, i) => permute(batchStart + i, rows, keys));
      return {
        inputs: Array.from(out.batchInputs),
        targets: Array.from(out.batchTargets),
        expectedInputs: expected.flatMap((r) => [r, -r]),
        expectedTargets: expected.map((r) => r + 0.5),
      };
    } finally {
      ring.destroy();
    }
  },

  async minibatchSteps(gpu: GpuContext, { steps, rows, batchSize }: { steps: number; rows: number; batchSize: number }) {
    const arch = SMALL_ARCHITECTURE;
    const random = new Random(rows + 1);
    const x = toF32(random.fill(rows * arch.inputDim, (r) => r.normal()));
    const y = toF32(random.fill(rows * arch.outputDim, (r) => r.normal()));
    const initial = initialParameters(arch, 6);
    const adam = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };
    const seed = 21;
    const trainer = await MdnTrainer.create(gpu, arch, { rows, batchSize, seed, initialParameters: initial, optimizer: { kind: 'adam', ...adam } });
    try {
      trainer.setData(x, y);
      const records = await trainer.train(steps, { lossEvery: 1 });
      const params = await trainer.readParameters();
      const stepsPerEpoch = Math.floor(rows / batchSize);
      const batchOf = (t: number) => {
        const keys = epochKeys(seed, Math.floor((t - 1) / stepsPerEpoch));
        const start = ((t - 1) % stepsPerEpoch) * batchSize;
        return Array.from({ length: batchSize }, (_, i) => permute(start + i, rows, keys));
      };
      const expectedParams = initial.map((p) => Float64Array.from(p));
      const expectedLosses = trainReference(arch, expectedParams, x, y, rows, steps, { ...adam, learningRate: Math.fround(adam.learningRate) }, { batchOf });
      return {
        dispatchesPerStep: trainer.dispatchesPerStep,
        reports: [
          compareArrays(`minibatch loss per step`, records.map((r) => r.loss), expectedLosses, { atol: 1e-5, rtol: 1e-5 }),
          ...params.map((p, i) => compareArrays(`layer${i} params after ${steps} minibatch steps`, p, expectedParams[i], { atol: 1e-5, rtol: 1e-4 })),
        ],
      };
    } finally {
      trainer.destroy();
    }
  },

  async inverseSine(gpu: GpuContext, options: { steps: number; components?: number }) {
    return trainInverseSine(gpu, options);
  },
};
