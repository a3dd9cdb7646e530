// Training a model on data: Adam on full batches or on minibatches reshuffled on the GPU every epoch,
// evaluated every `evaluateEvery` steps (the only readbacks),
// with a validation set or split, early stopping that restores the best weights, and a reduce-on-plateau
// learning-rate schedule (Keras' callbacks, by the same names).
import { DestroyedError, InvalidArgumentError, MixdenError } from '../runtime/errors.js';
import { BufferSnapshot } from '../runtime/transfer.js';
import { type Rows, checkInteger, checkNumber, checkOptionKeys } from './arguments.js';
import { SESSION_OPTION_KEYS, type TrainingTarget, TrainingSession } from './trainingSession.js';

export { type SessionOptions, TrainingSession, type TrainingTarget, trainingRowCount, SESSION_OPTION_KEYS } from './trainingSession.js';

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

const FIT_OPTION_KEYS = [...SESSION_OPTION_KEYS, 'steps', 'epochs', 'evaluateEvery', 'minDelta', 'earlyStopping', 'reduceLrOnPlateau', 'onProgress'] as const;
// Every option of FitOptions is listed above (a new option that is not fails to compile here).
const everyFitOption: Exclude<keyof FitOptions, (typeof FIT_OPTION_KEYS)[number]> extends never ? true : never = true;
void everyFitOption;

/** fit's own options, checked and resolved once (the session's are resolved by TrainingSession.create). */
interface FitPlan {
  readonly steps: number;
  readonly evaluateEvery: number;
  readonly minDelta: number;
  readonly mirrorEvery: number;
  readonly early?: { readonly patience: number; readonly restoreBestWeights: boolean };
  readonly plateau?: { readonly patience: number; readonly factor: number; readonly minLearningRate: number };
  readonly onProgress?: (progress: FitProgress) => void;
}

// Checks fit's own options (before anything is allocated for the session).
function checkFitOptions(options: FitOptions): void {
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
}

// The plan for this session's sizes (an epoch's steps depend on the rows it trains on).
function resolveFitPlan(options: FitOptions, session: TrainingSession): FitPlan {
  const minibatch = typeof options.batchSize === 'number' && options.batchSize < session.rows;
  const steps = options.epochs !== undefined ? options.epochs * session.stepsPerEpoch : (options.steps ?? 1000);
  const evaluateEvery = options.evaluateEvery ?? (minibatch ? session.stepsPerEpoch : 100);
  if (!Number.isInteger(steps) || steps < 1) throw new InvalidArgumentError(`steps must be an integer >= 1, got ${steps}`);
  if (!Number.isInteger(evaluateEvery) || evaluateEvery < 1) throw new InvalidArgumentError(`evaluateEvery must be an integer >= 1, got ${evaluateEvery}`);
  const { earlyStopping: early, reduceLrOnPlateau: plateau } = options;
  return {
    steps,
    evaluateEvery,
    minDelta: options.minDelta ?? 0,
    mirrorEvery: options.mirrorEvery ?? 1,
    ...(early ? { early: { patience: early.patience, restoreBestWeights: early.restoreBestWeights !== false } } : {}),
    ...(plateau ? { plateau: { patience: plateau.patience, factor: plateau.factor ?? 0.5, minLearningRate: plateau.minLearningRate ?? 1e-6 } } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  };
}

/**
 * The fit loop behind `Mdn.fit`: one training session, evaluated every `evaluateEvery` steps, with the
 * schedules. The model is told of each evaluation by `mirror` (it copies the weights to the CPU at the steps
 * mirrorEvery picks) and is asked by `cancelled` whether it was destroyed meanwhile.
 */
export async function fitParameters(
  target: TrainingTarget,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: FitOptions,
  mirror: (step: number) => Promise<void> = async () => {},
  cancelled: () => boolean = () => false,
): Promise<FitResult> {
  checkFitOptions(options);
  const { gpu, parameters } = target;
  const session = await TrainingSession.create(target, x, y, options);
  let plan: FitPlan;
  try {
    plan = resolveFitPlan(options, session);
  } catch (error) {
    session.destroy();
    throw error;
  }
  const { steps, evaluateEvery, early, plateau } = plan;
  // The best weights so far, kept on the GPU: a buffer copy per improvement, no readback.
  const best = early?.restoreBestWeights ? new BufferSnapshot(gpu, [parameters.buffer], 'best parameters') : undefined;
  const history: FitProgress[] = [];
  const started = performance.now();
  let bestLoss = Infinity;
  let bestStep = 0;
  let sinceBest = 0;
  let sincePlateau = 0;
  let stoppedEarly = false;
  try {
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
      if (plan.mirrorEvery > 0 && history.length % plan.mirrorEvery === 0) await mirror(session.steps);
      plan.onProgress?.(progress);
      if (monitored < bestLoss - plan.minDelta) {
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
        session.learningRate = Math.max(plateau.minLearningRate, session.learningRate * plateau.factor);
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
