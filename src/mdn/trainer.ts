// Full-batch GPU training of an MLP-MDN. A whole step (forward, fused NLL + head gradient, batch mean,
// backward, optimiser) is one Program recorded once; many steps are encoded into one compute pass per submit,
// and the loss is copied back only at the steps the caller asks for.
import type { GpuContext } from '../runtime/device.js';
import { Arena } from '../runtime/arena.js';
import { createStorageBuffer, readFloats, uploadFloats } from '../runtime/buffers.js';
import { BufferSnapshot, ResourceScope, StagingBuffer, submitCommands } from '../runtime/transfer.js';
import { compileKernel } from '../runtime/kernel.js';
import { type Program, ProgramBuilder } from '../runtime/program.js';
import { StepRing } from '../runtime/stepRing.js';
import { type DispatchTiming, timeProgram } from '../runtime/timestamps.js';
import { InvalidArgumentError, DeviceLimitError } from '../runtime/errors.js';
import { denseForward, denseForwardVariant } from '../shaders/denseForward.js';
import { denseInputGrad } from '../shaders/denseInputGrad.js';
import { denseWeightGrad, denseWeightGradVariant } from '../shaders/denseWeightGrad.js';
import { mixtureNll } from '../shaders/mixtureNll.js';
import { unrolledHead } from '../shaders/unrolledHead.js';
import { meanReduce } from '../shaders/meanReduce.js';
import { AdamStep, adam, adamStepValues } from '../shaders/adam.js';
import { SgdStep, sgd } from '../shaders/sgd.js';
import { GatherStep, gatherBatch } from '../shaders/gatherBatch.js';
import { gradNorm } from '../shaders/gradNorm.js';
import { epochKeys, permutationBits } from './reference/permutation.js';
import { type MdnArchitecture, denseLayers, headWidth, parameterLayout, validateArchitecture } from './architecture.js';
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
  /** Initial parameters, one (inputs + 1) x outputs block per layer; default Glorot from `seed`. */
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
}

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

  private constructor(
    private readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    readonly rows: number,
    private optimizer: ResolvedOptimizer,
    private readonly params: Arena,
    private readonly resources: ResourceScope,
    private readonly inputBuffer: GPUBuffer,
    private readonly targetBuffer: GPUBuffer,
    private readonly lossBuffer: GPUBuffer,
    private readonly lossStaging: StagingBuffer,
    private readonly health: GPUBuffer,
    /** Parameters, then the optimiser state: what a checkpoint copies. */
    private readonly stateBuffers: readonly GPUBuffer[],
    private readonly ring: StepRing,
    readonly stepProgram: Program,
    /** Minibatch bookkeeping; undefined for full-batch training. */
    private readonly batching: { batchSize: number; stepsPerEpoch: number; seed: number; ring: StepRing } | undefined,
  ) {}

  /**
   * Builds every buffer and the step program for `rows`-row full-batch training.
   * @example
   * const trainer = await MdnTrainer.create(gpu, arch, { rows: 1000, optimizer: { kind: 'adam', learningRate: 0.01 } });
   */
  static async create(gpu: GpuContext, architecture: MdnArchitecture, options: TrainerOptions): Promise<MdnTrainer> {
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
    const minibatch = batch < rows;
    const clipNorm = options.clipNorm;
    if (clipNorm !== undefined && !(Number.isFinite(clipNorm) && clipNorm > 0)) throw new InvalidArgumentError(`clipNorm must be a finite number > 0, got ${clipNorm}`);
    if (clipNorm !== undefined && optimizer.kind !== 'adam') throw new InvalidArgumentError('clipNorm is available with Adam');
    const sigmaPenalty = options.sigmaPenalty ?? 0;
    if (!(Number.isFinite(sigmaPenalty) && sigmaPenalty >= 0)) throw new InvalidArgumentError(`sigmaPenalty must be a finite number >= 0, got ${sigmaPenalty}`);
    const layers = denseLayers(architecture);
    const layout = parameterLayout(architecture);
    const widest = Math.max(...layers.map((l) => l.outputs));
    const maxBinding = gpu.limits.maxStorageBufferBindingSize;
    const widestData = Math.max(architecture.inputDim, architecture.outputDim);
    if (batch * widest * 4 > maxBinding || rows * widestData * 4 > maxBinding || layout.totalFloats * 4 > maxBinding) {
      throw new DeviceLimitError(
        `a batch of ${batch} rows needs ${batch * widest * 4} bytes per activation buffer (and the data ${rows * widestData * 4}); the device binds at most ${maxBinding}`,
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
    const allInputs = keep(createStorageBuffer(gpu, 'inputs', rows * architecture.inputDim));
    const allTargets = keep(createStorageBuffer(gpu, 'targets', rows * architecture.outputDim));
    const input = minibatch ? keep(createStorageBuffer(gpu, 'batch inputs', batch * architecture.inputDim)) : allInputs;
    const target = minibatch ? keep(createStorageBuffer(gpu, 'batch targets', batch * architecture.outputDim)) : allTargets;
    const outputs = layers.map((l, i) => keep(createStorageBuffer(gpu, `layer${i} output`, batch * l.outputs)));
    const preGrads = layers.map((l, i) => keep(createStorageBuffer(gpu, `layer${i} pre-activation grad`, batch * l.outputs)));
    const sampleNll = keep(createStorageBuffer(gpu, 'sample nll', batch));
    const loss = keep(createStorageBuffer(gpu, 'loss', 1));
    // Losses of the recorded steps, then the two health words, in one map per submit.
    const lossStaging = keep(new StagingBuffer(gpu, 'loss readback', stepsPerSubmit + 2));
    const health = keep(createStorageBuffer(gpu, 'training health', 4));
    const ring = keep(new StepRing(gpu, optimizer.kind === 'adam' ? AdamStep : SgdStep, stepsPerSubmit, 'optimizer step ring'));

    if (!options.parameters || options.initialParameters) {
      const initial = options.initialParameters ?? initialParameters(architecture, options.seed ?? 0);
      uploadFloats(gpu, params.buffer, layout.pack(Object.fromEntries(initial.map((p, i) => [`layer${i}`, p]))));
    }

    const builder = new ProgramBuilder(gpu, 'train step');
    let batching: { batchSize: number; stepsPerEpoch: number; seed: number; ring: StepRing } | undefined;
    if (minibatch) {
      batching = { batchSize: batch, stepsPerEpoch: Math.floor(rows / batch), seed: options.seed ?? 0, ring: keep(new StepRing(gpu, GatherStep, stepsPerSubmit, 'batch ring')) };
      if (batching.ring.stride !== ring.stride) throw new Error('the batch and optimizer rings must share one stride (one dynamic offset)');
      builder.add(
        await compileKernel(gpu, gatherBatch, {}),
        { allInputs, allTargets, batchInputs: input, batchTargets: target, step: batching.ring.binding() },
        { rows, batch, inputDim: architecture.inputDim, outputDim: architecture.outputDim, halfBits: permutationBits(rows) / 2 },
      );
    }
    for (const [i, layer] of layers.entries()) {
      const kernel = await compileKernel(gpu, denseForward, denseForwardVariant(layer.activation, layer));
      builder.add(kernel, { a: i === 0 ? input : outputs[i - 1], b: params.binding(`layer${i}`), c: outputs[i] }, { rows: batch, ...layer });
    }
    const nllKernel = await compileKernel(gpu, mixtureNll, {
      sigma: architecture.sigma,
      withGradient: true,
      unrolled: unrolledHead(architecture.components, architecture.outputDim),
    });
    builder.add(
      nllKernel,
      { head: outputs[layers.length - 1], targets: target, headGrad: preGrads[layers.length - 1], sampleNll },
      { batch, components: architecture.components, dims: architecture.outputDim, gradScale: 1 / batch, sigmaEpsilon: architecture.sigmaEpsilon, sigmaPenalty, sigmaGradScale: options.freezeSigma ? 0 : 1 },
    );
    builder.add(await compileKernel(gpu, meanReduce, {}), { values: sampleNll, result: loss }, { count: batch, scale: 1 / batch });
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i];
      const weightGrad = await compileKernel(gpu, denseWeightGrad, denseWeightGradVariant(layer));
      builder.add(weightGrad, { a: i === 0 ? input : outputs[i - 1], b: preGrads[i], c: grads.binding(`layer${i}`) }, { rows: batch, ...layer });
      if (i > 0) {
        const inputGrad = await compileKernel(gpu, denseInputGrad, { inputActivation: layers[i - 1].activation });
        builder.add(inputGrad, { a: preGrads[i], b: params.binding(`layer${i}`), activationOutput: outputs[i - 1], c: preGrads[i - 1] }, { rows: batch, ...layer });
      }
    }
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
    return new MdnTrainer(gpu, architecture, rows, optimizer, params, scope, allInputs, allTargets, loss, lossStaging, health, stateBuffers, ring, program, batching);
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
   * Uploads the training data: `x` is rows x inputDim, `y` rows x outputDim, row-major.
   * @example
   * trainer.setData(new Float32Array(xs), new Float32Array(ys));
   */
  setData(x: ArrayLike<number>, y: ArrayLike<number>): void {
    this.gpu.assertUsable();
    const { inputDim, outputDim } = this.architecture;
    checkMatrix('x', x, this.rows, inputDim);
    checkMatrix('y', y, this.rows, outputDim);
    uploadFloats(this.gpu, this.inputBuffer, Float32Array.from(x));
    uploadFloats(this.gpu, this.targetBuffer, Float32Array.from(y));
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
        const n = Math.min(this.ring.slots, steps - done);
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
    this.ring.write(this.gpu.device.queue, Array.from({ length: n }, (_, i) => this.stepValues(first + i)));
    this.batching?.ring.write(this.gpu.device.queue, Array.from({ length: n }, (_, i) => this.batchValues(first + i)));
    const recorded: number[] = [];
    const healthAt = this.ring.slots;
    submitCommands(this.gpu, 'train steps', (encoder) => {
      let pass = encoder.beginComputePass({ label: 'train steps' });
      for (let i = 0; i < n; i++) {
        const step = first + i;
        this.stepProgram.encode(pass, this.ring.offset(i));
        if (lossEvery > 0 && (step % lossEvery === 0 || step === last)) {
          pass.end();
          this.lossStaging.copyFrom(encoder, this.lossBuffer, 0, recorded.length, 1);
          recorded.push(step);
          pass = encoder.beginComputePass({ label: 'train steps' });
        }
      }
      pass.end();
      if (recorded.length > 0) this.lossStaging.copyFrom(encoder, this.health, 0, healthAt, 2);
    });
    this.stepCount += n;
    if (recorded.length === 0) {
      // Keep at most one submit in flight so the queue never grows without bound.
      await this.pendingWork;
      this.pendingWork = this.gpu.device.queue.onSubmittedWorkDone();
      return [];
    }
    const words = await this.lossStaging.read(0, healthAt + 2);
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
    this.checkpoint ??= { step: 0, snapshot: new BufferSnapshot(this.gpu, this.stateBuffers, 'checkpoint') };
    this.checkpoint.snapshot.save();
    this.checkpoint.step = this.stepCount;
  }

  /** Returns parameters, optimiser state and step count to the last checkpoint, and clears a halt; its step. */
  restoreCheckpoint(): number {
    this.gpu.assertUsable();
    if (!this.checkpoint) throw new Error('no checkpoint was saved');
    this.checkpoint.snapshot.restore([this.health]);
    this.stepCount = this.checkpoint.step;
    this.halted = null;
    return this.checkpoint.step;
  }

  /** Current parameters, one (inputs + 1) x outputs block per layer (a readback). */
  async readParameters(): Promise<Float32Array[]> {
    const layout = this.params.layout;
    const flat = await readFloats(this.gpu, this.params.buffer, layout.totalFloats);
    const blocks = layout.unpack(flat);
    return layout.slices.map((s) => blocks[s.name]);
  }

  /** GPU time of each dispatch of one step (runs a step); null without `timestamp-query`. */
  async profileStep(): Promise<DispatchTiming[] | null> {
    this.ring.write(this.gpu.device.queue, [this.stepValues(this.stepCount + 1)]);
    this.batching?.ring.write(this.gpu.device.queue, [this.batchValues(this.stepCount + 1)]);
    const timings = await timeProgram(this.gpu, this.stepProgram, this.ring.offset(0));
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
    return this.batching?.batchSize ?? this.rows;
  }

  /** Steps in one pass over the data (1 for full batch). */
  get stepsPerEpoch(): number {
    return this.batching?.stepsPerEpoch ?? 1;
  }

  // Which rows step t (1-based) trains on: epoch keys and the batch's first position in the permutation.
  private batchValues(t: number): Record<string, number> {
    const { batchSize, stepsPerEpoch, seed } = this.batching!;
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
