// Training that goes on across calls: the rows split into training and validation, scaled for the trainer
// where the model scales, and one trainer whose Adam state lasts between runs. Behind fit (src/mdn/fit.ts) and
// Mdn.trainingSession.
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { type MdnArchitecture, targetWidth } from './architecture.js';
import { checkSideTargets } from './heads/sideOutputs.js';
import { MdnTrainer } from './trainer.js';
import type { MdnPredictor } from './predictor.js';
import { applyScaler, logJacobianOf } from './data/scaler.js';
import { type ModelScaling, applyTargetScaler, leadingColumns } from './scaling.js';
import { checkInteger, checkNumber, checkOptionKeys, checkSeed, rowsOf } from './arguments.js';
import type { FitOptions, FitProgress } from './fit.js';

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
    train: { x: xs.subarray(0, cut * arch.inputDim), y: ys.subarray(0, cut * targetWidth(arch)), rows: cut },
    validation: { x: xs.subarray(cut * arch.inputDim), y: ys.subarray(cut * targetWidth(arch)), rows: rows - cut },
  };
}

const meanNll = (logDensity: Float32Array) => -logDensity.reduce((a, b) => a + b, 0) / logDensity.length;

/** What training works on: the GPU, the architecture, its parameter arena, and a predictor over it (for validation). */
export interface TrainingTarget {
  readonly gpu: GpuContext;
  readonly architecture: MdnArchitecture;
  readonly parameters: Arena;
  /** Scores the validation rows (in original units). */
  readonly predictor: MdnPredictor;
  /** The model's fitted scalers: training rows are scaled for the trainer, and its losses reported in original units. */
  readonly scaling?: ModelScaling;
}


export const SESSION_OPTION_KEYS = ['batchSize', 'seed', 'learningRate', 'beta1', 'beta2', 'weightDecay', 'clipNorm', 'sigmaPenalty', 'validationSplit', 'validationData', 'mirrorEvery'] as const;

// The option values fit and trainingSession share, checked once here with the names users wrote; returns the
// validation data's rows, if given.
function checkSessionOptions(options: SessionOptions, arch: MdnArchitecture): { x: Float64Array; y: Float64Array } | undefined {
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
  if (o.validationData === undefined) return undefined;
  checkOptionKeys('validationData', o.validationData, ['x', 'y']);
  const x = rowsOf('validationData.x', o.validationData.x, arch.inputDim);
  const y = rowsOf('validationData.y', o.validationData.y, targetWidth(arch), x.length / arch.inputDim);
  checkSideTargets('validationData.y', arch, y);
  return { x, y };
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
    private readonly predictor: MdnPredictor,
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
    const validationData = checkSessionOptions(options, arch);
    const split = options.validationSplit ?? 0;
    const xs = x instanceof Float64Array ? x : Float64Array.from(x);
    const ys = y instanceof Float64Array ? y : Float64Array.from(y);
    // The trainer works on scaled rows; validation goes through the predictor, which takes original units.
    const columns = targetWidth(arch);
    const { train, validation: heldScaled } = splitRows(scaling ? applyScaler(scaling.x, xs) : xs, scaling ? applyTargetScaler(scaling.y, ys, columns) : ys, arch, split);
    const cut = train.rows;
    const jacobian = scaling ? logJacobianOf(scaling.y, leadingColumns(ys.subarray(0, cut * columns), arch.outputDim, columns)) : undefined;
    const lossOffset = jacobian ? -jacobian.reduce((a, b) => a + b, 0) / jacobian.length : 0;
    const validation = validationData ?? (heldScaled && { x: xs.subarray(cut * arch.inputDim), y: ys.subarray(cut * columns) });
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
    const validationLoss = this.validation ? meanNll(await this.predictor.logProb(this.validation.x, this.validation.y)) : undefined;
    return { step: this.trainer.steps, epoch: this.trainer.steps / this.stepsPerEpoch, loss: record.loss + this.lossOffset, validationLoss, learningRate: this.trainer.learningRate };
  }

  /** Frees the session's GPU buffers (the model's weights stay). */
  destroy(): void {
    this.trainer.destroy();
  }
}


/** A model's training session: see `Mdn.trainingSession`. */
export interface ModelTrainingSession {
  readonly steps: number;
  learningRate: number;
  run(steps: number): Promise<FitProgress>;
  destroy(): void;
}

/** The handle Mdn.trainingSession returns: each run waits its turn in the model's queue of calls. */
export function sessionHandle(session: TrainingSession, serial: <T>(run: () => Promise<T>) => Promise<T>): ModelTrainingSession {
  return {
    get steps() {
      return session.steps;
    },
    get learningRate() {
      return session.learningRate;
    },
    set learningRate(value: number) {
      session.learningRate = value;
    },
    run: (steps: number) => serial(() => session.run(steps)),
    destroy: () => session.destroy(),
  };
}
