// Discrete side outputs on the GPU: a model's whole head (family kernel, then the side-output kernel, through the
// network recorder) against the float64 reference; sampling checked by frequencies; training steps against the
// reference network; and a model with side outputs through every entry point.
// Tolerances are stated in test/gpu/sideOutputs.test.ts.
import type { GpuContext } from '../../../src/runtime/device.js';
import { type MdnArchitecture, headOf, headWidth, networkLayers, targetWidth } from '../../../src/mdn/architecture.js';
import type { SideOutputSpec } from '../../../src/mdn/heads/sideOutputs.js';
import { NetworkRecorder } from '../../../src/mdn/network.js';
import { ProgramBuilder, type Resource } from '../../../src/runtime/program.js';
import { createStorageBuffer, readFloats, uploadFloats } from '../../../src/runtime/buffers.js';
import { headLoss } from '../../../src/mdn/reference/heads.js';
import { sideProbabilities } from '../../../src/mdn/reference/sideOutputs.js';
import { Mdn } from '../../../src/mdn/model.js';
import { createMdn } from '../../../src/mdn/createMdn.js';
import { exportWgsl } from '../../../src/inference.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { toF32 } from '../runKernel.js';
import { encodeExportedStage, onOwnDevice, read, same, storage, throughEveryLoader } from '../ownDevice.js';
import { randomTargets, stepsAgainstReference } from './training.js';

export type SideFamily = 'gaussian' | 'gaussian-full' | 'laplace' | 'student-t';

export const SIDES: readonly SideOutputSpec[] = [{ kind: 'bernoulli', name: 'pen' }, { kind: 'categorical', classes: 5 }, { kind: 'bernoulli' }];

const headArchitecture = (family: SideFamily, components: number, dims: number): MdnArchitecture => ({
  inputDim: 1,
  outputDim: dims,
  hidden: [],
  activation: 'tanh',
  components,
  sigma: 'softplus',
  sigmaEpsilon: 1e-7,
  ...(family === 'gaussian' ? {} : { family }),
  ...(family === 'student-t' ? { degreesOfFreedom: 4 } : {}),
  sideOutputs: SIDES,
});

// Records the head stages of `arch` on given head rows and targets (loss with gradient, mixture parameters,
// log-density) and reads every output back.
async function runHead(gpu: GpuContext, arch: MdnArchitecture, head: Float64Array, targets: Float64Array, rows: number) {
  const recorder = await NetworkRecorder.create(gpu, arch, { training: { sigmaPenalty: 0, freezeSigma: false }, inference: true });
  const width = headWidth(arch);
  const made: GPUBuffer[] = [];
  const buffer = (label: string, values: ArrayLike<number> | number): Resource => {
    const floats = typeof values === 'number' ? values : values.length;
    const b = createStorageBuffer(gpu, label, floats);
    made.push(b);
    if (typeof values !== 'number') uploadFloats(gpu, b, Float32Array.from(values));
    return { buffer: b, offset: 0, size: floats * 4 };
  };
  const io = { head: buffer('head', head), targets: buffer('targets', targets), headGrad: buffer('headGrad', rows * width), sampleNll: buffer('sampleNll', rows), params: buffer('params', rows * width), logDensity: buffer('logDensity', rows) };
  const builder = new ProgramBuilder(gpu, 'side output head');
  recorder.loss(builder, rows, io);
  recorder.mixture(builder, rows, io);
  recorder.logDensity(builder, rows, io);
  const program = builder.build();
  try {
    const encoder = gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    program.encode(pass, 0);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    const readBack = (r: Resource, floats: number) => readFloats(gpu, (r as GPUBufferBinding).buffer, floats);
    return { headGrad: await readBack(io.headGrad, rows * width), sampleNll: await readBack(io.sampleNll, rows), params: await readBack(io.params, rows * width), logDensity: await readBack(io.logDensity, rows) };
  } finally {
    program.destroy();
    for (const b of made) b.destroy();
  }
}

// A head of `arch`: family outputs in [−1, 1] (μ, σ pre-activations, logits), side logits in ±3, or ±60 and ±1e3 ('extreme').
function randomHead(arch: MdnArchitecture, rows: number, seed: number, extreme: boolean): Float64Array {
  const random = new Random(seed);
  const width = headWidth(arch);
  const own = headOf(arch).headWidth(arch);
  return toF32(Float64Array.from({ length: rows * width }, (_, i) => (i % width < own ? random.range(-1, 1) : extreme ? (random.uniform() < 0.5 ? -1 : 1) * (random.uniform() < 0.5 ? 60 : 1e3) : random.range(-3, 3))));
}

export const sideOutputCases = {
  async sideOutputHead(gpu: GpuContext, { family, rows, components, dims, extreme }: { family: SideFamily; rows: number; components: number; dims: number; extreme: boolean }) {
    const arch = headArchitecture(family, components, dims);
    const random = new Random(rows * 7 + components);
    const head = randomHead(arch, rows, rows + components * 13 + dims, extreme);
    const targets = toF32(randomTargets(random, arch, rows));
    const gpuOut = await runHead(gpu, arch, head, targets, rows);
    // The same head without side outputs: the family's values must not move when side logits follow them.
    const plain: MdnArchitecture = { ...arch, sideOutputs: undefined };
    const own = headWidth(plain);
    const width = headWidth(arch);
    const compact = (values: ArrayLike<number>, from: number, to: number, stride: number) => Float64Array.from({ length: rows * (to - from) }, (_, i) => values[Math.floor(i / (to - from)) * stride + from + (i % (to - from))]);
    const plainOut = await runHead(gpu, plain, compact(head, 0, own, width), compact(targets, 0, dims, targetWidth(arch)), rows);
    const expected = headLoss(arch, head, targets, rows, 0);
    const label = `${family} B ${rows} K ${components} D ${dims}${extreme ? ' extreme logits' : ''}`;
    return {
      finite: [...gpuOut.sampleNll, ...gpuOut.headGrad, ...gpuOut.params, ...gpuOut.logDensity].every(Number.isFinite),
      familyParamsUnmoved: same(compact(gpuOut.params, 0, own, width), plainOut.params),
      reports: [
        compareArrays(`${label} nll`, gpuOut.sampleNll, expected.sampleNll, { atol: 2e-5, rtol: 2e-5 }),
        compareArrays(`${label} grad`, gpuOut.headGrad, expected.headGrad.map((g) => g / rows), { atol: 2e-5, rtol: 1e-4 }),
        compareArrays(`${label} log-density`, gpuOut.logDensity, expected.sampleNll.map((v) => -v), { atol: 2e-5, rtol: 2e-5 }),
        compareArrays(`${label} side probabilities`, compact(gpuOut.params, own, width, width), sideProbabilities(SIDES, head, rows, { headOffset: own, headStride: width }), { atol: 1e-6, rtol: 1e-5 }),
      ],
    };
  },

  // Every row's head is the head layer's bias (its weights are zero), so all draws of all rows come from one
  // known distribution. The continuous draws must be those of the same model without side outputs, bit for bit.
  async sideOutputSampling(gpu: GpuContext, { temperature }: { temperature: number }) {
    const family: SideFamily = 'gaussian';
    const arch: MdnArchitecture = { ...headArchitecture(family, 2, 2), inputDim: 1 };
    const logits = [1.2, -0.4, 0.3, -1, 2, 0, 0.9];
    const familyBias = [0.3, -0.3, 1, 2, -1, -2, 0.1, 0.2, 0.3, 0.4];
    const weightsOf = (bias: number[]) => [Float32Array.from([...bias.map(() => 0), ...bias])];
    const rows = 40;
    const n = 200;
    const x = new Float32Array(rows);
    const model = await Mdn.fromWeights(arch, weightsOf([...familyBias, ...logits]), gpu);
    const plain = await Mdn.fromWeights({ ...arch, sideOutputs: undefined }, weightsOf(familyBias), gpu);
    try {
      const draws = await model.sample(x, n, { temperature, seed: 11 });
      const plainDraws = await plain.sample(x, n, { temperature, seed: 11 });
      const width = targetWidth(arch);
      const total = rows * n;
      const column = (c: number) => Array.from({ length: total }, (_, i) => draws[i * width + c]);
      const continuous = Float32Array.from({ length: total * 2 }, (_, i) => draws[Math.floor(i / 2) * width + (i % 2)]);
      const mixture = await model.predict(x.subarray(0, 1));
      // Expected frequencies: softmax(logits / T), argmax at T = 0.
      const tempered = (z: number[]) => {
        if (temperature === 0) return z.map((v) => (v === Math.max(...z) ? 1 : 0));
        const e = z.map((v) => Math.exp(v / temperature));
        return e.map((v) => v / e.reduce((a, b) => a + b, 0));
      };
      const frequencies = (values: number[], classes: number) => Array.from({ length: classes }, (_, k) => values.filter((v) => v === k).length / total);
      const expectedPen = tempered([0, logits[0]]);
      const expectedClass = tempered(logits.slice(1, 6));
      const expectedLast = tempered([0, logits[6]]);
      return {
        continuousUnmoved: same(continuous, plainDraws),
        valuesValid: column(2).every((v) => v === 0 || v === 1) && column(3).every((v) => Number.isInteger(v) && v >= 0 && v < 5) && column(4).every((v) => v === 0 || v === 1),
        observed: [frequencies(column(2), 2), frequencies(column(3), 5), frequencies(column(4), 2)],
        expected: [expectedPen, expectedClass, expectedLast],
        draws: total,
        predicted: mixture.sideOutputs!.map((s) => Array.from(s.probabilities)),
        // What predict says, at temperature 1 always: P(y = 1) of each Bernoulli output, the class probabilities.
        predictedExpected: [[1 / (1 + Math.exp(-logits[0]))], softmax(logits.slice(1, 6)), [1 / (1 + Math.exp(-logits[6]))]],
      };
    } finally {
      model.destroy();
      plain.destroy();
    }
  },

  sideOutputTrainingSteps: (gpu: GpuContext, { family, steps, rows }: { family: SideFamily; steps: number; rows: number }) =>
    stepsAgainstReference(gpu, { ...headArchitecture(family, 3, 2), inputDim: 3, hidden: [7, 5] }, steps, rows, rows + 3, `${family} with side outputs`),

  // A pen that lifts where x > 1 (probability 0.9, else 0.1) and a class that is the third of [−3, 3] x falls in,
  // beside y = sin x + noise: trained, then every entry point.
  async sideOutputModelEndToEnd(gpu: GpuContext) {
    const random = new Random(5);
    const rows = 600;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let r = 0; r < rows; r++) {
      const x = random.range(-3, 3);
      xs.push(x);
      ys.push(Math.sin(x) + 0.1 * random.normal(), random.uniform() < (x > 1 ? 0.9 : 0.1) ? 1 : 0, Math.min(2, Math.floor((x + 3) / 2)), 0);
    }
    const sideOutputs: SideOutputSpec[] = [{ kind: 'bernoulli', name: 'pen' }, { kind: 'categorical', classes: 3, name: 'third' }, { kind: 'bernoulli', name: 'never' }];
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 2, sideOutputs, scale: 'zscore', seed: 3, gpu });
    try {
      const fit = await model.fit(xs, ys, { steps: 400, learningRate: 0.02, evaluateEvery: 200 });
      const probe = Float32Array.from([-2.5, 0, 2.5]);
      const probeY = Float32Array.from([Math.sin(-2.5), 0, 0, 0, 0, 1, 1, 0, Math.sin(2.5), 1, 2, 0]);
      const mixture = await model.predict(probe);
      const logProb = await model.logProb(probe, probeY);
      const draws = await model.sample(probe, 3, { seed: 4 });
      const loaders = await throughEveryLoader(model, gpu, probe, probeY);
      const saved = loaders.saved;
      // exportWgsl's stages run by hand: the layers, the mixture parameters, the side probabilities, then the unscaling.
      const exported = await onOwnDevice(async (device) => {
        const { blocks, architecture } = decodeModel(saved);
        const placed = networkLayers(architecture);
        const stages = exportWgsl(saved);
        const width = headWidth(architecture);
        const values = storage(device, probe);
        let input = values;
        let params: GPUBuffer | undefined;
        const encoder = device.createCommandEncoder();
        for (const stage of stages) {
          if (stage.label === 'input scaling') encodeExportedStage(device, encoder, stage, 3, { values, columns: storage(device, stage.columns!) });
          else if (stage.label.startsWith('layer')) {
            const i = Number(stage.label.slice(5, stage.label.indexOf(' ')));
            const output = storage(device, 3 * placed[i].outputs);
            encodeExportedStage(device, encoder, stage, 3, { input, weights: storage(device, blocks[i]), output });
            input = output;
          } else if (stage.label === 'mixture unscaling') encodeExportedStage(device, encoder, stage, 3, { values: params!, columns: storage(device, stage.columns!) });
          else {
            params ??= storage(device, 3 * width);
            encodeExportedStage(device, encoder, stage, 3, { head: input, params });
          }
        }
        device.queue.submit([encoder.finish()]);
        return { byHand: Array.from(await read(device, params!, 3 * width)), labels: stages.map((s) => s.label) };
      });
      return {
        losses: fit.history.map((p) => p.loss),
        sideOutputs: decodeModel(saved).architecture.sideOutputs,
        pen: Array.from(mixture.sideOutputs![0].probabilities),
        third: Array.from(mixture.sideOutputs![1].probabilities),
        never: Array.from(mixture.sideOutputs![2].probabilities),
        logProbFinite: Array.from(logProb).every(Number.isFinite),
        drawShape: draws.shape,
        drawsValid: Array.from({ length: 9 }, (_, i) => draws.slice(i * 4 + 1, i * 4 + 4)).every(([pen, third, never]) => (pen === 0 || pen === 1) && [0, 1, 2].includes(third) && (never === 0 || never === 1)),
        loadedSame: same(loaders.loadedLogProb, logProb),
        kernelSame: same(loaders.kernelLogProb, logProb),
        kernelRowsSame: same(loaders.kernelRows, exported.byHand),
        labels: exported.labels,
        validation: loaders.validation + exported.validation,
      };
    } finally {
      model.destroy();
    }
  },
};

function softmax(z: number[]): number[] {
  const top = Math.max(...z);
  const e = z.map((v) => Math.exp(v - top));
  return e.map((v) => v / e.reduce((a, b) => a + b, 0));
}
