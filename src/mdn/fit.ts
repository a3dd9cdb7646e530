// Training a model on data: Adam on full batches or on minibatches reshuffled on the GPU every epoch,
// evaluated every `evaluateEvery` steps (the only readbacks),
// with a validation set or split, early stopping that restores the best weights, and a reduce-on-plateau
// learning-rate schedule (Keras' callbacks, by the same names).
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { DestroyedError, InvalidArgumentError, MixdenError } from '../runtime/errors.js';
import type { MdnArchitecture } from './architecture.js';
import { MdnTrainer } from './trainer.js';
import type { MdnPredictor } from './predictor.js';
import { applyScaler, logJacobianOf } from './data/scaler.js';
import type { ModelScaling } from './scaling.js';
import { BufferSnapshot } from '../runtime/transfer.js';
import { type Rows, checkInteger, checkNumber, checkOptionKeys, checkSeed, rowsOf } from './arguments.js';

export interface FitOptions {
  /** Rows per step: 'full' (default) or a number; minibatches are reshuffled on the GPU every epoch. */
  readonly batchSize?: number | 'full';
  /** Optimiser steps (default 1000, unless `epochs` is given). */
  readonly steps?: number;
  /** Passes over the training data (each floor(rows / batchSize) steps); instead of `steps`. */
  readonly epochs?: number;
  /** Seed of the minibatch order (default 0): the same seed, data and weights train to the same result. */
  readonly seed?: number;
  /** Adam's step size (default 0.001, Keras' and PyTorch's). */
  readonly learningRate?: number;
  /** Adam's decay of the gradient's running mean, in [0, 1) (default 0.9). */
  readonly beta1?: number;
  /** Adam's decay of the squared gradient's running mean, in [0, 1) (default 0.999). */
  readonly beta2?: number;
  /** Decoupled weight decay (AdamW), >= 0 (default 0). */
  readonly weightDecay?: number;
  /** Clip the gradient to this global L2 norm before each update (default: no clipping). */
  readonly clipNorm?: number;
  /** λ of an L2 penalty λ Σ s² on the σ pre-activations, per row; reported losses include it (default 0). */
  readonly sigmaPenalty?: number;
  /** Steps between evaluations (loss readback, validation, callbacks, schedules); default 100, or one epoch with minibatches. */
  readonly evaluateEvery?: number;
  /** Hold out this fraction of the rows (the last ones, as Keras does) for validation, in [0, 1) (default 0). */
  readonly validationSplit?: number;
  /** Rows to score every evaluation instead of a split: x and y as for fit (default: none). */
  readonly validationData?: { readonly x: Rows; readonly y: Rows };
  /** An evaluation improves on the best only by more than this (default 0); early stopping and the schedule both use it. */
  readonly minDelta?: number;
  /** Stop after `patience` evaluations without improvement of the monitored loss (validation if any). */
  readonly earlyStopping?: { readonly patience: number; readonly restoreBestWeights?: boolean };
  /** Multiply the learning rate by `factor` after `patience` evaluations without improvement. */
  readonly reduceLrOnPlateau?: { readonly patience: number; readonly factor?: number; readonly minLearningRate?: number };
  /** Called at every evaluation with the step, epoch, losses (original units) and learning rate (default: none). */
  readonly onProgress?: (progress: FitProgress) => void;
  /**
   * Evaluations between copies of the weights to the CPU (default 1: every evaluation), which `Mdn.restore`
   * moves to a new device if this one is lost. 0 mirrors only at the end.
   */
  readonly mirrorEvery?: number;
}

export interface FitProgress {
  readonly step: number;
  /** Completed passes over the training data (fractional between epoch ends). */
  readonly epoch: number;
  /** Mean NLL of the last step's batch at its forward pass (before its update), nats per row. */
  readonly loss: number;
  /** Mean NLL of the validation data after the step, where there is validation data. */
  readonly validationLoss?: number;
  readonly learningRate: number;
}

export interface FitResult {
  readonly steps: number;
  readonly loss: number;
  readonly validationLoss?: number;
  /** Step whose weights the model holds at the end (the best one when early stopping restored them). */
  readonly bestStep: number;
  readonly stoppedEarly: boolean;
  readonly seconds: number;
  readonly history: readonly FitProgress[];
}

interface Split {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

/** Rows that train when `validationSplit` of `rows` are held out (the last ones). */
export function trainingRowCount(rows: number, validationSplit: number): number {
  if (!validationSplit) return rows;
  const held = Math.round(rows * validationSplit);
  if (held < 1 || held >= rows) throw new InvalidArgumentError(`validationSplit ${validationSplit} leaves ${rows - held} training and ${held} validation rows`);
  return rows - held;
}

function splitRows(x: ArrayLike<number>, y: ArrayLike<number>, arch: MdnArchitecture, validationSplit: number): { train: Split; validation?: Split } {
  const rows = x.length / arch.inputDim;
  const xs = Float32Array.from(x);
  const ys = Float32Array.from(y);
  const cut = trainingRowCount(rows, validationSplit);
  if (cut === rows) return { train: { x: xs, y: ys, rows } };
  return {
    train: { x: xs.subarray(0, cut * arch.inputDim), y: ys.subarray(0, cut * arch.outputDim), rows: cut },
    validation: { x: xs.subarray(cut * arch.inputDim), y: ys.subarray(cut * arch.outputDim), rows: rows - cut },
  };
}

const meanNll = (logDensity: Float32Array) => -logDensity.reduce((a, b) => a + b, 0) / logDensity.length;

/** What training works on: the GPU, the architecture, its parameter arena, and a predictor over it (for validation). */
export interface TrainingTarget {
  readonly gpu: GpuContext;
  readonly architecture: MdnArchitecture;
  readonly parameters: Arena;
  readonly predictor: () => Promise<MdnPredictor>;
  /** The model's fitted scalers: training rows are scaled for the trainer, and its losses reported in original units. */
  readonly scaling?: ModelScaling;
}

export const SESSION_OPTION_KEYS = ['batchSize', 'seed', 'learningRate', 'beta1', 'beta2', 'weightDecay', 'clipNorm', 'sigmaPenalty', 'validationSplit', 'validationData', 'mirrorEvery'] as const;
const FIT_OPTION_KEYS = [...SESSION_OPTION_KEYS, 'steps', 'epochs', 'evaluateEvery', 'minDelta', 'earlyStopping', 'reduceLrOnPlateau', 'onProgress'] as const;
// Every option of FitOptions is listed above (a new option that is not fails to compile here).
const everyFitOption: Exclude<keyof FitOptions, (typeof FIT_OPTION_KEYS)[number]> extends never ? true : never = true;
void everyFitOption;

// The option values fit and trainingSession share, checked once here with the names users wrote.
function checkSessionOptions(options: SessionOptions, arch: MdnArchitecture): void {
  const o = options;
  if (o.batchSize !== undefined && o.batchSize !== 'full') checkInteger('batchSize', o.batchSize, 1);
  if (o.seed !== undefined) checkSeed('seed', o.seed);
  if (o.learningRate !== undefined) checkNumber('learningRate', o.learningRate, 0, Infinity, { low: true });
  if (o.beta1 !== undefined) checkNumber('beta1', o.beta1, 0, 1, { high: true });
  if (o.beta2 !== undefined) checkNumber('beta2', o.beta2, 0, 1, { high: true });
  if (o.weightDecay !== undefined) checkNumber('weightDecay', o.weightDecay, 0, Infinity);
  if (o.clipNorm !== undefined) checkNumber('clipNorm', o.clipNorm, 0, Infinity, { low: true });
  if (o.sigmaPenalty !== undefined) checkNumber('sigmaPenalty', o.sigmaPenalty, 0, Infinity);
  if (o.validationSplit !== undefined) checkNumber('validationSplit', o.validationSplit, 0, 1, { high: true });
  if (o.mirrorEvery !== undefined) checkInteger('mirrorEvery', o.mirrorEvery, 0);
  if (o.validationData !== undefined) {
    checkOptionKeys('validationData', o.validationData, ['x', 'y']);
    const rows = rowsOf('validationData.x', o.validationData.x, arch.inputDim).length / arch.inputDim;
    rowsOf('validationData.y', o.validationData.y, arch.outputDim, rows);
  }
}

export type SessionOptions = Omit<FitOptions, 'steps' | 'epochs' | 'evaluateEvery' | 'minDelta' | 'earlyStopping' | 'reduceLrOnPlateau' | 'onProgress'>;

/**
 * Training that goes on across calls: one trainer (and Adam state) for the data, `run(n)` trains n more steps
 * and returns their progress. Behind `fit`, and `Mdn.trainingSession` for live or interruptible training.
 */
export class TrainingSession {
  private constructor(
    private readonly trainer: MdnTrainer,
    private readonly validation: { x: Float64Array; y: Float64Array } | undefined,
    private readonly predictor: () => Promise<MdnPredictor>,
    /** Steps in one pass over the training rows. */
    readonly stepsPerEpoch: number,
    /** Training rows (after any validation split). */
    readonly rows: number,
    /** Added to the trainer's loss (of scaled targets) to give it in original units: −mean log-Jacobian of the training rows. */
    private readonly lossOffset: number,
  ) {}

  static async create(target: TrainingTarget, x: ArrayLike<number>, y: ArrayLike<number>, options: SessionOptions): Promise<TrainingSession> {
    const { gpu, architecture: arch, parameters, predictor, scaling } = target;
    if (options.validationSplit !== undefined && options.validationData) throw new InvalidArgumentError('give validationSplit or validationData, not both');
    checkSessionOptions(options, arch);
    const split = options.validationSplit ?? 0;
    // The trainer works on scaled rows; validation goes through the predictor, which takes original units.
    const { train, validation: heldScaled } = splitRows(scaling ? applyScaler(scaling.x, x) : x, scaling ? applyScaler(scaling.y, y) : y, arch, split);
    const cut = train.rows;
    const jacobian = scaling ? logJacobianOf(scaling.y, Array.prototype.slice.call(y, 0, cut * arch.outputDim) as number[]) : undefined;
    const lossOffset = jacobian ? -jacobian.reduce((a, b) => a + b, 0) / jacobian.length : 0;
    const validation = options.validationData
      ? { x: rowsOf('validationData.x', options.validationData.x, arch.inputDim), y: rowsOf('validationData.y', options.validationData.y, arch.outputDim) }
      : heldScaled && { x: Float64Array.from(Array.prototype.slice.call(x, cut * arch.inputDim) as number[]), y: Float64Array.from(Array.prototype.slice.call(y, cut * arch.outputDim) as number[]) };
    const batchSize = options.batchSize === undefined || options.batchSize === 'full' ? train.rows : options.batchSize;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > train.rows) {
      throw new InvalidArgumentError(`batchSize must be 'full' or an integer from 1 to the ${train.rows} training rows, got ${options.batchSize}`);
    }
    const trainer = await MdnTrainer.create(gpu, arch, {
      rows: train.rows,
      batchSize,
      seed: options.seed ?? 0,
      clipNorm: options.clipNorm,
      sigmaPenalty: options.sigmaPenalty,
      parameters,
      optimizer: { kind: 'adam', learningRate: options.learningRate ?? 0.001, beta1: options.beta1, beta2: options.beta2, weightDecay: options.weightDecay },
    });
    try {
      trainer.setData(train.x, train.y);
    } catch (error) {
      trainer.destroy();
      throw error;
    }
    return new TrainingSession(trainer, validation, predictor, Math.floor(train.rows / batchSize), train.rows, lossOffset);
  }

  /** Steps taken so far in this session. */
  get steps(): number {
    return this.trainer.steps;
  }

  /** Set when the GPU stopped training at a NaN or infinite loss or gradient (see MdnTrainer.halted). */
  get halted() {
    return this.trainer.halted;
  }

  saveCheckpoint(): void {
    this.trainer.saveCheckpoint();
  }

  restoreCheckpoint(): number {
    return this.trainer.restoreCheckpoint();
  }

  get learningRate(): number {
    return this.trainer.learningRate;
  }

  set learningRate(value: number) {
    this.trainer.learningRate = value;
  }

  /**
   * Trains `steps` more steps, then reads back the loss of the last one and scores the validation data.
   * @example
   * const { loss, validationLoss } = await session.run(50);
   */
  async run(steps: number): Promise<FitProgress> {
    const [record] = (await this.trainer.train(steps, { lossEvery: steps })).slice(-1);
    const validationLoss = this.validation ? meanNll(await (await this.predictor()).logProb(this.validation.x, this.validation.y)) : undefined;
    return { step: this.trainer.steps, epoch: this.trainer.steps / this.stepsPerEpoch, loss: record.loss + this.lossOffset, validationLoss, learningRate: this.trainer.learningRate };
  }

  /** Frees the session's GPU buffers (the model's weights stay). */
  destroy(): void {
    this.trainer.destroy();
  }
}

/** The fit loop behind `Mdn.fit`: a session, evaluated every `evaluateEvery` steps, with the schedules. */
export async function fitParameters(
  target: TrainingTarget,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: FitOptions,
  mirror: (step: number) => Promise<void> = async () => {},
  /** Checked at each evaluation: a model destroyed during fit stops it there. */
  cancelled: () => boolean = () => false,
): Promise<FitResult> {
  checkOptionKeys('fit options', options, FIT_OPTION_KEYS);
  if (options.earlyStopping !== undefined) {
    checkOptionKeys('earlyStopping', options.earlyStopping, ['patience', 'restoreBestWeights']);
    checkInteger('earlyStopping.patience', options.earlyStopping.patience, 1);
  }
  if (options.reduceLrOnPlateau !== undefined) {
    checkOptionKeys('reduceLrOnPlateau', options.reduceLrOnPlateau, ['patience', 'factor', 'minLearningRate']);
    checkInteger('reduceLrOnPlateau.patience', options.reduceLrOnPlateau.patience, 1);
    if (options.reduceLrOnPlateau.factor !== undefined) checkNumber('reduceLrOnPlateau.factor', options.reduceLrOnPlateau.factor, 0, 1, { low: true, high: true });
  }
  if (options.minDelta !== undefined) checkNumber('minDelta', options.minDelta, 0, Infinity);
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new InvalidArgumentError('onProgress must be a function');
  if (options.steps !== undefined && options.epochs !== undefined) throw new InvalidArgumentError('give steps or epochs, not both');
  if (options.epochs !== undefined && !(Number.isInteger(options.epochs) && options.epochs >= 1)) {
    throw new InvalidArgumentError(`epochs must be an integer >= 1, got ${options.epochs}`);
  }
  const { gpu, parameters } = target;
  const session = await TrainingSession.create(target, x, y, options);
  const minibatch = typeof options.batchSize === 'number' && options.batchSize < session.rows;
  const steps = options.epochs !== undefined ? options.epochs * session.stepsPerEpoch : (options.steps ?? 1000);
  const evaluateEvery = options.evaluateEvery ?? (minibatch ? session.stepsPerEpoch : 100);
  const early = options.earlyStopping;
  const plateau = options.reduceLrOnPlateau;
  // The best weights so far, kept on the GPU: a buffer copy per improvement, no readback.
  const best = early && early.restoreBestWeights !== false ? new BufferSnapshot(gpu, [parameters.buffer], 'best parameters') : undefined;
  const history: FitProgress[] = [];
  const started = performance.now();
  let bestLoss = Infinity;
  let bestStep = 0;
  let sinceBest = 0;
  let sincePlateau = 0;
  let stoppedEarly = false;
  try {
    if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError(`steps must be an integer >= 1, got ${steps}`);
    if (!Number.isInteger(evaluateEvery) || evaluateEvery < 1) throw new InvalidArgumentError(`evaluateEvery must be an integer >= 1, got ${evaluateEvery}`);
    best?.save();
    // The last good state, on the GPU: rolled back to if training stops at a NaN or infinite value.
    session.saveCheckpoint();
    while (session.steps < steps) {
      const progress = await session.run(Math.min(evaluateEvery, steps - session.steps));
      if (cancelled()) throw new DestroyedError(`the model was destroyed during fit (at step ${session.steps})`);
      const monitored = progress.validationLoss ?? progress.loss;
      if (session.halted || !Number.isFinite(monitored)) {
        const what = session.halted
          ? `the ${session.halted.quantity} became NaN or infinite at step ${session.halted.step}`
          : `the validation loss became ${monitored} at step ${session.steps}`;
        const back = session.restoreCheckpoint();
        throw new MixdenError(
          `training stopped: ${what}. The weights and optimiser state were rolled back to step ${back}. ` +
            'Try a lower learning rate, gradient clipping (clipNorm), or a σ that cannot collapse (sigma: elu1, or a sigmaPenalty).',
        );
      }
      session.saveCheckpoint();
      history.push(progress);
      const mirrorEvery = options.mirrorEvery ?? 1;
      if (mirrorEvery > 0 && history.length % mirrorEvery === 0) await mirror(session.steps);
      options.onProgress?.(progress);
      if (monitored < bestLoss - (options.minDelta ?? 0)) {
        bestLoss = monitored;
        bestStep = session.steps;
        sinceBest = 0;
        sincePlateau = 0;
        best?.save();
        continue;
      }
      sinceBest++;
      sincePlateau++;
      if (plateau && sincePlateau >= plateau.patience) {
        session.learningRate = Math.max(plateau.minLearningRate ?? 1e-6, session.learningRate * (plateau.factor ?? 0.5));
        sincePlateau = 0;
      }
      if (early && sinceBest >= early.patience) {
        stoppedEarly = true;
        break;
      }
    }
    best?.restore();
    const last = history[history.length - 1];
    return {
      steps: session.steps,
      loss: last.loss,
      validationLoss: last.validationLoss,
      bestStep: best ? bestStep : session.steps,
      stoppedEarly,
      seconds: (performance.now() - started) / 1000,
      history,
    };
  } finally {
    session.destroy();
    best?.destroy();
  }
}
