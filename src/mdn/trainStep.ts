// The program of one training step, and every buffer it works on: the network's forward pass, the fused
// mixture NLL with its gradient, the batch mean, the backward pass (all recorded by ./network.ts), and the optimiser (with the minibatch gather
// and gradient clipping where asked). Built once per trainer; src/mdn/trainer.ts replays it.
import type { GpuContext } from '../runtime/device.js';
import { Arena } from '../runtime/arena.js';
import { createStorageBuffer, uploadFloats } from '../runtime/buffers.js';
import { compileKernel } from '../runtime/kernel.js';
import { type Program, ProgramBuilder } from '../runtime/program.js';
import { StepRing } from '../runtime/stepRing.js';
import { ResourceScope, StagingBuffer } from '../runtime/transfer.js';
import { InvalidArgumentError, DeviceLimitError } from '../runtime/errors.js';
import { meanReduce } from '../shaders/meanReduce.js';
import { AdamStep, adam } from '../shaders/adam.js';
import { SgdStep, sgd } from '../shaders/sgd.js';
import { GatherStep, gatherBatch } from '../shaders/gatherBatch.js';
import { gradNorm } from '../shaders/gradNorm.js';
import { gatherSequences } from '../shaders/gatherSequences.js';
import { maskedMean } from '../shaders/maskedMean.js';
import { permutationBits } from './epochPermutation.js';
import { type MdnArchitecture, networkLayers, packParameters, parameterLayout, targetWidth, validateArchitecture } from './architecture.js';
import { NetworkRecorder, createCarriedStates, createWorkspace } from './network.js';
import { WindowSchedule } from './windowSchedule.js';
import { type OptimizerOptions, type ResolvedOptimizer, resolveOptimizer } from './optimizerOptions.js';
import { initialParameters } from './init.js';

export interface TrainerOptions {
  /** Rows of the training data. */
  readonly rows: number;
  /**
   * Rows per step (default: all, full batch). Smaller batches are gathered on the GPU in the order of a
   * permutation that changes every epoch (seeded by `seed`); an epoch is floor(rows / batchSize) steps, and the
   * rows left over change from epoch to epoch.
   */
  readonly batchSize?: number;
  readonly optimizer: OptimizerOptions;
  /** Initial parameters, one block per layer; default each layer kind's initial values from `seed`. */
  readonly initialParameters?: readonly ArrayLike<number>[];
  /** Train these parameters in place (e.g. a model's own arena) instead of a new arena; never destroyed here. */
  readonly parameters?: Arena;
  readonly seed?: number;
  /** Clip the gradient to this global L2 norm before each Adam update (one more dispatch per step). */
  readonly clipNorm?: number;
  /** λ of an L2 penalty λ Σ s² on the σ pre-activations, per row (a guard against σ blowing up). */
  readonly sigmaPenalty?: number;
  /** Hold every σ at its initial value (no σ gradient): with K = 1 and σ = 1 this is regression by MSE. */
  readonly freezeSigma?: boolean;
  /** Steps encoded per submit (default 64). */
  readonly stepsPerSubmit?: number;
  /**
   * Train on sequences: each of the `rows` items is a sequence of `steps` rows (padded after its end, which a
   * mask marks), and `batchSize` counts sequences. The loss is the mean over the valid steps. With `windows`,
   * the items are windows of longer sequences, `windows[s]` of them for sequence s, consecutive in the data, and
   * each window starts from the state its batch slot's previous window left (stateful windows: ./windowSchedule.ts).
   */
  readonly sequence?: { readonly steps: number; readonly windows?: readonly number[] };
}

/** Minibatch bookkeeping of a training step. */
export interface Batching {
  readonly batchSize: number;
  readonly stepsPerEpoch: number;
  readonly seed: number;
  /** Per-step gather values (epoch keys, or the step's first schedule entry). */
  readonly ring: StepRing;
  /** Stateful windows: the schedule, and the buffer of each submitted step's entries (batchSize per step). */
  readonly windows?: { readonly schedule: WindowSchedule; readonly entries: GPUBuffer };
}

/** A training step's program and what it runs on. */
export interface TrainingStep {
  readonly rows: number;
  /** Rows per item of the data: a sequence's steps, or 1. */
  readonly steps: number;
  readonly optimizer: ResolvedOptimizer;
  readonly params: Arena;
  /** Everything made here (not a caller's parameter arena). */
  readonly resources: ResourceScope;
  /** The whole data set (for sequences, `steps` rows per sequence, and the mask of its valid steps). */
  readonly inputs: GPUBuffer;
  readonly targets: GPUBuffer;
  readonly mask: GPUBuffer | undefined;
  /** The step's mean loss. */
  readonly loss: GPUBuffer;
  /** Losses of the recorded steps, then the two health words, read in one map per submit. */
  readonly lossStaging: StagingBuffer;
  /** Where the optimiser kernel records the first step whose loss or gradient was not finite. */
  readonly health: GPUBuffer;
  /** Parameters, then the optimiser state: what a checkpoint copies. */
  readonly stateBuffers: readonly GPUBuffer[];
  /** Per-step optimiser values (learning rate, bias corrections). */
  readonly ring: StepRing;
  readonly program: Program;
  /** Minibatch bookkeeping; undefined for full-batch training. */
  readonly batching: Batching | undefined;
}

/** Checks the options, allocates every buffer and records the step program. */
export async function buildTrainingStep(gpu: GpuContext, architecture: MdnArchitecture, options: TrainerOptions): Promise<TrainingStep> {
  validateArchitecture(architecture);
  gpu.assertUsable();
  const rows = options.rows;
  if (!Number.isInteger(rows) || rows < 1) throw new InvalidArgumentError(`rows must be an integer >= 1, got ${rows}`);
  const optimizer = resolveOptimizer(options.optimizer);
  const stepsPerSubmit = options.stepsPerSubmit ?? 64;
  const batch = options.batchSize ?? rows;
  if (!Number.isInteger(batch) || batch < 1 || batch > rows) {
    throw new InvalidArgumentError(`batchSize must be an integer from 1 to the ${rows} rows of data, got ${batch}`);
  }
  const sequenceSteps = options.sequence?.steps;
  if (sequenceSteps !== undefined && !(Number.isInteger(sequenceSteps) && sequenceSteps >= 1)) throw new InvalidArgumentError(`sequence steps must be an integer >= 1, got ${sequenceSteps}`);
  const steps = sequenceSteps ?? 1;
  const windows = options.sequence?.windows;
  if (windows && windows.reduce((n, w) => n + w, 0) !== rows) throw new InvalidArgumentError(`the windows of the sequences (${windows.reduce((n, w) => n + w, 0)}) must be the ${rows} items of data`);
  // Sequences are always gathered: the data set keeps each sequence's rows together, a batch is time-major.
  const minibatch = batch < rows || sequenceSteps !== undefined;
  const batchRows = batch * steps;
  const clipNorm = options.clipNorm;
  if (clipNorm !== undefined && !(Number.isFinite(clipNorm) && clipNorm > 0)) throw new InvalidArgumentError(`clipNorm must be a finite number > 0, got ${clipNorm}`);
  if (clipNorm !== undefined && optimizer.kind !== 'adam') throw new InvalidArgumentError('clipNorm is available with Adam');
  const sigmaPenalty = options.sigmaPenalty ?? 0;
  if (!(Number.isFinite(sigmaPenalty) && sigmaPenalty >= 0)) throw new InvalidArgumentError(`sigmaPenalty must be a finite number >= 0, got ${sigmaPenalty}`);
  const layers = networkLayers(architecture);
  const layout = parameterLayout(architecture);
  const widest = Math.max(...layers.map((l) => l.outputs));
  const maxBinding = gpu.limits.maxStorageBufferBindingSize;
  const targetColumns = targetWidth(architecture);
  const widestData = Math.max(architecture.inputDim, targetColumns);
  const widestWorkspace = Math.max(0, ...layers.flatMap((l) => l.kind.workspace(l.spec, l.inputs, true, gpu.adapterClass)));
  const widestRow = Math.max(widest, widestWorkspace);
  if (batchRows * widestRow * 4 > maxBinding || rows * steps * widestData * 4 > maxBinding || layout.totalFloats * 4 > maxBinding) {
    throw new DeviceLimitError(
      `a batch of ${batchRows} rows needs ${batchRows * widestRow * 4} bytes per activation buffer (and the data ${rows * steps * widestData * 4}); the device binds at most ${maxBinding}`,
    );
  }

  const scope = new ResourceScope();
  const keep = <T extends GPUBuffer | { destroy(): void }>(resource: T): T => scope.own(resource);
  if (options.parameters && options.parameters.layout.totalFloats !== layout.totalFloats) {
    throw new InvalidArgumentError('the parameters given do not match this architecture');
  }
  const params = options.parameters ?? keep(new Arena(gpu, layout, 'parameters'));
  const grads = keep(new Arena(gpu, layout, 'gradients'));
  const moments = optimizer.kind === 'adam' ? [keep(new Arena(gpu, layout, 'adam m')), keep(new Arena(gpu, layout, 'adam v'))] : [keep(new Arena(gpu, layout, 'sgd velocity'))];
  // The whole data set; with minibatches, each step's rows are gathered from it into batch buffers.
  const allInputs = keep(createStorageBuffer(gpu, 'inputs', rows * steps * architecture.inputDim));
  const allTargets = keep(createStorageBuffer(gpu, 'targets', rows * steps * targetColumns));
  const allMask = sequenceSteps === undefined ? undefined : keep(createStorageBuffer(gpu, 'mask', rows * steps));
  const input = minibatch ? keep(createStorageBuffer(gpu, 'batch inputs', batchRows * architecture.inputDim)) : allInputs;
  const target = minibatch ? keep(createStorageBuffer(gpu, 'batch targets', batchRows * targetColumns)) : allTargets;
  const batchMask = allMask && keep(createStorageBuffer(gpu, 'batch mask', batchRows));
  const outputs = layers.map((l, i) => keep(createStorageBuffer(gpu, `layer${i} output`, batchRows * l.outputs)));
  const preGrads = layers.map((l, i) => keep(createStorageBuffer(gpu, `layer${i} pre-activation grad`, batchRows * l.outputs)));
  const sampleNll = keep(createStorageBuffer(gpu, 'sample nll', batchRows));
  const loss = keep(createStorageBuffer(gpu, 'loss', 1));
  // Losses of the recorded steps, then the two health words, in one map per submit.
  const lossStaging = keep(new StagingBuffer(gpu, 'loss readback', stepsPerSubmit + 2));
  const health = keep(createStorageBuffer(gpu, 'training health', 4));
  const ring = keep(new StepRing(gpu, optimizer.kind === 'adam' ? AdamStep : SgdStep, stepsPerSubmit, 'optimizer step ring'));

  if (!options.parameters || options.initialParameters) {
    const initial = options.initialParameters ?? initialParameters(architecture, options.seed ?? 0);
    uploadFloats(gpu, params.buffer, packParameters(architecture, initial));
  }

  const builder = new ProgramBuilder(gpu, 'train step');
  const seed = options.seed ?? 0;
  const schedule = windows && new WindowSchedule(windows, batch, seed);
  // Stateful windows: each slot's keep flag (written by the gather) and each recurrent layer's carried state.
  const batchKeep = schedule && keep(createStorageBuffer(gpu, 'batch keep flags', batch));
  let batching: Batching | undefined;
  if (minibatch) {
    batching = {
      batchSize: batch,
      stepsPerEpoch: schedule?.stepsPerEpoch ?? Math.floor(rows / batch),
      seed,
      ring: keep(new StepRing(gpu, GatherStep, stepsPerSubmit, 'batch ring')),
      ...(schedule ? { windows: { schedule, entries: keep(createStorageBuffer(gpu, 'window schedule', stepsPerSubmit * batch)) } } : {}),
    };
    if (batching.ring.stride !== ring.stride) throw new Error('the batch and optimizer rings must share one stride (one dynamic offset)');
    const halfBits = permutationBits(rows) / 2;
    if (allMask && batchMask) {
      builder.add(
        await compileKernel(gpu, gatherSequences, schedule ? { scheduled: true } : {}),
        {
          allInputs,
          allTargets,
          allMask,
          batchInputs: input,
          batchTargets: target,
          batchMask,
          ...(batching.windows && batchKeep ? { schedule: batching.windows.entries, batchKeep } : {}),
          step: batching.ring.binding(),
        },
        { rows, batch, steps, inputDim: architecture.inputDim, targetWidth: targetColumns, halfBits },
      );
    } else {
      builder.add(
        await compileKernel(gpu, gatherBatch, {}),
        { allInputs, allTargets, batchInputs: input, batchTargets: target, step: batching.ring.binding() },
        { rows, batch, inputDim: architecture.inputDim, targetWidth: targetColumns, halfBits },
      );
    }
  }
  const recorder = await NetworkRecorder.create(gpu, architecture, { training: { sigmaPenalty, freezeSigma: options.freezeSigma ?? false }, carried: schedule !== undefined });
  // What each layer keeps from its forward pass for its backward pass, where its kind keeps anything.
  const workspace = createWorkspace(gpu, layers, batchRows, true, 'train').map((buffers) => buffers.map(keep));
  const carry = batchKeep && { states: createCarriedStates(gpu, layers, batch, 'train').map((b) => b && keep(b)), keep: batchKeep };
  const activations = { input, outputs, workspace, ...(carry ? { carry } : {}) };
  const head = outputs[layers.length - 1];
  const headGrad = preGrads[layers.length - 1];
  recorder.forward(builder, batchRows, activations, params, true, steps);
  recorder.loss(builder, batchRows, { head, targets: target, headGrad, sampleNll });
  if (batchMask) builder.add(await compileKernel(gpu, maskedMean, {}), { sampleNll, mask: batchMask, headGrad, result: loss }, { rows: batchRows, width: layers[layers.length - 1].outputs });
  else builder.add(await compileKernel(gpu, meanReduce, {}), { values: sampleNll, result: loss }, { count: batch, scale: 1 / batch });
  recorder.backward(builder, batchRows, activations, preGrads, params, grads, steps);
  const count = layout.totalFloats;
  if (optimizer.kind === 'adam') {
    const { beta1, beta2, epsilon, weightDecay } = optimizer;
    const clip = clipNorm === undefined ? undefined : keep(createStorageBuffer(gpu, 'clip factor', 1));
    if (clip) builder.add(await compileKernel(gpu, gradNorm, {}), { grads: grads.whole(), clip }, { count, maxNorm: clipNorm! });
    builder.add(
      await compileKernel(gpu, adam, { clipped: clip !== undefined }),
      {
        params: params.whole(),
        grads: grads.whole(),
        firstMoment: moments[0].whole(),
        secondMoment: moments[1].whole(),
        ...(clip ? { clip } : {}),
        loss,
        health,
        step: ring.binding(),
      },
      { count, beta1, beta2, epsilon, weightDecay },
    );
  } else {
    builder.add(
      await compileKernel(gpu, sgd, {}),
      { params: params.whole(), grads: grads.whole(), velocity: moments[0].whole(), step: ring.binding() },
      { count, momentum: optimizer.momentum, weightDecay: optimizer.weightDecay },
    );
  }
  const program = keep(builder.build());
  const stateBuffers = [params.buffer, ...moments.map((m) => m.buffer)];
  return { rows, steps, optimizer, params, resources: scope, inputs: allInputs, targets: allTargets, mask: allMask, loss, lossStaging, health, stateBuffers, ring, program, batching };
}
