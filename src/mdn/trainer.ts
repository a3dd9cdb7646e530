// Full-batch GPU training of an MLP-MDN. A whole step (forward, fused NLL + head gradient, batch mean,
// backward, optimiser) is one Program recorded once; many steps are encoded into one compute pass per submit,
// and the loss is copied back only at the steps the caller asks for.
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { uploadFloats } from '../runtime/buffers.js';
import { BufferSnapshot, type ResourceScope, submitCommands } from '../runtime/transfer.js';
import type { Program } from '../runtime/program.js';
import { type DispatchTiming, timeProgram } from '../runtime/timestamps.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { adamStepValues } from '../shaders/adam.js';
import { epochKeys } from './epochPermutation.js';
import { type MdnArchitecture, targetWidth } from './architecture.js';
import { checkSideTargets } from './heads/sideOutputs.js';
import type { ResolvedOptimizer } from './optimizerOptions.js';
import { type TrainerOptions, type TrainingStep, buildTrainingStep } from './trainStep.js';

export type { TrainerOptions } from './trainStep.js';

/** Where training stopped itself on the GPU: the first step whose loss or a gradient was NaN or infinite. */
export interface Halt {
  readonly step: number;
  readonly quantity: 'loss' | 'gradient';
}

export interface LossRecord {
  /** 1-based step whose forward pass produced the loss (the loss before that step's update). */
  readonly step: number;
  readonly loss: number;
}

export class MdnTrainer {
  private stepCount = 0;
  private pendingWork: Promise<unknown> = Promise.resolve();
  /** Set once a readback shows the GPU halted training (see Halt); cleared by restoreCheckpoint. */
  halted: Halt | null = null;
  private checkpoint: { step: number; snapshot: BufferSnapshot } | undefined;
  /** Stateful windows: the next step starts every slot from zero (after a checkpoint's restore). */
  private resetCarriedState = false;
  /** Stateful windows: one submit's schedule entries, written before it (reused). */
  private readonly scheduleEntries: Uint32Array | undefined;

  private optimizer: ResolvedOptimizer;
  private readonly params: Arena;
  private readonly resources: ResourceScope;
  readonly rows: number;
  readonly stepProgram: Program;

  private constructor(
    private readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    private readonly step: TrainingStep,
  ) {
    this.optimizer = step.optimizer;
    this.params = step.params;
    this.resources = step.resources;
    this.rows = step.rows;
    this.stepProgram = step.program;
    this.scheduleEntries = step.batching?.windows && new Uint32Array(step.ring.slots * step.batching.batchSize);
  }

  /**
   * Builds every buffer and the step program for `rows`-row full-batch training.
   * @example
   * const trainer = await MdnTrainer.create(gpu, arch, { rows: 1000, optimizer: { kind: 'adam', learningRate: 0.01 } });
   */
  static async create(gpu: GpuContext, architecture: MdnArchitecture, options: TrainerOptions): Promise<MdnTrainer> {
    const step = await buildTrainingStep(gpu, architecture, options);
    return new MdnTrainer(gpu, architecture, step);
  }

  /** The parameter arena on the GPU (for a predictor to read); owned by the trainer. */
  get parameters(): Arena {
    return this.params;
  }

  /** Bytes of GPU memory the trainer holds (every buffer it made). */
  get gpuBytes(): number {
    return this.resources.bytes;
  }

  /** The learning rate of the steps still to come (a schedule changes it between calls to train). */
  get learningRate(): number {
    return this.optimizer.learningRate;
  }

  set learningRate(value: number) {
    if (!(Number.isFinite(value) && value >= 0)) throw new InvalidArgumentError(`learningRate must be a finite number >= 0, got ${value}`);
    this.optimizer = { ...this.optimizer, learningRate: value };
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.stepCount;
  }

  get dispatchesPerStep(): number {
    return this.stepProgram.dispatchCount;
  }

  /**
   * Uploads the training data: `x` is rows x inputDim, `y` rows x (outputDim + side outputs), row-major. For
   * sequences, each of those rows is `steps` rows (its steps, padded), and `mask` marks the valid ones (1) and
   * the padding (0), one value per row.
   * @example
   * trainer.setData(new Float32Array(xs), new Float32Array(ys));
   */
  setData(x: ArrayLike<number>, y: ArrayLike<number>, mask?: ArrayLike<number>): void {
    this.gpu.assertUsable();
    const { inputDim } = this.architecture;
    const dataRows = this.rows * this.step.steps;
    checkMatrix('x', x, dataRows, inputDim);
    checkMatrix('y', y, dataRows, targetWidth(this.architecture));
    checkSideTargets('y', this.architecture, y);
    if ((mask === undefined) !== (this.step.mask === undefined)) throw new InvalidArgumentError(this.step.mask ? 'sequence training needs the mask of valid steps' : 'a mask is for sequence training');
    if (mask && this.step.mask) {
      checkMatrix('mask', mask, dataRows, 1);
      uploadFloats(this.gpu, this.step.mask, Float32Array.from(mask));
    }
    uploadFloats(this.gpu, this.step.inputs, Float32Array.from(x));
    uploadFloats(this.gpu, this.step.targets, Float32Array.from(y));
  }

  /**
   * Runs `steps` optimiser steps. With `lossEvery` = n, the loss of every n-th step (and of the last) is
   * read back; with 0 nothing is read back.
   * @example
   * const losses = await trainer.train(3000, { lossEvery: 100 });
   */
  async train(steps: number, options: { lossEvery?: number } = {}): Promise<LossRecord[]> {
    this.gpu.assertUsable();
    if (!Number.isInteger(steps) || steps < 0) throw new InvalidArgumentError(`steps must be an integer >= 0, got ${steps}`);
    const lossEvery = options.lossEvery ?? 0;
    const records: LossRecord[] = [];
    const last = this.stepCount + steps;
    try {
      for (let done = 0; done < steps; ) {
        this.gpu.assertUsable();
        const n = Math.min(this.step.ring.slots, steps - done);
        records.push(...(await this.submitSteps(n, lossEvery, last)));
        done += n;
      }
      await this.pendingWork;
    } catch (error) {
      throw await this.gpu.explainFailure(error);
    }
    this.gpu.assertUsable();
    return records;
  }

  /** Encodes `n` steps into one submit; reads back the losses of the steps `lossEvery` selects. */
  private async submitSteps(n: number, lossEvery: number, last: number): Promise<LossRecord[]> {
    const first = this.stepCount + 1;
    this.writeStepValues(first, n);
    const recorded: number[] = [];
    const healthAt = this.step.ring.slots;
    submitCommands(this.gpu, 'train steps', (encoder) => {
      let pass = encoder.beginComputePass({ label: 'train steps' });
      for (let i = 0; i < n; i++) {
        const step = first + i;
        this.stepProgram.encode(pass, this.step.ring.offset(i));
        if (lossEvery > 0 && (step % lossEvery === 0 || step === last)) {
          pass.end();
          this.step.lossStaging.copyFrom(encoder, this.step.loss, 0, recorded.length, 1);
          recorded.push(step);
          pass = encoder.beginComputePass({ label: 'train steps' });
        }
      }
      pass.end();
      if (recorded.length > 0) this.step.lossStaging.copyFrom(encoder, this.step.health, 0, healthAt, 2);
    });
    this.stepCount += n;
    if (recorded.length === 0) {
      // Keep at most one submit in flight so the queue never grows without bound.
      await this.pendingWork;
      this.pendingWork = this.gpu.device.queue.onSubmittedWorkDone();
      return [];
    }
    const words = await this.step.lossStaging.read(0, healthAt + 2);
    const values = words.subarray(0, recorded.length);
    const [haltStep, quantity] = new Uint32Array(words.buffer, healthAt * 4, 2);
    if (haltStep !== 0) this.halted = { step: haltStep, quantity: quantity === 1 ? 'loss' : 'gradient' };
    return recorded.map((step, i) => ({ step, loss: values[i] }));
  }

  /**
   * Keeps a copy of the parameters and optimiser state on the GPU (buffer copies, no readback), to return to
   * with restoreCheckpoint. One checkpoint is kept; a new one replaces it.
   * @example
   * if (!trainer.halted) trainer.saveCheckpoint();
   */
  saveCheckpoint(): void {
    this.gpu.assertUsable();
    this.checkpoint ??= { step: 0, snapshot: new BufferSnapshot(this.gpu, this.step.stateBuffers, 'checkpoint') };
    this.checkpoint.snapshot.save();
    this.checkpoint.step = this.stepCount;
  }

  /** Returns parameters, optimiser state and step count to the last checkpoint, and clears a halt; its step. */
  restoreCheckpoint(): number {
    this.gpu.assertUsable();
    if (!this.checkpoint) throw new Error('no checkpoint was saved');
    this.checkpoint.snapshot.restore([this.step.health]);
    this.stepCount = this.checkpoint.step;
    this.halted = null;
    // The carried states are a later step's: the windows after the checkpoint start afresh.
    this.resetCarriedState = true;
    return this.checkpoint.step;
  }

  /** Current parameters, one block per layer (a readback). */
  readParameters(): Promise<Float32Array[]> {
    return this.params.readSlices(this.gpu);
  }

  /** GPU time of each dispatch of one step (runs a step); null without `timestamp-query`. */
  async profileStep(): Promise<DispatchTiming[] | null> {
    this.writeStepValues(this.stepCount + 1, 1);
    const timings = await timeProgram(this.gpu, this.stepProgram, this.step.ring.offset(0));
    if (timings) this.stepCount += 1;
    return timings;
  }

  /** Frees every GPU buffer the trainer made; idempotent. */
  destroy(): void {
    this.checkpoint?.snapshot.destroy();
    this.checkpoint = undefined;
    this.resources.destroy();
  }

  /** Rows per step. */
  get batchSize(): number {
    return this.step.batching?.batchSize ?? this.rows;
  }

  /** Steps in one pass over the data (1 for full batch). */
  get stepsPerEpoch(): number {
    return this.step.batching?.stepsPerEpoch ?? 1;
  }

  /** The per-step values of steps first..first + n − 1, the i-th in slot i of the rings (and of the window schedule). */
  private writeStepValues(first: number, n: number): void {
    const queue = this.gpu.device.queue;
    const steps = Array.from({ length: n }, (_, i) => first + i);
    this.step.ring.write(queue, steps.map((t) => this.stepValues(t)));
    const batching = this.step.batching;
    if (!batching) return;
    batching.ring.write(queue, steps.map((t, i) => this.batchValues(t, i)));
    if (batching.windows && this.scheduleEntries) {
      steps.forEach((t, i) => batching.windows!.schedule.write(t, this.scheduleEntries!, i * batching.batchSize, i === 0 && this.resetCarriedState));
      this.resetCarriedState = false;
      queue.writeBuffer(batching.windows.entries, 0, this.scheduleEntries, 0, n * batching.batchSize);
    }
  }

  // Which rows step t (1-based), slot i of a submit, trains on: epoch keys and the batch's first position in the
  // permutation; with stateful windows, where the step's entries start in the schedule buffer.
  private batchValues(t: number, i: number): Record<string, number> {
    const { batchSize, stepsPerEpoch, seed, windows } = this.step.batching!;
    if (windows) return { key0: 0, key1: 0, batchStart: i * batchSize };
    const [key0, key1] = epochKeys(seed, Math.floor((t - 1) / stepsPerEpoch));
    return { key0, key1, batchStart: ((t - 1) % stepsPerEpoch) * batchSize };
  }

  private stepValues(t: number): Record<string, number> {
    const o = this.optimizer;
    return o.kind === 'adam' ? adamStepValues(t, o.learningRate, o.beta1, o.beta2) : { learningRate: o.learningRate };
  }
}

function checkMatrix(name: string, values: ArrayLike<number>, rows: number, cols: number): void {
  if (values.length !== rows * cols) {
    throw new InvalidArgumentError(`${name} must hold ${rows} rows x ${cols} columns = ${rows * cols} values, got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InvalidArgumentError(`${name} has a non-finite value (${values[i]}) at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
  }
}
