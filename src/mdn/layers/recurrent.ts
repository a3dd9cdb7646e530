// The recurrent layers, LSTM and GRU (PyTorch's equations and gate order), over time-major rows of `steps`
// steps: h_t for every step, each sequence starting from a zero state (in training with stateful windows, from
// the state its slot's previous window left: ForwardIo.carry). The parameter block is the input block
// (inputs + 1) x G·units (W_ihᵀ row by row, then b_ih), padded to 64 floats so it binds on its own, then the
// recurrent block (units + 1) x G·units (W_hhᵀ, then b_hh). Kernels: the input part of every gate is one dense
// product over all rows (denseForward.ts), the walk through time recurrentForward.ts; backward,
// recurrentBackward.ts walks back through time, then dense weight gradients of both blocks and the dense input
// gradient (denseWeightGrad.ts, denseInputGrad.ts) run over all rows. Reference: ../reference/recurrent.ts.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { subRange } from '../../runtime/program.js';
import type { AdapterClass } from '../../runtime/device.js';
import { denseForward, denseForwardVariant } from '../../shaders/denseForward.js';
import { denseInputGrad, denseInputGradVariant } from '../../shaders/denseInputGrad.js';
import { denseWeightGradVariant } from '../../shaders/denseWeightGrad.js';
import { MAX_RECURRENT_UNITS, type SequencesPerWorkgroup, gateCount, laneUnits, maxSequencesPerWorkgroup } from '../../shaders/recurrent.wgsl.js';
import { carriedStateFloats, recurrentForward } from '../../shaders/recurrentForward.js';
import { recurrentBackward } from '../../shaders/recurrentBackward.js';
import { recurrentCell } from '../../shaders/recurrentCell.js';
import { recurrentStep, recurrentStepVariant } from '../../shaders/recurrentStep.js';
import { recurrentBackwardStep, recurrentBackwardStepVariant } from '../../shaders/recurrentBackwardStep.js';
import { recurrentCarryOut } from '../../shaders/recurrentCarryOut.js';
import { type RecurrentCell, type RecurrentShape, recurrentBackward as referenceBackward, recurrentForward as referenceForward } from '../reference/recurrent.js';
import type { Random } from '../random.js';
import { type BackwardIo, type ForwardIo, type LayerKind, type LayerSpec, type PlacedLayer, type Stage, stage } from './layerKind.js';
import { splitKWorkspace, weightGradStages } from './weightGradStages.js';

export interface RecurrentSpec extends LayerSpec {
  readonly kind: RecurrentCell;
  /** Hidden units (1 to 1024): the width of h_t, the layer's output at every step. */
  readonly units: number;
}

/**
 * How the walk through time is dispatched: 'looped', one dispatch walking every step with a workgroup barrier
 * between steps, or 'perStep', one dispatch per step. For generation's single continued steps: 'products', the
 * recurrent product as a dense matrix product over all sequences, then the gates (other passes walk as 'looped');
 * 'fusedStep', both products and the gates in one dispatch (recurrentStep.ts). 'blockedSteps' walks whole windows
 * (units divisible by 4) one dispatch per step, each step's recurrent product register-blocked over all
 * sequences with the gates in the same dispatch (recurrentStep.ts, recurrentBackwardStep.ts).
 */
export type RecurrentDesign = 'looped' | 'perStep' | 'products' | 'fusedStep' | 'blockedSteps';

/**
 * The design each adapter class runs. Training and scoring on the software adapters walk 'blockedSteps' where the
 * units divide by 4 (LSTM 128, 64 steps, 32 sequences, wall time of a whole walk:
 * forward 1.7x and backward 2.7x faster than 'looped' on lavapipe, 1.4x and 2.1x on SwiftShader in Node;
 * bench/results/recurrent-variants-2026-12-01-*-designs.txt), else 'looped' (1.3x faster than 'perStep' on
 * lavapipe, 1.3-5.4x on SwiftShader, recurrent-variants-2026-11-30-*.txt). Generation's continued steps take
 * 'fusedStep' there (16-23% less wall time per step than 'products' on lavapipe, 16-21% on SwiftShader:
 * recurrent-variants-2026-12-01-*-generation.txt). GPUs keep 'looped' and 'products' (their tiled products)
 * until measured.
 */
export function recurrentDesignFor(adapterClass: AdapterClass | undefined, continued = false, units = 0): RecurrentDesign {
  const software = adapterClass === 'lavapipe' || adapterClass === 'swiftshader';
  if (continued) return adapterClass === 'gpu' ? 'products' : 'fusedStep';
  return software && units % 4 === 0 && units > 0 ? 'blockedSteps' : 'looped';
}

/**
 * Sequences each workgroup of a walk takes: on the software adapters as many as its state allows, up to 4, as
 * each weight load then serves them all (on lavapipe 4 took the forward walk 2x and the backward 1.7x less
 * time than 1, bench/results/recurrent-variants-*); lavapipe's forward walk up to 8 (1.4x less time than 4; its
 * backward walk was 7% slower at 8, and on SwiftShader 8 was within 8% of 4 either way: ...-8-sequences.txt).
 * GPUs keep one per workgroup, their parallelism, until measured.
 */
export const sequencesFor = (adapterClass: AdapterClass | undefined, units: number, walk: 'forward' | 'backward' = 'forward'): SequencesPerWorkgroup =>
  adapterClass === 'gpu' ? 1 : maxSequencesPerWorkgroup(units, adapterClass === 'lavapipe' && walk === 'forward' ? 8 : 4);

/** Floats of the parameter block before the recurrent block: the input block, padded to 64 floats. */
export const recurrentOffsetOf = (layer: Pick<PlacedLayer<RecurrentSpec>, 'inputs' | 'spec'>): number =>
  Math.ceil(((layer.inputs + 1) * gateCount(layer.spec.kind) * layer.spec.units) / 64) * 64;

/** The reference's shape of a layer over `rows` rows of `steps` steps. */
export const recurrentShapeOf = (layer: PlacedLayer<RecurrentSpec>, rows: number, steps: number): RecurrentShape => ({
  cell: layer.spec.kind,
  steps,
  batch: rows / steps,
  inputs: layer.inputs,
  units: layer.spec.units,
  recurrentOffset: recurrentOffsetOf(layer),
});

/** How a layer's walks are built (bench and tests force each). */
export interface RecurrentChoice {
  readonly design: RecurrentDesign;
  /** Units per invocation: 4 (vec4 lanes; units % 4 == 0) or 1; default 4 where the units allow. */
  readonly lane?: 1 | 4;
  /** Sequences per workgroup of both walks (1, 2, 4 or 8); default sequencesFor the adapter class and walk. */
  readonly sequences?: SequencesPerWorkgroup;
  readonly adapterClass?: AdapterClass;
  /** The subgroup size the dense products may use (GpuContext.subgroupSize). */
  readonly subgroupSize?: number;
  /** The forward pass continues the previous call's state (generation; see ForwardOptions). */
  readonly continued?: boolean;
  /** Training passes of stateful windows (see PassOptions.carried). */
  readonly carried?: boolean;
}

// A layer's training workspace before any partial sums, as floats per row: the gates, the cells, h_{t−1}, and the
// GRU's recurrent gate gradients.
const trainingWorkspace = (cell: RecurrentCell, units: number): number[] => {
  const width = gateCount(cell) * units;
  return cell === 'gru' ? [width, units, units, width] : [width, units, units];
};

/** The stages of a layer's forward pass (forward) and its backward pass. */
export function recurrentStages(layer: PlacedLayer<RecurrentSpec>, choice: RecurrentChoice) {
  const { design, adapterClass, subgroupSize, continued = false, carried = false } = choice;
  const { inputs, spec } = layer;
  const cell = spec.kind;
  const units = spec.units;
  const lane = choice.lane ?? laneUnits(units);
  const walkVariant = (walk: 'forward' | 'backward') => {
    const sequences = choice.sequences ?? sequencesFor(adapterClass, units, walk);
    return { ...(lane === 4 ? { lane } : {}), ...(sequences > 1 ? { sequences } : {}) };
  };
  if (lane === 4 && units % 4 !== 0) throw new Error(`vec4 lanes need units divisible by 4, got ${units}`);
  const width = gateCount(cell) * units;
  const offset = recurrentOffsetOf(layer);
  const inputBlock = (r: Parameters<typeof subRange>[0]) => subRange(r, 0, (inputs + 1) * width);
  const recurrentBlock = (r: Parameters<typeof subRange>[0]) => subRange(r, offset, (units + 1) * width);
  const dense = (rows: number) => ({ rows, inputs, outputs: width });
  const walk = (descending: boolean) => (rows: number, steps: number, pass: number) => {
    if (continued && steps !== 1) throw new Error('a continued recurrent forward pass runs one step per call');
    const batch = rows / steps;
    if (design !== 'perStep') return { batch, units, steps, first: descending ? steps - 1 : 0, count: steps };
    return { batch, units, steps, first: descending ? steps - 1 - pass : pass, count: 1 };
  };
  const passes = design === 'perStep' ? (steps: number) => steps : undefined;
  const inputProduct = stage(denseForward, denseForwardVariant('identity', { outputs: width }, adapterClass, subgroupSize), dense, (io: ForwardIo) => ({ input: io.input, weights: inputBlock(io.weights), output: io.workspace[0] }));
  // A step that continues the last call's (generation), h_{t−1} in `previousOutput`: both products as dense ones
  // over all sequences, then the gates; measured against the walk's one step in recurrent-variants.
  const productsStep = (): Stage<ForwardIo>[] => [
    inputProduct,
    stage(denseForward, denseForwardVariant('identity', { outputs: width }, adapterClass, subgroupSize), (rows: number) => ({ rows, inputs: units, outputs: width }), (io: ForwardIo) => ({
      input: previousOutputOf(io),
      weights: recurrentBlock(io.weights),
      output: io.workspace[2],
    })),
    stage(recurrentCell, { cell }, (rows: number) => ({ rows, units }), (io: ForwardIo) => ({
      gates: io.workspace[0],
      recurrentPart: io.workspace[2],
      cells: io.workspace[1],
      output: io.output,
      ...(cell === 'gru' ? { previousOutput: previousOutputOf(io) } : {}),
    })),
  ];
  // The same step in one dispatch.
  const fusedStep = (): Stage<ForwardIo>[] => [
    stage(recurrentStep, recurrentStepVariant(cell, units, adapterClass, subgroupSize), (rows: number) => ({ rows, inputs, units, recurrentOffset: offset, step: 0 }), (io: ForwardIo) => ({
      input: io.input,
      previousOutput: previousOutputOf(io),
      weights: io.weights,
      output: io.output,
      ...(cell === 'lstm' ? { cells: io.workspace[1] } : {}),
    })),
  ];
  const previousOutputOf = (io: ForwardIo) => {
    if (!io.previousOutput) throw new Error(`a continued ${cell} step reads h(t-1) from ForwardIo.previousOutput`);
    return io.previousOutput;
  };
  const carriedResources = (io: ForwardIo) => {
    if (!io.carry) throw new Error(`a stateful ${cell} layer needs its carried state (ForwardIo.carry)`);
    return { carry: io.carry.state, keep: io.carry.keep };
  };
  if (design === 'fusedStep' && !continued) throw new Error("the 'fusedStep' design is for continued steps");
  // The walk as one dispatch per step, each a register-blocked product over all sequences with the gates after it.
  const dispatchPerStep = (steps: number) => steps;
  const blockedForward = (training: boolean): Stage<ForwardIo>[] => [
    inputProduct,
    stage(
      recurrentStep,
      { ...recurrentStepVariant(cell, units, adapterClass, subgroupSize), walk: { save: training, ...(carried ? { carried } : {}) } },
      (rows: number, steps: number, pass: number) => ({ rows: rows / steps, inputs, units, recurrentOffset: offset, step: pass }),
      (io: ForwardIo) => ({
        gates: io.workspace[0],
        weights: io.weights,
        cells: io.workspace[1],
        output: io.output,
        ...(training ? { previous: io.workspace[2] } : {}),
        ...(carried ? carriedResources(io) : {}),
      }),
      dispatchPerStep,
    ),
    // Stateful windows: the state the window leaves, once its walk is done.
    ...(carried
      ? [
          stage(recurrentCarryOut, { cell }, (rows: number, steps: number) => ({ batch: rows / steps, units, steps }), (io: ForwardIo) => ({
            output: io.output,
            ...(cell === 'lstm' ? { cells: io.workspace[1] } : {}),
            carry: carriedResources(io).carry,
          })),
        ]
      : []),
  ];
  if (design === 'blockedSteps' && (continued || units % 4 !== 0)) throw new Error("the 'blockedSteps' design walks whole windows, of units divisible by 4");
  const forward = (training: boolean): Stage<ForwardIo>[] => (continued && design === 'products' ? productsStep() : design === 'fusedStep' ? fusedStep() : design === 'blockedSteps' ? blockedForward(training) : [
    inputProduct,
    stage(
      recurrentForward,
      { cell, save: training, ...(continued ? { continued } : {}), ...(carried ? { carried } : {}), ...walkVariant('forward') },
      walk(false),
      (io: ForwardIo) => ({
        gates: io.workspace[0],
        recurrent: recurrentBlock(io.weights),
        cells: io.workspace[1],
        output: io.output,
        ...(training ? { previous: io.workspace[2] } : {}),
        ...(continued ? { previousOutput: previousOutputOf(io) } : {}),
        ...(carried ? carriedResources(io) : {}),
      }),
      passes,
    ),
  ]);
  const backward = (inputActivation: Parameters<LayerKind['backward']>[1]): Stage<BackwardIo>[] => {
    // The GRU's recurrent product has gradients of its own (workspace[3]); the LSTM's are the input product's.
    const recurrentGates = (io: BackwardIo) => (cell === 'gru' ? io.workspace[3] : io.workspace[0]);
    const partialsIndex = trainingWorkspace(cell, units).length;
    // Both designs of the walk back bind the same buffers.
    const walkBack = (io: BackwardIo) => ({
      gates: io.workspace[0],
      recurrent: recurrentBlock(io.weights),
      cells: io.workspace[1],
      outputGrad: io.outputGrad,
      ...(cell === 'gru' ? { previous: io.workspace[2], recurrentGates: io.workspace[3] } : {}),
    });
    const carriedLstm = carried && cell === 'lstm' ? { carried } : {};
    const stages: Stage<BackwardIo>[] = [
      design === 'blockedSteps'
        ? stage(
            recurrentBackwardStep,
            { ...recurrentBackwardStepVariant(cell, units, adapterClass, subgroupSize), ...carriedLstm },
            (rows: number, steps: number, pass: number) => ({ batch: rows / steps, units, steps, first: steps - 1 - pass, count: 1 }),
            walkBack,
            dispatchPerStep,
          )
        : stage(recurrentBackward, { cell, ...carriedLstm, ...walkVariant('backward') }, walk(true), walkBack, passes),
      // The two blocks' weight gradients over all rows; where they split K (GPU class), their partial sums share the
      // last training workspace buffer (after the GRU's recurrent gradients, where it has them), one after the other.
      ...weightGradStages(denseWeightGradVariant({ inputs, outputs: width }, adapterClass, subgroupSize), dense, (io: BackwardIo) => ({
        input: io.input,
        outputGrad: io.workspace[0],
        weightGrad: inputBlock(io.weightGrad),
        partials: io.workspace[partialsIndex],
      })),
      ...weightGradStages(denseWeightGradVariant({ inputs: units, outputs: width }, adapterClass, subgroupSize), (rows: number) => ({ rows, inputs: units, outputs: width }), (io: BackwardIo) => ({
        input: io.workspace[2],
        outputGrad: recurrentGates(io),
        weightGrad: recurrentBlock(io.weightGrad),
        partials: io.workspace[partialsIndex],
      })),
    ];
    if (inputActivation !== undefined) {
      stages.push(stage(denseInputGrad, denseInputGradVariant(inputActivation, { inputs }, adapterClass, subgroupSize), dense, (io: BackwardIo) => ({
        outputGrad: io.workspace[0],
        weights: inputBlock(io.weights),
        activationOutput: io.input,
        inputGrad: io.inputGrad,
      })));
    }
    return stages;
  };
  return { forward, backward };
}

/** `count` rows of length `length` (count ≤ length), orthonormal: Keras' orthogonal initialiser of a recurrent kernel. */
function orthonormalRows(count: number, length: number, random: Random): Float64Array[] {
  const rows: Float64Array[] = [];
  while (rows.length < count) {
    const v = Float64Array.from({ length }, () => random.normal());
    // Modified Gram–Schmidt, twice for accuracy; a draw that is nearly dependent on the others is drawn again.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of rows) {
        const dot = v.reduce((a, x, i) => a + x * u[i], 0);
        for (let i = 0; i < length; i++) v[i] -= dot * u[i];
      }
    }
    const norm = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    if (norm < 1e-6) continue;
    rows.push(v.map((x) => x / norm));
  }
  return rows;
}

function recurrentKind(cell: RecurrentCell): LayerKind<RecurrentSpec> {
  const kind: LayerKind<RecurrentSpec> = {
    kind: cell,
    normalise(spec, at) {
      const { units } = spec as Partial<RecurrentSpec>;
      if (!(typeof units === 'number' && Number.isInteger(units) && units >= 1 && units <= MAX_RECURRENT_UNITS)) {
        throw new InvalidArgumentError(`${at}.units must be an integer from 1 to ${MAX_RECURRENT_UNITS}, got ${JSON.stringify(units)}`);
      }
      return { kind: cell, units };
    },
    textForm: `${cell}:UNITS`,
    fromText([units, ...rest], at) {
      if (rest.length) throw new InvalidArgumentError(`${at}: ${cell} takes ${cell}:UNITS, got ${rest.length} more fields`);
      return kind.normalise({ kind: cell, units: /^\d+$/.test(units ?? '') ? Number(units) : units }, at);
    },
    outputs: (spec) => spec.units,
    // h_t is the output as it is: the next layer passes dL/dh_t straight back.
    outputActivation: () => 'identity',
    parameterCount: (spec, inputs) => recurrentOffsetOf({ inputs, spec }) + (spec.units + 1) * gateCount(cell) * spec.units,
    // The gates (input part, then activated, then their gradients), the cells, and in training h_{t−1} (and the
    // GRU's recurrent gate gradients); in inference the recurrent part of the gates (generation's products).
    workspace(spec, inputs, training, adapterClass) {
      const width = gateCount(cell) * spec.units;
      if (!training) return [width, spec.units, width];
      // Then the split weight gradients' partial sums (GPU class), which the backward stages find after these.
      const partials = splitKWorkspace([{ inputs, outputs: width }, { inputs: spec.units, outputs: width }], training, adapterClass);
      return [...trainingWorkspace(cell, spec.units), ...partials];
    },
    // 'pytorch': every weight and bias uniform in ±1/√units, as torch.nn.LSTM/GRU reset them. 'glorot', as Keras
    // starts its LSTM/GRU: Glorot-uniform W_ih, orthogonal W_hh, zero biases but the LSTM's forget gate at 1.
    initialParameters(layer, random, scheme) {
      const { inputs, spec } = layer;
      const units = spec.units;
      const width = gateCount(cell) * units;
      const offset = recurrentOffsetOf(layer);
      const block = new Float64Array(kind.parameterCount(spec, inputs));
      if (scheme === 'pytorch') {
        const limit = 1 / Math.sqrt(units);
        for (let i = 0; i < (inputs + 1) * width; i++) block[i] = Math.fround(random.range(-limit, limit));
        for (let i = 0; i < (units + 1) * width; i++) block[offset + i] = Math.fround(random.range(-limit, limit));
        return block;
      }
      const limit = Math.sqrt(6 / (inputs + width));
      for (let i = 0; i < inputs * width; i++) block[i] = Math.fround(random.range(-limit, limit));
      orthonormalRows(units, width, random).forEach((row, k) => row.forEach((v, m) => (block[offset + k * width + m] = Math.fround(v))));
      if (cell === 'lstm') for (let j = 0; j < units; j++) block[inputs * width + units + j] = 1;
      return block;
    },
    // torch.nn.LSTM / GRU (one layer): weight_ih_l0 [G·units, inputs], weight_hh_l0 [G·units, units], bias_ih_l0, bias_hh_l0.
    tensors: ({ inputs, spec }) => {
      const width = gateCount(cell) * spec.units;
      return [
        { name: 'weight_ih_l0', shape: [width, inputs] },
        { name: 'weight_hh_l0', shape: [width, spec.units] },
        { name: 'bias_ih_l0', shape: [width] },
        { name: 'bias_hh_l0', shape: [width] },
      ];
    },
    toTensors(layer, block) {
      const { inputs, spec } = layer;
      const width = gateCount(cell) * spec.units;
      const offset = recurrentOffsetOf(layer);
      const transposed = (at: number, rows: number) => {
        const out = new Float32Array(width * rows);
        for (let k = 0; k < rows; k++) for (let m = 0; m < width; m++) out[m * rows + k] = block[at + k * width + m];
        return out;
      };
      const row = (at: number) => Float32Array.from({ length: width }, (_, m) => block[at + m]);
      return [transposed(0, inputs), transposed(offset, spec.units), row(inputs * width), row(offset + spec.units * width)];
    },
    fromTensors(layer, [weightIh, weightHh, biasIh, biasHh]) {
      const { inputs, spec } = layer;
      const width = gateCount(cell) * spec.units;
      const offset = recurrentOffsetOf(layer);
      const block = new Float32Array(kind.parameterCount(spec, inputs));
      for (let k = 0; k < inputs; k++) for (let m = 0; m < width; m++) block[k * width + m] = weightIh[m * inputs + k];
      for (let k = 0; k < spec.units; k++) for (let m = 0; m < width; m++) block[offset + k * width + m] = weightHh[m * spec.units + k];
      block.set(Array.from(biasIh), inputs * width);
      block.set(Array.from(biasHh), offset + spec.units * width);
      return block;
    },
    describe: (layer) => `${layer.inputs} -> ${layer.outputs} ${cell}`,
    carriedState: (spec) => carriedStateFloats(cell, spec.units),
    forward: (layer, training, adapterClass, options) =>
      recurrentStages(layer, {
        design: recurrentDesignFor(adapterClass, options?.continued, layer.spec.units),
        adapterClass,
        subgroupSize: options?.subgroupSize,
        continued: options?.continued ?? false,
        carried: training && (options?.carried ?? false),
      }).forward(training),
    backward: (layer, inputActivation, adapterClass, options) =>
      recurrentStages(layer, { design: recurrentDesignFor(adapterClass, false, layer.spec.units), adapterClass, subgroupSize: options?.subgroupSize, carried: options?.carried ?? false }).backward(inputActivation),
    reference: {
      forward: (layer, params, x, rows, steps = 1) => referenceForward(x, params, recurrentShapeOf(layer, rows, steps)),
      backward: (layer, params, x, outputGrad, rows, inputActivation, steps = 1) =>
        referenceBackward(x, params, outputGrad, recurrentShapeOf(layer, rows, steps), kind.parameterCount(layer.spec, layer.inputs), inputActivation),
    },
  };
  return kind;
}

export const lstm = recurrentKind('lstm');
export const gru = recurrentKind('gru');
