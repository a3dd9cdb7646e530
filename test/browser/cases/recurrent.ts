// A recurrent layer (LSTM, GRU) on the GPU, forward through time and back, against the float64 reference
// (src/mdn/reference/recurrent.ts), in both designs of the walk (one dispatch, or one per step).
// Tolerances, with u = 2^-24: each gate's pre-activation is a sum of inputs + units + 2 products, off by that many
// u of the sum of their magnitudes (≤ 4 here: weights ~0.4, |x|, |h| ≤ 3 and ≤ 1); the gate functions add a few
// ulp (and WGSL allows exp/tanh some more: 2^-11 absolute for tanh is not assumed, the adapters here do better;
// a test failing there would say so). Errors carried in the state are damped by f, z < 1, so they grow at most
// linearly with the steps: the forward bound is (t + 1)·(inputs + units + 16)·u·4 at step t. Backward, the
// gradient carried back through T steps picks up the same per-step error, T·(inputs + units + 16)·4u relative,
// and the weight gradients' sums over the rows add rows·u; 1e-6 absolute covers results near 0. (A 0.1% error
// in one carried term fails 16 of these 20 cases.)
import { GpuContext } from '../../../src/runtime/device.js';
import { compileKernel } from '../../../src/runtime/kernel.js';
import { type Program, ProgramBuilder, type Resource } from '../../../src/runtime/program.js';
import { submitCommands } from '../../../src/runtime/transfer.js';
import { createStorageBuffer, readFloats, uploadFloats } from '../../../src/runtime/buffers.js';
import { type RecurrentChoice, type RecurrentDesign, type RecurrentSpec, gru, lstm, recurrentShapeOf, recurrentStages } from '../../../src/mdn/layers/recurrent.js';
import type { PlacedLayer, Stage } from '../../../src/mdn/layers/index.js';
import { type RecurrentCell, type RecurrentState, recurrentBackward as referenceBackward, recurrentFinalState, recurrentForward as referenceForward } from '../../../src/mdn/reference/recurrent.js';
import type { Activation } from '../../../src/shaders/activation.wgsl.js';
import { activate } from '../../../src/mdn/reference/activations.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { stepLanes } from '../../../src/shaders/recurrentBlocks.js';
import { MdnTrainer } from '../../../src/mdn/trainer.js';
import { type MdnArchitecture, networkLayers, packParameters, parameterLayout, targetWidth, withLayers } from '../../../src/mdn/architecture.js';
import { Arena } from '../../../src/runtime/arena.js';
import { NetworkRecorder, createWorkspace } from '../../../src/mdn/network.js';
import { headLoss } from '../../../src/mdn/reference/heads.js';
import { type Sequence, packSequences } from '../../../src/mdn/sequence/sequenceData.js';
import { CONTINUES, WindowSchedule } from '../../../src/mdn/windowSchedule.js';
import { initialParameters } from '../../../src/mdn/init.js';
import { trainReference } from '../../../src/mdn/reference/network.js';
import { randomTargets } from './training.js';
import { toF32 } from '../runKernel.js';

const U = 2 ** -24;

/** Submits a program alone, in one compute pass. */
const submitProgram = (gpu: GpuContext, program: Program) =>
  submitCommands(gpu, program.label, (encoder) => {
    const pass = encoder.beginComputePass();
    program.encode(pass, 0);
    pass.end();
  });

export interface RecurrentArgs {
  cell: RecurrentCell;
  steps: number;
  batch: number;
  inputs: number;
  units: number;
  design: RecurrentDesign;
  /** Units per invocation (default: the layer's choice). */
  lane?: 1 | 4;
  /** Sequences per workgroup (default: the layer's choice). */
  sequences?: 1 | 2 | 4 | 8;
  /** The layer's input comes from a tanh layer (so an input gradient is computed), or is the data. */
  inputActivation?: Activation;
  /** Sequences end early (lengths steps, steps − 1, …, at least 1): dL/dh is zero after each one's end. */
  masked?: boolean;
  /** Kernels as chosen for this adapter class, at this page's subgroup size (default: no class, no subgroups). */
  adapterClass?: 'swiftshader' | 'lavapipe';
}

export const placedRecurrent = (cell: RecurrentCell, inputs: number, units: number): PlacedLayer<RecurrentSpec> => ({
  kind: cell === 'lstm' ? lstm : gru,
  spec: { kind: cell, units },
  index: 0,
  inputs,
  outputs: units,
});

/** A layer's carried state going in (h then the LSTM's c per sequence, as the kernels lay it out) and each sequence's keep flag. */
interface CarryData {
  readonly state: ArrayLike<number>;
  readonly keep: ArrayLike<number>;
}

/**
 * Records and runs the layer's stages on fresh buffers; returns what was asked for. With `data.carry`, the
 * passes are stateful windows' (choice.carried) and the state the walk leaves is read back too.
 */
export async function runRecurrentLayer(
  gpu: GpuContext,
  layer: PlacedLayer<RecurrentSpec>,
  choice: RecurrentChoice,
  steps: number,
  rows: number,
  data: { x: ArrayLike<number>; params: ArrayLike<number>; outputGrad?: ArrayLike<number>; carry?: CarryData },
  inputActivation?: Activation,
) {
  const made: GPUBuffer[] = [];
  const buffer = (label: string, floats: number, values?: ArrayLike<number>) => {
    const b = createStorageBuffer(gpu, label, floats);
    made.push(b);
    if (values) uploadFloats(gpu, b, Float32Array.from(values));
    return b;
  };
  const training = data.outputGrad !== undefined;
  const count = layer.kind.parameterCount(layer.spec, layer.inputs);
  const io = {
    input: buffer('x', rows * layer.inputs, data.x),
    weights: buffer('params', count, data.params),
    output: buffer('h', rows * layer.outputs),
    workspace: layer.kind.workspace(layer.spec, layer.inputs, training).map((w, i) => buffer(`workspace ${i}`, rows * w)),
    outputGrad: buffer('dh', rows * layer.outputs, data.outputGrad),
    inputGrad: buffer('dx', rows * layer.inputs),
    weightGrad: buffer('dparams', count),
    ...(data.carry ? { carry: { state: buffer('carry', data.carry.state.length, data.carry.state), keep: buffer('keep', data.carry.keep.length, data.carry.keep) } } : {}),
  };
  const stages = recurrentStages(layer, { ...choice, ...(data.carry ? { carried: true } : {}) });
  const all: Stage<typeof io>[] = [...stages.forward(training), ...(training ? stages.backward(inputActivation) : [])] as Stage<typeof io>[];
  const builder = new ProgramBuilder(gpu, 'test recurrent layer');
  for (const s of all) {
    const kernel = await compileKernel(gpu, s.definition, s.variant);
    const passes = s.passes?.(steps) ?? 1;
    for (let pass = 0; pass < passes; pass++) builder.add(kernel, s.resources(io) as Record<string, Resource>, s.sizes(rows, steps, pass));
  }
  const program = builder.build();
  try {
    submitProgram(gpu, program);
    return {
      dispatches: all.reduce((n, s) => n + (s.passes?.(steps) ?? 1), 0),
      output: await readFloats(gpu, io.output, rows * layer.outputs),
      paramGrad: training ? await readFloats(gpu, io.weightGrad, count) : undefined,
      inputGrad: training && inputActivation ? await readFloats(gpu, io.inputGrad, rows * layer.inputs) : undefined,
      carry: io.carry ? await readFloats(gpu, io.carry.state, data.carry!.state.length) : undefined,
    };
  } finally {
    program.destroy();
    for (const b of made) b.destroy();
  }
}

export function recurrentProblem({ cell, steps, batch, inputs, units, inputActivation, masked }: RecurrentArgs) {
  const layer = placedRecurrent(cell, inputs, units);
  const random = new Random(steps * 1009 + batch * 31 + inputs * 7 + units + (cell === 'gru' ? 5 : 0));
  const rows = steps * batch;
  const initial = layer.kind.initialParameters(layer, random, 'pytorch');
  // Weights larger than PyTorch's start, so the gates leave their linear range.
  const params = toF32(initial.map((v) => v * 2.5));
  const x = toF32(random.fill(rows * inputs, (r) => activate(inputActivation ?? 'identity', r.range(-3, 3))));
  const lengths = Array.from({ length: batch }, (_, b) => (masked ? Math.max(1, steps - b) : steps));
  const outputGrad = toF32(random.fill(rows * units, (r) => r.range(-1, 1)).map((g, i) => (Math.floor(i / units / batch) < lengths[Math.floor(i / units) % batch] ? g : 0)));
  return { layer, rows, params, x, outputGrad };
}

/** Sequences of lengths T, T − 1, … (at least 1), stored one after another and padded, and the same time-major for the reference. */
export function paddedSequences(arch: MdnArchitecture, count: number, steps: number, random: Random) {
  const width = arch.outputDim + (arch.sideOutputs?.length ?? 0);
  const lengths = Array.from({ length: count }, (_, n) => Math.max(1, steps - n));
  const x = toF32(random.fill(count * steps * arch.inputDim, (r) => r.normal()));
  const y = toF32(randomTargets(random, arch, count * steps));
  const mask = Float64Array.from({ length: count * steps }, (_, i) => (i % steps < lengths[Math.floor(i / steps)] ? 1 : 0));
  // Padding holds zeros, as the sequence packer leaves it.
  for (let i = 0; i < count * steps; i++) {
    if (mask[i] === 0) {
      x.fill(0, i * arch.inputDim, (i + 1) * arch.inputDim);
      y.fill(0, i * width, (i + 1) * width);
    }
  }
  const timeMajor = (values: Float64Array, cols: number) =>
    Float64Array.from({ length: values.length }, (_, i) => {
      const row = Math.floor(i / cols);
      const [t, n] = [Math.floor(row / count), row % count];
      return values[(n * steps + t) * cols + (i % cols)];
    });
  return { x, y, mask, reference: { x: timeMajor(x, arch.inputDim), y: timeMajor(y, width), mask: timeMajor(mask, 1) } };
}

export const SEQUENCE_ARCHITECTURE = (cell: RecurrentCell): MdnArchitecture =>
  withLayers({ inputDim: 3, outputDim: 2, components: 3, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'gaussian-full', sideOutputs: [{ kind: 'bernoulli' }] }, [
    { kind: cell, units: 6 },
    { kind: 'dense', units: 5, activation: 'tanh' },
  ]);

/** The kernels' carried-state layout (per sequence: h, then the LSTM's c) from the reference's h and c, and back. */
const carryLayout = (units: number, batch: number, h: ArrayLike<number>, c: ArrayLike<number> | undefined) =>
  Float64Array.from({ length: batch * units * (c ? 2 : 1) }, (_, i) => {
    const per = units * (c ? 2 : 1);
    const [b, k] = [Math.floor(i / per), i % per];
    return k < units ? h[b * units + k] : c![b * units + k - units];
  });
const referenceState = (cell: RecurrentCell, units: number, batch: number, carry: ArrayLike<number>, keep: ArrayLike<number>): RecurrentState => {
  const per = units * (cell === 'lstm' ? 2 : 1);
  const part = (offset: number) => Float64Array.from({ length: batch * units }, (_, i) => (keep[Math.floor(i / units)] ? carry[Math.floor(i / units) * per + offset + (i % units)] : 0));
  return { h: part(0), ...(cell === 'lstm' ? { c: part(units) } : {}) };
};

export const recurrentCases = {
  /**
   * Stateful windows: a first window from a given state (kept by every other sequence, the rest starting from
   * zero), then a second from the state the first left on the GPU, each forward and back, against the reference
   * from the same initial states; and the state each window leaves against the reference's final state. The
   * second window's errors include the first's: bounds as for one walk of both windows' steps.
   */
  async recurrentCarried(gpu: GpuContext, args: RecurrentArgs) {
    const { cell, steps, batch, inputs, units, design, lane, sequences, inputActivation } = args;
    const { layer, rows, params, x, outputGrad } = recurrentProblem(args);
    const random = new Random(rows * 13 + units);
    const second = { x: toF32(random.fill(rows * inputs, (r) => activate(inputActivation ?? 'identity', r.range(-3, 3)))), outputGrad: toF32(random.fill(rows * units, (r) => r.range(-1, 1))) };
    const start = toF32(carryLayout(units, batch, random.fill(batch * units, (r) => r.range(-0.9, 0.9)), cell === 'lstm' ? random.fill(batch * units, (r) => 2 * r.normal()) : undefined));
    const forced = args.adapterClass ? { adapterClass: args.adapterClass, subgroupSize: gpu.subgroupSize } : {};
    const choice = { design, ...(lane ? { lane } : {}), ...(sequences ? { sequences } : {}), ...forced };
    const shape = recurrentShapeOf(layer, rows, steps);
    const count = layer.kind.parameterCount(layer.spec, inputs);
    const perStep = (inputs + units + 16) * U * 4;
    const reports = [];
    let carry: { state: ArrayLike<number>; keep: number[] } = { state: start, keep: Array.from({ length: batch }, (_, b) => (b % 2 === 0 ? 1 : 0)) };
    for (const [w, data] of [{ x, outputGrad }, second].entries()) {
      const got = await runRecurrentLayer(gpu, layer, choice, steps, rows, { ...data, params, carry }, inputActivation);
      const initial = referenceState(cell, units, batch, carry.state, carry.keep);
      const expected = referenceForward(data.x, params, shape, initial);
      const grads = referenceBackward(data.x, params, data.outputGrad, shape, count, inputActivation ?? 'identity', initial);
      const final = recurrentFinalState(data.x, params, shape, initial);
      const before = w * steps;
      const forwardBound = expected.map((_, i) => (before + Math.floor(i / (units * batch)) + 1) * perStep);
      const gradientScale = (before + steps) * perStep + rows * U;
      const label = `${cell} window ${w + 1}`;
      reports.push(
        compareArrays(`${label}: h`, got.output, expected, { atol: 1e-7, rtol: 0, bound: forwardBound }),
        compareArrays(`${label}: parameter gradient`, got.paramGrad!, grads.paramGrad, { atol: 1e-6, rtol: gradientScale }),
        compareArrays(`${label}: state left`, got.carry!, carryLayout(units, batch, final.h, final.c), { atol: 1e-6, rtol: (before + steps) * perStep }),
      );
      if (inputActivation) reports.push(compareArrays(`${label}: input gradient`, got.inputGrad!, grads.inputGrad, { atol: 1e-6, rtol: gradientScale }));
      carry = { state: got.carry!, keep: Array(batch).fill(1) };
    }
    return reports;
  },


  /**
   * Generation's steps: a first one-step call from a zero state, then one-step calls that continue it, h read
   * after each, against the reference's forward pass over all the steps (tolerance as for the walk's forward). As
   * generation does, the steps alternate between two output buffers, each reading h(t-1) from the other; `variant`
   * forces the fused step's kernel variant.
   */
  async recurrentContinued(gpu: GpuContext, args: RecurrentArgs & { stepVariant?: { rows: number; lane?: 1 | 4; subgroup?: boolean } }) {
    const { cell, steps, batch, inputs, units, design, stepVariant } = args;
    const { layer, rows, params, x } = recurrentProblem(args);
    const expected = layer.kind.reference.forward(layer, params, x, rows, steps);
    const made: GPUBuffer[] = [];
    const buffer = (floats: number, values?: ArrayLike<number>) => {
      const b = createStorageBuffer(gpu, 'continued', floats);
      made.push(b);
      if (values) uploadFloats(gpu, b, Float32Array.from(values));
      return b;
    };
    const count = layer.kind.parameterCount(layer.spec, inputs);
    const input = buffer(batch * inputs);
    const weights = buffer(count, params);
    const outputs = [buffer(batch * units), buffer(batch * units)];
    const workspace = layer.kind.workspace(layer.spec, inputs, false).map((w) => buffer(batch * w));
    // Step t writes outputs[t % 2]; a continued step reads the other.
    const ioOf = (set: number) => ({ input, weights, output: outputs[set], previousOutput: outputs[1 - set], workspace });
    const lane = stepVariant?.lane ?? 4;
    const forced = stepVariant && {
      cell,
      rows: stepVariant.rows,
      lane,
      ...(stepVariant.subgroup ? { subgroupSize: gpu.subgroupSize!, lanes: stepLanes(units, gpu.subgroupSize!, lane) } : {}),
    };
    const program = async (continued: boolean, set: number) => {
      const builder = new ProgramBuilder(gpu, 'continued steps');
      for (const s of recurrentStages(layer, { design: continued ? design : 'looped', continued }).forward(false)) {
        const variant = forced && s.definition.name === 'recurrentStep' ? forced : s.variant;
        builder.add(await compileKernel(gpu, s.definition, variant), s.resources(ioOf(set)) as Record<string, Resource>, s.sizes(batch, 1, 0));
      }
      return builder.build();
    };
    const first = await program(false, 0);
    const next = [await program(true, 0), await program(true, 1)];
    const got = new Float64Array(rows * units);
    try {
      for (let t = 0; t < steps; t++) {
        uploadFloats(gpu, input, Float32Array.from(x.subarray(t * batch * inputs, (t + 1) * batch * inputs)));
        submitProgram(gpu, t === 0 ? first : next[t % 2]);
        got.set(await readFloats(gpu, outputs[t % 2], batch * units), t * batch * units);
      }
    } finally {
      first.destroy();
      next.forEach((p) => p.destroy());
      made.forEach((b) => b.destroy());
    }
    const perStep = (inputs + units + 16) * U * 4;
    const bound = expected.map((_, i) => (Math.floor(i / (units * batch)) + 1) * perStep);
    return [compareArrays(`${cell} ${design} continued steps`, got, expected, { atol: 1e-7, rtol: 0, bound })];
  },

  /**
   * Generation's continued steps through a stacked network (two recurrent layers of both cells, a dense layer
   * between them and one after, a head), as the generator records them (the first step's program, then continued
   * steps alternating two sets of layer outputs), against the same network walked over all the steps at once
   * (the walk design the page's class runs, itself checked against the float64 reference): the raw head at every
   * step. Both are f32 sums of the same products in another order and grouping; 1e-5 + 1e-4·|h| allows a few
   * hundred roundings of unit-sized terms through 4 layers over 6 steps (the errors seen are ~1e-7).
   */
  async stackedContinuedSteps(gpu: GpuContext) {
    const arch: MdnArchitecture = {
      ...withLayers({ inputDim: 3, outputDim: 2, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'gaussian' }, [
        { kind: 'lstm', units: 8 },
        { kind: 'dense', units: 6, activation: 'tanh' },
        { kind: 'gru', units: 5 },
        { kind: 'dense', units: 4, activation: 'relu' },
      ]),
      sequence: { conditionDim: 1 },
    };
    const [steps, batch] = [6, 11];
    const layers = networkLayers(arch);
    const headWidth = layers[layers.length - 1].outputs;
    const random = new Random(23);
    const x = Float32Array.from({ length: steps * batch * arch.inputDim }, () => random.range(-1, 1));
    const parameters = new Arena(gpu, parameterLayout(arch), 'stacked parameters');
    uploadFloats(gpu, parameters.buffer, packParameters(arch, initialParameters(arch, 29, 'pytorch')));
    const recorder = await NetworkRecorder.create(gpu, arch, { inference: true, generation: true });
    const made: GPUBuffer[] = [parameters.buffer];
    const buffer = (floats: number, values?: Float32Array) => {
      const b = createStorageBuffer(gpu, 'stacked', floats);
      made.push(b);
      if (values) uploadFloats(gpu, b, values);
      return b;
    };
    const run = async (build: (builder: ProgramBuilder) => void) => {
      const builder = new ProgramBuilder(gpu, 'stacked');
      build(builder);
      const program = builder.build();
      submitProgram(gpu, program);
      await gpu.device.queue.onSubmittedWorkDone();
      program.destroy();
    };
    try {
      // All steps at once.
      const rows = steps * batch;
      const whole = { input: buffer(rows * arch.inputDim, x), outputs: layers.map((l) => buffer(rows * l.outputs)), workspace: createWorkspace(gpu, layers, rows, false, 'stacked whole') };
      whole.workspace.flat().forEach((b) => made.push(b));
      await run((builder) => recorder.forward(builder, rows, whole, parameters, false, steps));
      const expected = await readFloats(gpu, whole.outputs[layers.length - 1], rows * headWidth);
      // One step a call, as generation records them.
      const input = buffer(batch * arch.inputDim);
      const sets = [0, 1].map(() => layers.map((l) => buffer(batch * l.outputs)));
      const workspace = createWorkspace(gpu, layers, batch, false, 'stacked steps');
      workspace.flat().forEach((b) => made.push(b));
      const got = new Float32Array(rows * headWidth);
      for (let t = 0; t < steps; t++) {
        uploadFloats(gpu, input, x.subarray(t * batch * arch.inputDim, (t + 1) * batch * arch.inputDim));
        const [outputs, previousOutputs] = [sets[t % 2], sets[1 - (t % 2)]];
        await run((builder) => recorder.forward(builder, batch, { input, outputs, workspace, ...(t > 0 ? { previousOutputs } : {}) }, parameters, false, 1, { continued: t > 0 }));
        got.set(await readFloats(gpu, outputs[layers.length - 1], batch * headWidth), t * batch * headWidth);
      }
      return [compareArrays('stacked network, continued steps against the walk over all steps', got, expected, { atol: 1e-5, rtol: 1e-4 })];
    } finally {
      made.forEach((b) => b.destroy());
    }
  },

  /**
   * Stateful windows through a whole trainer (a cell, the other cell, a dense layer; the schedule's batches of
   * two slots over two epochs), with a learning rate of 0 so every step sees the same weights: each step's loss
   * is then the reference's mean NLL over its windows' valid steps, each window walked from where its run of
   * windows began (a sequence's first window, or the run's first: the schedule says which). Tolerance as for
   * recurrentTrainingSteps' losses. Windows starting from zero instead would give other losses (checked, so the
   * case can fail).
   */
  async statefulWindowLosses(gpu: GpuContext, { cell }: { cell: RecurrentCell }) {
    const base = SEQUENCE_ARCHITECTURE(cell);
    const arch: MdnArchitecture = {
      ...withLayers(base, [{ kind: cell, units: 6 }, { kind: cell === 'lstm' ? 'gru' : 'lstm', units: 4 }, { kind: 'dense', units: 5, activation: 'tanh' }]),
      sequence: { conditionDim: 0 },
    };
    const random = new Random(cell === 'lstm' ? 17 : 19);
    const sequences: Sequence[] = [7, 5, 9, 3, 6].map((length) => ({ y: Float64Array.from({ length: length * 3 }, (_, i) => (i % 3 === 2 ? (random.uniform() < 0.3 ? 1 : 0) : random.normal())) }));
    const window = 3;
    const batch = 2;
    const seed = 7;
    const epochs = 2;
    const packed = packSequences(arch, sequences, window);
    const schedule = new WindowSchedule(packed.windows, batch, seed);
    const initial = initialParameters(arch, 5);
    const trainer = await MdnTrainer.create(gpu, arch, {
      rows: packed.pieces,
      batchSize: batch,
      sequence: { steps: window, windows: packed.windows },
      initialParameters: initial,
      optimizer: { kind: 'adam', learningRate: 0 },
      seed,
    });
    const total = epochs * schedule.stepsPerEpoch;
    let records;
    try {
      trainer.setData(packed.x, packed.y, packed.mask);
      records = await trainer.train(total, { lossEvery: 1 });
    } finally {
      trainer.destroy();
    }
    // NLL summed over the valid steps of window `last`, walked from window `first` of the same sequence, and their count.
    const width = targetWidth(arch);
    const windowNll = (first: number, last: number) => {
      const steps = (last - first + 1) * window;
      let h: ArrayLike<number> = Float64Array.from(packed.x.subarray(first * window * arch.inputDim, (last + 1) * window * arch.inputDim));
      for (const l of networkLayers(arch)) h = l.kind.reference.forward(l, Float64Array.from(initial[l.index]), h, steps, steps);
      const { sampleNll } = headLoss(arch, h as Float64Array, packed.y.subarray(first * window * width, (last + 1) * window * width), steps, 0);
      let [sum, valid] = [0, 0];
      for (let t = steps - window; t < steps; t++) if (packed.mask[first * window + t]) [sum, valid] = [sum + sampleNll[t], valid + 1];
      return { sum, valid };
    };
    const entries = new Uint32Array(batch);
    const runStart = Array<number>(batch).fill(0);
    const expected = (stateful: boolean) =>
      Array.from({ length: total }, (_, i) => {
        schedule.write(i + 1, entries, 0);
        let [sum, valid] = [0, 0];
        entries.forEach((entry, p) => {
          const piece = entry & ~CONTINUES;
          if (!(stateful && entry & CONTINUES)) runStart[p] = piece;
          const w = windowNll(runStart[p], piece);
          [sum, valid] = [sum + w.sum, valid + w.valid];
        });
        return sum / valid;
      });
    const carried = expected(true);
    const largestDifference = Math.max(...expected(false).map((v, i) => Math.abs(v - carried[i])));
    return [
      compareArrays(`${cell} stateful window losses`, records.map((r) => r.loss), carried, { atol: 1e-5, rtol: 1e-5 }),
      compareArrays('windows from zero would lose more than 1e-3 otherwise', [Math.min(largestDifference, 1e-3)], [1e-3], { atol: 0, rtol: 0 }),
    ];
  },

  /**
   * Adam steps of a sequence model (a recurrent layer, a dense layer, a bivariate full-covariance head with a
   * Bernoulli pen) on padded sequences of different lengths, on the GPU and in the float64 reference: losses
   * per step and parameters after the last, with stepsAgainstReference's tolerances; with `gpuClass`, on the
   * kernels a GPU-class adapter gets.
   */
  async recurrentTrainingSteps(
    given: GpuContext,
    { cell, steps, sequences, length, gpuClass = false }: { cell: RecurrentCell; steps: number; sequences: number; length: number; gpuClass?: boolean },
  ) {
    // gpuClass: the kernels a GPU-class adapter gets (tiles, K split over the rows from 1024 rows), forced here.
    const gpu = gpuClass ? new GpuContext(given.device, 'test: a GPU-class adapter (forced)', false, false) : given;
    const arch = SEQUENCE_ARCHITECTURE(cell);
    const data = paddedSequences(arch, sequences, length, new Random(sequences * 31 + length));
    const initial = initialParameters(arch, 5);
    const adam = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 };
    const trainer = await MdnTrainer.create(gpu, arch, { rows: sequences, sequence: { steps: length }, initialParameters: initial, optimizer: { kind: 'adam', ...adam } });
    try {
      trainer.setData(data.x, data.y, data.mask);
      const records = await trainer.train(steps, { lossEvery: 1 });
      const params = await trainer.readParameters();
      const expected = initial.map((p) => Float64Array.from(p));
      const r = data.reference;
      const losses = trainReference(arch, expected, r.x, r.y, sequences * length, steps, { ...adam, learningRate: Math.fround(adam.learningRate) }, { sequences: { steps: length, mask: r.mask } });
      return [
        compareArrays(`${cell} sequence loss per step`, records.map((rec) => rec.loss), losses, { atol: 1e-5, rtol: 1e-5 }),
        ...params.map((p, i) => compareArrays(`${cell} layer${i} params after ${steps} steps`, p, expected[i], { atol: 1e-5, rtol: 1e-4 })),
      ];
    } finally {
      trainer.destroy();
    }
  },

  async recurrentLayer(gpu: GpuContext, args: RecurrentArgs) {
    const { steps, batch, inputs, units, design, lane, sequences, inputActivation } = args;
    const { layer, rows, params, x, outputGrad } = recurrentProblem(args);
    const forced = args.adapterClass ? { adapterClass: args.adapterClass, subgroupSize: gpu.subgroupSize } : {};
    const gpuResult = await runRecurrentLayer(gpu, layer, { design, ...(lane ? { lane } : {}), ...(sequences ? { sequences } : {}), ...forced }, steps, rows, { x, params, outputGrad }, inputActivation);
    const expected = layer.kind.reference.forward(layer, params, x, rows, steps);
    const grads = layer.kind.reference.backward(layer, params, x, outputGrad, rows, inputActivation ?? 'identity', steps);
    const perStep = (inputs + units + 16) * U * 4;
    const forwardBound = expected.map((_, i) => (Math.floor(i / (units * batch)) + 1) * perStep);
    const gradientScale = steps * perStep + rows * U;
    const reports = [
      compareArrays(`${args.cell} h over ${steps} steps`, gpuResult.output, expected, { atol: 1e-7, rtol: 0, bound: forwardBound }),
      compareArrays(`${args.cell} parameter gradient`, gpuResult.paramGrad!, grads.paramGrad, { atol: 1e-6, rtol: gradientScale }),
    ];
    if (inputActivation) reports.push(compareArrays(`${args.cell} input gradient`, gpuResult.inputGrad!, grads.inputGrad, { atol: 1e-6, rtol: gradientScale }));
    return reports;
  },
};
