// The sequence model end to end on the GPU: sine waves of random frequency and phase (the next value depends on
// where the wave is going, which one step does not tell), trained, scored, generated from, saved and loaded.
import type { GpuContext } from '../../../src/runtime/device.js';
import { createSequenceMdn, loadSequenceMdn } from '../../../src/mdn/sequence/sequenceMdn.js';
import { type Sequence, packSequences } from '../../../src/mdn/sequence/sequenceData.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { loadSequenceGenerator } from '../../../src/inference.js';
import { readFloats } from '../../../src/runtime/buffers.js';
import { Random } from '../../../src/mdn/random.js';
import { countCreations } from '../countCalls.js';

/** Waves of 6 to 20 steps: y_t = sin(ω·t + φ) + 0.05·noise, with a Bernoulli "last step" flag. */
export function waves(count: number, seed: number): Sequence[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const omega = random.range(0.3, 0.9);
    const phi = random.range(0, 2 * Math.PI);
    const steps = 6 + Math.floor(random.uniform() * 15);
    const y = Array.from({ length: steps }, (_, t) => [Math.sin(omega * t + phi) + 0.05 * random.normal(), t === steps - 1 ? 1 : 0]).flat();
    return { y, condition: [omega] };
  });
}

export const sequenceModelCases = {
  async sequenceModelEndToEnd(gpu: GpuContext, { cell }: { cell: 'lstm' | 'gru' }) {
    const model = await createSequenceMdn({ outputDim: 1, conditionDim: 1, layers: `${cell}:16,dense:16:tanh`, components: 3, sideOutputs: [{ kind: 'bernoulli', name: 'end' }], seed: 3, gpu });
    try {
      const train = waves(64, 1);
      const test = waves(32, 2);
      const before = await model.evaluate(test);
      const fit = await model.fit(train, { steps: 200, batchSize: 16, learningRate: 0.01, clipNorm: 1, evaluateEvery: 100, validation: test });
      const after = await model.evaluate(test);
      const options = { count: 40, maxSteps: 30, conditions: [0.5], temperature: 1, seed: 7, stopWhen: { column: 1, value: 1 } };
      const first = await model.generate(options);
      const again = await model.generate(options);
      const other = await model.generate({ ...options, seed: 8 });
      // Primed generation: continuing the first 5 steps of free-running sequences (no stop) gives exactly their
      // remaining steps, per-sequence primes and one shared prime alike (the prime walks the same kernels, and
      // step t draws the same numbers whether it follows a prime or the model's own draws).
      const free = await model.generate({ ...options, stopWhen: undefined, maxSteps: 12 });
      const primes = free.sequences.map((s) => s.slice(0, 5 * 2));
      const primed = await model.generate({ ...options, stopWhen: undefined, maxSteps: 7, prime: primes });
      const sharedPrimed = await model.generate({ ...options, stopWhen: undefined, maxSteps: 7, prime: primes[0] });
      const primeContinues = primed.sequences.every((s, n) => JSON.stringify(Array.from(s)) === JSON.stringify(Array.from(free.sequences[n].slice(10))));
      const sharedPrimeContinues = JSON.stringify(Array.from(sharedPrimed.sequences[0])) === JSON.stringify(Array.from(free.sequences[0].slice(10)));
      const primeDiffers = JSON.stringify(Array.from(sharedPrimed.sequences[1])) !== JSON.stringify(Array.from(free.sequences[1].slice(10)));
      const badPrime = await model.generate({ ...options, prime: [0.5, 7, 0.1] }).then(() => 'generated', (error: Error) => error.message);
      const bytes = await model.save();
      // mixden/inference's generator on the same device, recorded into an encoder of ours: the same sequences.
      const embedded = await loadSequenceGenerator(gpu.device, bytes, options);
      const encoder = gpu.device.createCommandEncoder();
      embedded.encode(encoder);
      gpu.device.queue.submit([encoder.finish()]);
      const lengthsRead = Array.from(await readFloats(gpu, embedded.outputs.lengths, options.count));
      const stepsRead = await readFloats(gpu, embedded.outputs.generated, options.maxSteps * options.count * 2);
      embedded.destroy();
      const embeddedSame =
        JSON.stringify(lengthsRead) === JSON.stringify(first.lengths) &&
        first.sequences.every((s, n) => s.every((v, i) => v === stepsRead[(Math.floor(i / 2) * options.count + n) * 2 + (i % 2)]));
      const loaded = await loadSequenceMdn(bytes, gpu);
      const loadedNll = await loaded.evaluate(test);
      const loadedDraws = await loaded.generate(options);
      loaded.destroy();
      // Nothing is created per generated step (a whole run of a built generator) or per training step (20 steps
      // of a trainer that has run once).
      const generator = await model.generator({ ...options, maxSteps: 60 });
      const creations = await countCreations(gpu.device, async () => {
        await generator.run();
      });
      generator.destroy();
      // ... and the same for stateful windows (their schedule is written per submit, into a buffer made once).
      const packed = packSequences(model.architecture, train, 12);
      const trainingCreations: Record<string, number>[] = [];
      for (const windows of [undefined, packed.windows]) {
        const trainer = await MdnTrainer.create(gpu, model.architecture, {
          rows: packed.pieces,
          batchSize: 8,
          sequence: { steps: packed.steps, ...(windows ? { windows } : {}) },
          optimizer: { kind: 'adam', learningRate: 1e-3 },
          clipNorm: 1,
        });
        trainer.setData(packed.x, packed.y, packed.mask);
        await trainer.train(1, { lossEvery: 1 });
        trainingCreations.push(await countCreations(gpu.device, async () => {
          await trainer.train(20, { lossEvery: 10 });
        }));
        trainer.destroy();
      }
      const statefulWithoutWindow = await model.fit(train, { steps: 1, stateful: true }).then(() => 'trained', (error: Error) => error.message);
      return {
        before,
        after,
        history: fit.history,
        dispatchesPerStep: fit.dispatchesPerStep,
        lengths: first.lengths,
        sameSeedSame: JSON.stringify(first) === JSON.stringify(again),
        otherSeedDiffers: JSON.stringify(first) !== JSON.stringify(other),
        loadedNll,
        loadedSame: JSON.stringify(first) === JSON.stringify(loadedDraws),
        embeddedSame,
        lastFlags: first.sequences.map((s, n) => (first.lengths[n] < 30 ? s[s.length - 1] : 1)),
        allFinite: first.sequences.every((s) => s.every(Number.isFinite)),
        creations,
        trainingCreations,
        statefulWithoutWindow,
        primeContinues,
        sharedPrimeContinues,
        primeDiffers,
        primedLengths: primed.lengths,
        badPrime,
      };
    } finally {
      model.destroy();
    }
  },
};
