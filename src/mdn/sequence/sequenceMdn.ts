// The sequence model's user API: an autoregressive MDN whose trunk may hold recurrent layers (lstm, gru), trained
// on whole sequences on the GPU (forward and back through time in the step program), scored per step on held-out
// sequences, generated from on the GPU, saved and loaded. See ./sequenceData.ts for what a sequence is.
import { type GpuContext, acquireGpu } from '../../runtime/device.js';
import { Arena } from '../../runtime/arena.js';
import { uploadFloats } from '../../runtime/buffers.js';
import { DestroyedError, InvalidArgumentError } from '../../runtime/errors.js';
import type { DispatchTiming } from '../../runtime/timestamps.js';
import { type MdnArchitecture, packParameters, parameterLayout, targetWidth, validateArchitecture } from '../architecture.js';
import { architectureOf } from '../modelOptions.js';
import { checkBoolean, checkInteger, checkNumber, checkOptionKeys, checkSeed } from '../arguments.js';
import { initialParameters } from '../init.js';
import { INIT_SCHEMES, type InitScheme, type LayerSpec, layersFromText } from '../layers/index.js';
import type { HeadFamilyName } from '../heads/index.js';
import type { SideOutputSpec } from '../heads/sideOutputs.js';
import type { SigmaActivation } from '../architecture.js';
import { decodeModel, encodeModel } from '../serialization.js';
import { MdnTrainer } from '../trainer.js';
import { type Sequence, packSequences } from './sequenceData.js';
import { SequenceScorer, sequenceNll } from './sequenceEvaluator.js';
import { type GenerateOptions, type GeneratedSequences, SequenceGenerator } from './sequenceGenerator.js';

export interface SequenceMdnOptions {
  /** Continuous values per step (required), e.g. 2 for a pen's (dx, dy). */
  readonly outputDim: number;
  /** Values held over a whole sequence and given with every step (e.g. a one-hot of the letter); default 0. */
  readonly conditionDim?: number;
  /** The trunk, as for createMdn's `layers` or its short text form (default 'lstm:64'). */
  readonly layers?: readonly LayerSpec[] | string;
  /** Mixture components K (default 5). */
  readonly components?: number;
  /** The components' family, as for createMdn (default 'gaussian'; 'gaussian-full' for correlated pen steps). */
  readonly family?: HeadFamilyName;
  readonly degreesOfFreedom?: number | 'learned';
  /** Discrete outputs per step, as for createMdn (e.g. [{ kind: 'bernoulli', name: 'pen' }]). */
  readonly sideOutputs?: readonly SideOutputSpec[];
  /** σ activation (default 'softplus'). */
  readonly sigma?: SigmaActivation;
  readonly sigmaEpsilon?: number;
  /** 'glorot' (default; Keras' LSTM/GRU start) or 'pytorch'. */
  readonly init?: InitScheme;
  readonly seed?: number;
  readonly gpu?: GpuContext;
}

const OPTION_KEYS = ['outputDim', 'conditionDim', 'layers', 'components', 'family', 'degreesOfFreedom', 'sideOutputs', 'sigma', 'sigmaEpsilon', 'init', 'seed', 'gpu'];

export interface SequenceFitOptions {
  /** Optimiser steps (default 500, unless `epochs` is given). */
  readonly steps?: number;
  /** Passes over the training windows; instead of `steps`. */
  readonly epochs?: number;
  /** Sequences (windows) per step (default: all of them, at most 32). */
  readonly batchSize?: number;
  /**
   * Steps per training window: truncated back-propagation through time, each window starting from a zero state
   * unless `stateful` (default: the longest sequence, so nothing is cut).
   */
  readonly window?: number;
  /**
   * Each window starts from the state the previous window of its sequence left (Keras' `stateful`, PyTorch's
   * detached hidden state), so the recurrent layers see context beyond one window while gradients still stop at
   * its start. Batches then hold `batchSize` runs of consecutive windows (a sequence's windows in order, one per
   * step; a run's first window starts from zero), in a new order every epoch. Default false.
   */
  readonly stateful?: boolean;
  /** Adam's step size (default 0.001). */
  readonly learningRate?: number;
  /** Clip the gradient to this global L2 norm (default: none; recurrent models usually want one, e.g. 1). */
  readonly clipNorm?: number;
  /** Seed of the batch order (default 0). */
  readonly seed?: number;
  /** Steps between evaluations: loss readback, validation, onProgress (default 100). */
  readonly evaluateEvery?: number;
  /** Sequences scored (NLL per step) at every evaluation. */
  readonly validation?: readonly Sequence[];
  readonly onProgress?: (progress: SequenceFitProgress) => void;
}

const FIT_KEYS = ['steps', 'epochs', 'batchSize', 'window', 'stateful', 'learningRate', 'clipNorm', 'seed', 'evaluateEvery', 'validation', 'onProgress'];

export interface SequenceFitProgress {
  readonly step: number;
  /** Mean NLL per valid step of the last step's batch, before its update. */
  readonly loss: number;
  /** Mean NLL per step of the validation sequences after the step. */
  readonly validationLoss?: number;
}

export interface SequenceFitResult {
  readonly steps: number;
  readonly history: readonly SequenceFitProgress[];
  /** Dispatches per training step. */
  readonly dispatchesPerStep: number;
}

export class SequenceMdn {
  private destroyed = false;
  /** What the file it was loaded from kept beside it (e.g. the command line's column names); saved again by save(). */
  metadata: unknown;

  private constructor(
    readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    private readonly parameters: Arena,
    private readonly ownsGpu: boolean,
  ) {}

  /** A sequence model with these weights (one block per layer). */
  static async fromWeights(architecture: MdnArchitecture, blocks: readonly ArrayLike<number>[], gpu?: GpuContext): Promise<SequenceMdn> {
    validateArchitecture(architecture);
    if (!architecture.sequence) throw new InvalidArgumentError('this is a model of independent rows: open it with loadMdn');
    const context = gpu ?? (await acquireGpu());
    const parameters = new Arena(context, parameterLayout(architecture), 'sequence model parameters');
    uploadFloats(context, parameters.buffer, packParameters(architecture, blocks));
    return new SequenceMdn(context, architecture, parameters, !gpu);
  }

  /** Values per step of a sequence: outputDim, then one per side output. */
  get stepWidth(): number {
    return targetWidth(this.architecture);
  }

  get conditionDim(): number {
    return this.architecture.sequence?.conditionDim ?? 0;
  }

  /**
   * Trains on whole sequences on the GPU: batches of windows gathered on the GPU every epoch in a new order,
   * forward and back through time, Adam; losses read back only every `evaluateEvery` steps.
   * @example
   * await model.fit(sequences, { epochs: 20, batchSize: 32, learningRate: 3e-3, clipNorm: 1 });
   */
  async fit(sequences: readonly Sequence[], options: SequenceFitOptions = {}): Promise<SequenceFitResult> {
    this.assertAlive();
    checkOptionKeys('fit options', options, FIT_KEYS);
    if (options.steps !== undefined && options.epochs !== undefined) throw new InvalidArgumentError('give steps or epochs, not both');
    const evaluateEvery = checkInteger('evaluateEvery', options.evaluateEvery ?? 100, 1);
    const validation = options.validation && packSequences(this.architecture, options.validation, undefined, 'validation');
    const session = await this.trainingSession(sequences, options);
    // Validation is scored after every evaluateEvery steps by one program built here.
    const scorer = validation && (await SequenceScorer.create(this.gpu, this.architecture, this.parameters, validation).catch((error) => {
      session.destroy();
      throw error;
    }));
    const total = options.epochs !== undefined ? checkInteger('epochs', options.epochs, 0) * session.stepsPerEpoch : checkInteger('steps', options.steps ?? 500, 0);
    const history: SequenceFitProgress[] = [];
    try {
      for (let done = 0; done < total; ) {
        const n = Math.min(evaluateEvery, total - done);
        const loss = await session.train(n);
        done += n;
        const progress: SequenceFitProgress = {
          step: done,
          loss,
          ...(scorer ? { validationLoss: await scorer.nll() } : {}),
        };
        history.push(progress);
        options.onProgress?.(progress);
      }
      return { steps: total, history, dispatchesPerStep: session.dispatchesPerStep };
    } finally {
      scorer?.destroy();
      session.destroy();
    }
  }

  /**
   * Training to drive step by step (a page that trains and draws in turns): the data on the GPU and the optimiser
   * state kept between calls to `train`. fit's options (steps, epochs, validation and onProgress aside).
   * @example
   * const session = await model.trainingSession(sequences, { batchSize: 16, learningRate: 3e-3, clipNorm: 1 });
   * const loss = await session.train(50);
   */
  async trainingSession(sequences: readonly Sequence[], options: Omit<SequenceFitOptions, 'steps' | 'epochs' | 'validation' | 'onProgress' | 'evaluateEvery'> = {}): Promise<SequenceTrainingSession> {
    this.assertAlive();
    checkOptionKeys('training options', options, FIT_KEYS);
    const packed = packSequences(this.architecture, sequences, options.window === undefined ? undefined : checkInteger('window', options.window, 1));
    const stateful = checkBoolean('stateful', options.stateful ?? false);
    if (stateful && options.window === undefined) throw new InvalidArgumentError('stateful carries the state from one window of a sequence to the next: give a window too');
    const batchSize = options.batchSize === undefined ? Math.min(32, packed.pieces) : checkInteger('batchSize', options.batchSize, 1, packed.pieces);
    const trainer = await MdnTrainer.create(this.gpu, this.architecture, {
      rows: packed.pieces,
      batchSize,
      sequence: { steps: packed.steps, ...(stateful ? { windows: packed.windows } : {}) },
      optimizer: { kind: 'adam', learningRate: checkNumber('learningRate', options.learningRate ?? 1e-3, 0, 10) },
      parameters: this.parameters,
      seed: checkSeed('seed', options.seed ?? 0),
      ...(options.clipNorm === undefined ? {} : { clipNorm: options.clipNorm }),
    });
    trainer.setData(packed.x, packed.y, packed.mask);
    return new SequenceTrainingSession(trainer);
  }

  /** Mean negative log-likelihood per step of the sequences (nats), every step of each scored from its true past. */
  evaluate(sequences: readonly Sequence[]): Promise<number> {
    this.assertAlive();
    return sequenceNll(this.gpu, this.architecture, this.parameters, packSequences(this.architecture, sequences, undefined, 'sequences'));
  }

  /**
   * Generates sequences on the GPU, each step's draw fed back as the next input; one readback at the end.
   * @example
   * const { sequences } = await model.generate({ count: 256, maxSteps: 100, conditions: oneHot('a'), temperature: 0.8, stopWhen: { column: 2, value: 2 } });
   */
  async generate(options: GenerateOptions = {}): Promise<GeneratedSequences> {
    this.assertAlive();
    const generator = await SequenceGenerator.create(this.gpu, this.architecture, this.parameters, options);
    try {
      return await generator.run();
    } finally {
      generator.destroy();
    }
  }

  /** A generation program to keep and run again, or to record into one's own command encoder (see SequenceGenerator). */
  generator(options: GenerateOptions = {}): Promise<SequenceGenerator> {
    this.assertAlive();
    return SequenceGenerator.create(this.gpu, this.architecture, this.parameters, options);
  }

  /** The weights, one block per layer (a readback). */
  getWeights(): Promise<Float32Array[]> {
    this.assertAlive();
    return this.parameters.readSlices(this.gpu);
  }

  /** The model file (safetensors with the description in its manifest), as Mdn.save writes one. */
  async save(metadata: unknown = this.metadata): Promise<Uint8Array> {
    return encodeModel(this.architecture, await this.getWeights(), metadata);
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.parameters.buffer.destroy();
    if (this.ownsGpu) this.gpu.destroy();
  }

  private assertAlive(): void {
    if (this.destroyed) throw new DestroyedError('this sequence model was destroyed');
    this.gpu.assertUsable();
  }
}

/** Training kept open between calls (SequenceMdn.trainingSession). */
export class SequenceTrainingSession {
  constructor(private readonly trainer: MdnTrainer) {}

  /** Optimiser steps per pass over the training windows. */
  get stepsPerEpoch(): number {
    return this.trainer.stepsPerEpoch;
  }

  get dispatchesPerStep(): number {
    return this.trainer.dispatchesPerStep;
  }

  /** Steps taken so far. */
  get steps(): number {
    return this.trainer.steps;
  }

  /** Runs `steps` steps and returns the last one's loss (mean NLL per valid step of its batch, before its update). */
  async train(steps: number): Promise<number> {
    const records = await this.trainer.train(steps, { lossEvery: steps });
    const halt = this.trainer.halted;
    if (halt) throw new InvalidArgumentError(`training stopped at step ${halt.step}: the ${halt.quantity} was not finite (lower the learning rate, or set clipNorm)`);
    return records[records.length - 1]?.loss ?? Number.NaN;
  }

  /** GPU time of each dispatch of one training step (it trains that step); null without `timestamp-query`. */
  profileStep(): Promise<DispatchTiming[] | null> {
    return this.trainer.profileStep();
  }

  destroy(): void {
    this.trainer.destroy();
  }
}

/**
 * A new sequence model.
 * @example
 * const model = await createSequenceMdn({ outputDim: 2, sideOutputs: [{ kind: 'categorical', classes: 3, name: 'pen' }], conditionDim: 26, layers: 'lstm:128', family: 'gaussian-full', components: 10 });
 */
export async function createSequenceMdn(options: SequenceMdnOptions): Promise<SequenceMdn> {
  checkOptionKeys('createSequenceMdn options', options, OPTION_KEYS);
  const conditionDim = checkInteger('conditionDim', options.conditionDim ?? 0, 0);
  const layers = typeof options.layers === 'string' ? layersFromText(options.layers) : (options.layers ?? [{ kind: 'lstm', units: 64 }]);
  const sides = options.sideOutputs ?? [];
  // A model description as createMdn makes one (the same head defaults), autoregressive: each step's input is
  // the previous step's targets and the condition.
  const architecture: MdnArchitecture = {
    ...architectureOf({
      inputDim: checkInteger('outputDim', options.outputDim, 1) + sides.length + conditionDim,
      outputDim: options.outputDim,
      layers,
      components: options.components,
      sigma: options.sigma,
      sigmaEpsilon: options.sigmaEpsilon,
      family: options.family,
      degreesOfFreedom: options.degreesOfFreedom,
      sideOutputs: options.sideOutputs,
    }),
    sequence: { conditionDim },
  };
  validateArchitecture(architecture);
  const init = options.init ?? 'glorot';
  if (!INIT_SCHEMES.includes(init)) throw new InvalidArgumentError(`init must be one of ${INIT_SCHEMES.join(', ')}, got ${JSON.stringify(init)}`);
  const blocks = initialParameters(architecture, checkSeed('seed', options.seed ?? 0), init).map((b) => Float32Array.from(b));
  return SequenceMdn.fromWeights(architecture, blocks, options.gpu);
}

/** Loads a sequence model saved by SequenceMdn.save; throws ModelFormatError naming the problem for another file. */
export async function loadSequenceMdn(bytes: ArrayBuffer | Uint8Array, gpu?: GpuContext): Promise<SequenceMdn> {
  const { architecture, blocks, metadata } = decodeModel(bytes);
  const model = await SequenceMdn.fromWeights(architecture, blocks, gpu);
  model.metadata = metadata;
  return model;
}
