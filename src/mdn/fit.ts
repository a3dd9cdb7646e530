// Training a model on data: Adam on full batches or on minibatches reshuffled on the GPU every epoch,
// evaluated every `evaluateEvery` steps (the only readbacks),
// with a validation set or split, early stopping that restores the best weights, and a reduce-on-plateau
// learning-rate schedule (Keras' callbacks, by the same names).
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { InvalidArgumentError, MixdenError } from '../runtime/errors.js';
import type { MdnArchitecture } from './architecture.js';
import { MdnTrainer } from './trainer.js';
import type { MdnPredictor } from './predictor.js';

export interface FitOptions {
  /** Rows per step: 'full' (default) or a number; minibatches are reshuffled on the GPU every epoch. */
  readonly batchSize?: number | 'full';
  /** Optimiser steps (default 1000, unless `epochs` is given). */
  readonly steps?: number;
  /** Passes over the training data (each floor(rows / batchSize) steps); instead of `steps`. */
  readonly epochs?: number;
  /** Seed of the minibatch order (default 0): the same seed, data and weights train to the same result. */
  readonly seed?: number;
  readonly learningRate?: number;
  readonly beta1?: number;
  readonly beta2?: number;
  /** Decoupled weight decay (AdamW). */
  readonly weightDecay?: number;
  /** Clip the gradient to this global L2 norm before each update. */
  readonly clipNorm?: number;
  /** λ of an L2 penalty λ Σ s² on the σ pre-activations, per row; reported losses include it. */
  readonly sigmaPenalty?: number;
  /** Steps between evaluations (loss readback, validation, callbacks, schedules); default 100, or one epoch with minibatches. */
  readonly evaluateEvery?: number;
  /** Hold out this fraction of the rows (the last ones, as Keras does) for validation. */
  readonly validationSplit?: number;
  readonly validationData?: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> };
  /** An evaluation improves on the best only by more than this (default 0); early stopping and the schedule both use it. */
  readonly minDelta?: number;
  /** Stop after `patience` evaluations without improvement of the monitored loss (validation if any). */
  readonly earlyStopping?: { readonly patience: number; readonly restoreBestWeights?: boolean };
  /** Multiply the learning rate by `factor` after `patience` evaluations without improvement. */
  readonly reduceLrOnPlateau?: { readonly patience: number; readonly factor?: number; readonly minLearningRate?: number };
  readonly onProgress?: (progress: FitProgress) => void;
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

function splitRows(x: ArrayLike<number>, y: ArrayLike<number>, arch: MdnArchitecture, validationSplit: number): { train: Split; validation?: Split } {
  const rows = x.length / arch.inputDim;
  const xs = Float32Array.from(x);
  const ys = Float32Array.from(y);
  if (!validationSplit) return { train: { x: xs, y: ys, rows } };
  const held = Math.round(rows * validationSplit);
  if (held < 1 || held >= rows) throw new InvalidArgumentError(`validationSplit ${validationSplit} leaves ${rows - held} training and ${held} validation rows`);
  const cut = rows - held;
  return {
    train: { x: xs.subarray(0, cut * arch.inputDim), y: ys.subarray(0, cut * arch.outputDim), rows: cut },
    validation: { x: xs.subarray(cut * arch.inputDim), y: ys.subarray(cut * arch.outputDim), rows: held },
  };
}

const meanNll = (logDensity: Float32Array) => -logDensity.reduce((a, b) => a + b, 0) / logDensity.length;

/** The fit loop behind `Mdn.fit`. */
export async function fitParameters(
  gpu: GpuContext,
  arch: MdnArchitecture,
  parameters: Arena,
  predictor: () => Promise<MdnPredictor>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: FitOptions,
): Promise<FitResult> {
  if (options.validationSplit !== undefined && options.validationData) throw new InvalidArgumentError('give validationSplit or validationData, not both');
  if (options.steps !== undefined && options.epochs !== undefined) throw new InvalidArgumentError('give steps or epochs, not both');
  const { train, validation: held } = splitRows(x, y, arch, options.validationSplit ?? 0);
  const validation = options.validationData ?? held;
  const batchSize = options.batchSize === undefined || options.batchSize === 'full' ? train.rows : options.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > train.rows) {
    throw new InvalidArgumentError(`batchSize must be 'full' or an integer from 1 to the ${train.rows} training rows, got ${options.batchSize}`);
  }
  const stepsPerEpoch = Math.floor(train.rows / batchSize);
  if (options.epochs !== undefined && !(Number.isInteger(options.epochs) && options.epochs >= 1)) {
    throw new InvalidArgumentError(`epochs must be an integer >= 1, got ${options.epochs}`);
  }
  const steps = options.epochs !== undefined ? options.epochs * stepsPerEpoch : (options.steps ?? 1000);
  const evaluateEvery = options.evaluateEvery ?? (batchSize < train.rows ? stepsPerEpoch : 100);
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError(`steps must be an integer >= 1, got ${steps}`);
  if (!Number.isInteger(evaluateEvery) || evaluateEvery < 1) throw new InvalidArgumentError(`evaluateEvery must be an integer >= 1, got ${evaluateEvery}`);
  const trainer = await MdnTrainer.create(gpu, arch, {
    rows: train.rows,
    batchSize,
    seed: options.seed ?? 0,
    clipNorm: options.clipNorm,
    sigmaPenalty: options.sigmaPenalty,
    parameters,
    optimizer: { kind: 'adam', learningRate: options.learningRate ?? 0.001, beta1: options.beta1, beta2: options.beta2, weightDecay: options.weightDecay },
  });
  const early = options.earlyStopping;
  const plateau = options.reduceLrOnPlateau;
  // The best weights so far, kept on the GPU: a buffer copy per improvement, no readback.
  const best = early && early.restoreBestWeights !== false
    ? gpu.device.createBuffer({ label: 'best parameters', size: parameters.buffer.size, usage: GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST })
    : undefined;
  const copy = (from: GPUBuffer, to: GPUBuffer) => {
    const encoder = gpu.device.createCommandEncoder({ label: 'keep best parameters' });
    encoder.copyBufferToBuffer(from, 0, to, 0, from.size);
    gpu.device.queue.submit([encoder.finish()]);
  };
  const history: FitProgress[] = [];
  const started = performance.now();
  let bestLoss = Infinity;
  let bestStep = 0;
  let sinceBest = 0;
  let sincePlateau = 0;
  let stoppedEarly = false;
  try {
    trainer.setData(train.x, train.y);
    if (best) copy(parameters.buffer, best);
    while (trainer.steps < steps) {
      const n = Math.min(evaluateEvery, steps - trainer.steps);
      const [record] = (await trainer.train(n, { lossEvery: n })).slice(-1);
      const validationLoss = validation ? meanNll(await (await predictor()).logProb(validation.x, validation.y)) : undefined;
      const progress: FitProgress = {
        step: trainer.steps,
        epoch: trainer.steps / stepsPerEpoch,
        loss: record.loss,
        validationLoss,
        learningRate: trainer.learningRate,
      };
      history.push(progress);
      options.onProgress?.(progress);
      const monitored = validationLoss ?? record.loss;
      if (!Number.isFinite(monitored)) {
        if (best) copy(best, parameters.buffer);
        throw new MixdenError(
          `training diverged at step ${trainer.steps}: the ${validationLoss === undefined ? 'training' : 'validation'} loss is ${monitored}` +
            `${best ? `; the weights were restored to step ${bestStep}` : ''}. Try a lower learning rate.`,
        );
      }
      if (monitored < bestLoss - (options.minDelta ?? 0)) {
        bestLoss = monitored;
        bestStep = trainer.steps;
        sinceBest = 0;
        sincePlateau = 0;
        if (best) copy(parameters.buffer, best);
        continue;
      }
      sinceBest++;
      sincePlateau++;
      if (plateau && sincePlateau >= plateau.patience) {
        trainer.learningRate = Math.max(plateau.minLearningRate ?? 1e-6, trainer.learningRate * (plateau.factor ?? 0.5));
        sincePlateau = 0;
      }
      if (early && sinceBest >= early.patience) {
        stoppedEarly = true;
        break;
      }
    }
    if (best) copy(best, parameters.buffer);
    const last = history[history.length - 1];
    return {
      steps: trainer.steps,
      loss: last.loss,
      validationLoss: last.validationLoss,
      bestStep: best ? bestStep : trainer.steps,
      stoppedEarly,
      seconds: (performance.now() - started) / 1000,
      history,
    };
  } finally {
    trainer.destroy();
    best?.destroy();
  }
}
