// The embeddable inference kernel on a device the test owns: recorded into the test's own encoder, on the
// test's buffers, it must give exactly what the full library gives (same kernels, same weights).
import type { GpuContext } from '../../../src/runtime/device.js';
import { createMdn } from '../../../src/mdn/createMdn.js';
import { exportWgsl, loadInferenceKernel } from '../../../src/inference.js';
import { inverseSine, standardize } from '../../../src/mdn/datasets.js';
import { failure } from '../failure.js';
import { countCreations } from '../countCalls.js';
import { encodeExportedModel, onOwnDevice, read, same, storage } from '../ownDevice.js';
import { networkLayers } from '../../../src/mdn/architecture.js';

async function trainedModelBytes(gpu: GpuContext, seed: number, components: number): Promise<Uint8Array> {
  const d = inverseSine(200, seed);
  const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [12], components, sigma: 'softplus', seed, gpu });
  try {
    await model.fit(standardize(d.x, 200, 1).values, standardize(d.y, 200, 1).values, { steps: 100, learningRate: 0.02 });
    return await model.save();
  } finally {
    model.destroy();
  }
}

// exportWgsl's stages run by hand on a device of their own, as another program would (bound as their bindTo says),
// against the inference kernel on 37 rows: the stages' labels and bindings, and whether the mixtures are identical.
async function exportedByHand(bytes: Uint8Array) {
  return onOwnDevice(async (device) => {
    const kernel = await loadInferenceKernel(device, bytes);
    const { decodeModel } = await import('../../../src/mdn/serialization.js');
    const { blocks, architecture } = decodeModel(bytes);
    const rows = 37;
    const width = architecture.components * (1 + 2 * architecture.outputDim);
    const x = Float32Array.from({ length: rows }, (_, i) => Math.cos(i));
    const stages = exportWgsl(bytes);
    const encoder = device.createCommandEncoder();
    const mixture = encodeExportedModel(device, encoder, stages, blocks, networkLayers(architecture).map((l) => l.outputs), x, rows, width);
    device.queue.submit([encoder.finish()]);
    const byHand = await read(device, mixture, rows * width);
    const viaKernel = await kernel.run(x);
    kernel.destroy();
    return {
      stages: stages.map((s) => ({ label: s.label, bindTo: s.bindings.filter((b) => b.bindTo).map((b) => `${b.name}: ${JSON.stringify(b.bindTo)}`) })),
      identical: same(byHand, viaKernel),
    };
  });
}

export const embeddedCases = {
  async embeddedMatchesLibrary(gpu: GpuContext) {
    const bytes = await trainedModelBytes(gpu, 1, 5);
    return onOwnDevice(async (device) => {
      const kernel = await loadInferenceKernel(device, bytes, { maxRows: 16 });
      const library = await (await import('../../../src/mdn/createMdn.js')).loadMdn(bytes, gpu);
      try {
        const rows = 50;
        const offset = 3;
        const x = Float32Array.from({ length: rows + offset }, (_, i) => Math.sin(i) * 1.5);
        const y = Float32Array.from({ length: rows + offset }, (_, i) => Math.cos(i));
        const width = kernel.mixtureWidth;
        const input = storage(device, x);
        const target = storage(device, y);
        const mixtureOut = storage(device, (rows + offset) * width);
        const logOut = storage(device, rows + offset);
        const sampleOut = storage(device, (rows + offset) * 4);
        const encoder = device.createCommandEncoder();
        kernel.encode(encoder, { mode: 'mixture', input, output: mixtureOut, count: rows, offset });
        kernel.encode(encoder, { mode: 'logProb', input, target, output: logOut, count: rows, offset });
        kernel.encode(encoder, { mode: 'sample', input, output: sampleOut, count: rows, offset, samples: 4, seed: 9, temperature: 0.8 });
        device.queue.submit([encoder.finish()]);
        const mixture = (await read(device, mixtureOut, (rows + offset) * width)).slice(offset * width);
        const logDensity = (await read(device, logOut, rows + offset)).slice(offset);
        const samples = (await read(device, sampleOut, (rows + offset) * 4)).slice(offset * 4);
        const xs = x.slice(offset);
        const expected = await library.predict(xs);
        const expectedMixture = new Float32Array(rows * width);
        for (let r = 0; r < rows; r++) {
          expectedMixture.set(expected.pi.subarray(r * 5, r * 5 + 5), r * width);
          expectedMixture.set(expected.mu.subarray(r * 5, r * 5 + 5), r * width + 5);
          expectedMixture.set(expected.sigma.subarray(r * 5, r * 5 + 5), r * width + 10);
        }
        return {
          mixture: same(mixture, expectedMixture),
          run: same(await kernel.run(xs), expectedMixture),
          logProb: same(logDensity, await library.logProb(xs, y.slice(offset))),
          sample: same(samples, await library.sample(xs, 4, { seed: 9, temperature: 0.8 })),
        };
      } finally {
        library.destroy();
        kernel.destroy();
      }
    });
  },

  async embeddedOwnership(gpu: GpuContext) {
    const [a, b] = [await trainedModelBytes(gpu, 2, 3), await trainedModelBytes(gpu, 3, 4)];
    return onOwnDevice(async (device) => {
      const first = await loadInferenceKernel(device, a);
      const second = await loadInferenceKernel(device, b);
      const x = Float32Array.from({ length: 40 }, (_, i) => i / 10 - 2);
      const aloneA = await first.run(x);
      const aloneB = await second.run(x);
      // Both recorded into one encoder, interleaved.
      const input = storage(device, x);
      const outA = storage(device, 40 * first.mixtureWidth);
      const outB = storage(device, 40 * second.mixtureWidth);
      const encoder = device.createCommandEncoder();
      first.encode(encoder, { mode: 'mixture', input, output: outA, count: 40 });
      second.encode(encoder, { mode: 'mixture', input, output: outB, count: 40 });
      device.queue.submit([encoder.finish()]);
      const together = same(await read(device, outA, 40 * first.mixtureWidth), aloneA) && same(await read(device, outB, 40 * second.mixtureWidth), aloneB);
      const refusals = {
        smallOutput: await failure(() => first.encode(device.createCommandEncoder(), { mode: 'mixture', input, output: storage(device, 4), count: 40 })),
        noCopySource: await failure(() =>
          first.encode(device.createCommandEncoder(), { mode: 'mixture', input: device.createBuffer({ size: 160, usage: GPUBufferUsage.STORAGE }), output: outA, count: 40 }),
        ),
      };
      first.destroy();
      first.destroy();
      const afterDestroy = await failure(() => first.run(x));
      const secondStillWorks = same(await second.run(x), aloneB);
      second.destroy();
      // The device is the test's: still usable after both kernels are gone.
      const check = storage(device, Float32Array.of(1, 2, 3, 4));
      const stillUsable = same(await read(device, check, 4), [1, 2, 3, 4]);
      return { together, secondStillWorks, stillUsable, afterDestroy, refusals };
    });
  },

  async embeddedConcurrentCalls(gpu: GpuContext) {
    const bytes = await trainedModelBytes(gpu, 6, 3);
    return onOwnDevice(async (device) => {
      const kernel = await loadInferenceKernel(device, bytes, { maxRows: 8 });
      const x = Float32Array.from({ length: 20 }, (_, i) => i / 10 - 1);
      const alone = { run: await kernel.run(x), sample: await kernel.sample(x, 3, { seed: 4 }), logProb: await kernel.logProb(x, x) };
      // Thirty calls in flight at once, of three kinds, each several chunks long.
      const all = await Promise.all(
        Array.from({ length: 30 }, (_, i) => (i % 3 === 0 ? kernel.run(x) : i % 3 === 1 ? kernel.sample(x, 3, { seed: 4 }) : kernel.logProb(x, x))),
      );
      const identical = all.every((r, i) => same(r, i % 3 === 0 ? alone.run : i % 3 === 1 ? alone.sample : alone.logProb));
      kernel.destroy();
      return { identical };
    });
  },

  async embeddedAllocatesNothing(gpu: GpuContext) {
    const bytes = await trainedModelBytes(gpu, 5, 3);
    return onOwnDevice(async (device) => {
      const kernel = await loadInferenceKernel(device, bytes, { maxRows: 256 });
      const x = storage(device, Float32Array.from({ length: 1000 }, (_, i) => i / 500 - 1));
      const out = storage(device, 1000 * 4);
      const mixtureOut = storage(device, 1000 * kernel.mixtureWidth); // the test's own buffers, made before counting
      const once = (seed: number) => {
        const encoder = device.createCommandEncoder();
        kernel.encode(encoder, { mode: 'sample', input: x, output: out, count: 1000, samples: 4, seed });
        kernel.encode(encoder, { mode: 'mixture', input: x, output: mixtureOut, count: 1000 });
        device.queue.submit([encoder.finish()]);
      };
      once(0); // first calls of these sizes build their programs
      const counts = await countCreations(device, async () => {
        for (let seed = 1; seed <= 20; seed++) once(seed);
        await device.queue.onSubmittedWorkDone();
      });
      kernel.destroy();
      return { counts };
    });
  },

  /**
   * exportWgsl of a model of rows with recurrent layers (each row a one-step sequence): two stages per such
   * layer, their scratch buffers and the recurrent block's offset described by the bindings; run by hand, the
   * kernel's exact results.
   */
  async exportedRecurrentWgslRuns(gpu: GpuContext) {
    // Its initial weights (Glorot, orthogonal recurrent blocks, the LSTM's forget bias 1): training it would only
    // compile the training kernels too.
    const model = await createMdn({ inputDim: 1, outputDim: 1, layers: [{ kind: 'lstm', units: 8 }, { kind: 'gru', units: 12 }, { kind: 'dense', units: 6, activation: 'tanh' }], components: 3, sigma: 'softplus', seed: 3, gpu });
    const bytes = await model.save();
    model.destroy();
    return exportedByHand(bytes);
  },

  async exportedWgslRuns(gpu: GpuContext) {
    return exportedByHand(await trainedModelBytes(gpu, 4, 3));
  },
};
