// Model files written by earlier releases, with the outputs those releases gave (test/fixtures/): loading them
// now must give the same bits, so that nothing a user saved changes meaning. And model files written by the
// PyTorch twin (test/fixtures/pytorch/), which must give what PyTorch computed.
import type { GpuContext } from '../../../src/runtime/device.js';
import { loadMdn } from '../../../src/mdn/createMdn.js';
import { loadSequenceMdn } from '../../../src/mdn/sequence/sequenceMdn.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { compareArrays } from '../../support/compare.js';
import { loadInferenceKernel } from '../../../src/inference.js';
import { onOwnDevice, same } from '../ownDevice.js';

const sameBits = (actual: ArrayLike<number>, expected: readonly number[]) => {
  const want = Float32Array.from(expected);
  const mismatches = Array.from(want).filter((v, i) => !Object.is(v, actual[i])).length;
  return actual.length === want.length ? mismatches : -1;
};

export const fixtureCases = {
  /**
   * Models trained by the PyTorch twin (test/fixtures/pytorch, made by interop/pytorch/make_fixtures.py), loaded
   * and run on the GPU: log-densities and mixture parameters against the twin's float64 values of the same
   * float32 weights. atol 1e-5 + rtol 1e-5: the float32 forward pass of these small trunks rounds at 2^-24 per
   * operation over a few dozen operations per output, a few 1e-6 relative at most.
   */
  async pytorchTwinFiles(gpu: GpuContext, { name }: { name: string }) {
    const bytes = new Uint8Array(await (await fetch(`/test/fixtures/pytorch/twin-${name}.safetensors`)).arrayBuffer());
    const expected = await (await fetch(`/test/fixtures/pytorch/twin-${name}-expected.json`)).json();
    const model = await loadMdn(bytes, gpu);
    try {
      const m = await model.predict(expected.x);
      const tolerance = { atol: 1e-5, rtol: 1e-5 };
      const logDensity = await model.logProb(expected.x, expected.y);
      // mixden/inference opens the same file on a device of its own and gives the same bits.
      const embedded = await onOwnDevice(async (device) => {
        const kernel = await loadInferenceKernel(device, bytes);
        const values = Array.from(await kernel.logProb(expected.x, expected.y));
        kernel.destroy();
        return { values };
      });
      return [
        { label: `twin-${name} through mixden/inference`, count: 1, failures: same(embedded.values, logDensity) && embedded.validation === '' ? 0 : 1, maxAbsError: 0, worstRatio: 0, examples: [embedded.validation] },
        compareArrays(`twin-${name} log p(y|x)`, logDensity, expected.logProb, tolerance),
        compareArrays(`twin-${name} π`, m.pi, expected.pi, tolerance),
        compareArrays(`twin-${name} μ`, m.mu, expected.mu, tolerance),
        compareArrays(`twin-${name} σ`, m.sigma, expected.sigma, tolerance),
        compareArrays(`twin-${name} L below its diagonal`, m.lower ?? [], expected.lower, { ...tolerance, atol: expected.lower.length ? tolerance.atol : 0 }),
        compareArrays(`twin-${name} learned ν`, m.nu ?? [], expected.nu ?? [], tolerance),
      ].filter((r) => r.count > 0);
    } finally {
      model.destroy();
    }
  },

  /**
   * Sequence models (recurrent trunks) of the twin and of mixden, each with the twin's float64 per-step
   * log-densities of a few sequences and a greedy generation (temperatures 0) from the same weights, plain and
   * primed with the first sequence's first 3 steps. On the GPU: evaluate's mean NLL per step, and generate's steps (mixden/inference's generator gives generate's bits:
   * sequenceModel.ts). atol 1e-4 + rtol 1e-4,
   * ten times the row models' bound: each step's float32 error (a few 1e-6 relative, as above) is carried into
   * the next through the recurrent state, over at most 12 steps, and generation feeds each step's output back.
   */
  async pytorchSequenceFiles(gpu: GpuContext, { file, expected: expectedFile }: { file: string; expected: string }) {
    const bytes = new Uint8Array(await (await fetch(`/test/fixtures/pytorch/${file}`)).arrayBuffer());
    const expected = await (await fetch(`/test/fixtures/pytorch/${expectedFile}`)).json();
    const sequences = expected.sequences ?? (await (await fetch(`/test/fixtures/pytorch/${file.replace('.safetensors', '-inputs.json')}`)).json()).sequences;
    const tolerance = { atol: 1e-4, rtol: 1e-4 };
    const { greedy } = expected;
    const options = { count: 1, maxSteps: greedy.maxSteps, conditions: greedy.condition, temperature: 0, sigmaTemperature: 0, stopWhen: { column: greedy.stop[0], value: greedy.stop[1] } };
    const model = await loadSequenceMdn(bytes, gpu);
    try {
      const nll = await model.evaluate(sequences);
      const generated = await model.generate(options);
      // The twin's primed greedy generation: the first sequence's first steps walked, then continued.
      const { primedGreedy } = expected;
      const primed = await model.generate({ ...options, maxSteps: primedGreedy.maxSteps, prime: primedGreedy.prime });
      const meanNll = -expected.logProb.reduce((a: number, b: number) => a + b, 0) / expected.logProb.length;
      return [
        compareArrays(`${file} mean NLL per step`, [nll], [meanNll], tolerance),
        compareArrays(`${file} greedy generation`, generated.sequences[0], greedy.y, tolerance),
        compareArrays(`${file} primed greedy generation`, primed.sequences[0], primedGreedy.y, tolerance),
      ];
    } finally {
      model.destroy();
    }
  },

  async release010ModelFile(gpu: GpuContext) {
    const bytes = new Uint8Array(await (await fetch('/test/fixtures/api-0.1.0.mixden')).arrayBuffer());
    const expected = await (await fetch('/test/fixtures/api-0.1.0-expected.json')).json();
    const model = await loadMdn(bytes, gpu);
    try {
      const m = await model.predict(expected.x);
      return {
        pi: sameBits(m.pi, expected.pi),
        mu: sameBits(m.mu, expected.mu),
        sigma: sameBits(m.sigma, expected.sigma),
        logProb: sameBits(await model.logProb(expected.x, expected.y), expected.logProb),
        samples: sameBits(await model.sample(expected.x, 3, { seed: 11, temperature: 0.8 }), expected.samples),
        // Saved again it is a safetensors file with the same architecture and the same weights, bit for bit.
        resaved: await (async () => {
          const again = await model.save();
          const before = decodeModel(bytes);
          const after = decodeModel(again);
          const sameWeights = before.blocks.every((b, i) => b.length === after.blocks[i].length && b.every((v, j) => Object.is(v, after.blocks[i][j])));
          return sameWeights && JSON.stringify(after.architecture) === JSON.stringify(before.architecture) && again[8] === 0x7b;
        })(),
      };
    } finally {
      model.destroy();
    }
  },
};
