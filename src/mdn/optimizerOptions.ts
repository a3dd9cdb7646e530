// Optimiser settings as users give them, with defaults filled in and checked.
import { InvalidArgumentError } from '../runtime/errors.js';

export interface AdamOptions {
  readonly kind: 'adam';
  readonly learningRate: number;
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  /** Decoupled weight decay (AdamW); 0 for plain Adam. */
  readonly weightDecay?: number;
}

export interface SgdOptions {
  readonly kind: 'sgd';
  readonly learningRate: number;
  readonly momentum?: number;
  readonly weightDecay?: number;
}

export type OptimizerOptions = AdamOptions | SgdOptions;

export type ResolvedOptimizer =
  | { kind: 'adam'; learningRate: number; beta1: number; beta2: number; epsilon: number; weightDecay: number }
  | { kind: 'sgd'; learningRate: number; momentum: number; weightDecay: number };

function check(name: string, value: number, low: number, high: number): number {
  if (!(Number.isFinite(value) && value >= low && value < high)) {
    throw new InvalidArgumentError(`${name} must be a finite number in [${low}, ${high}), got ${value}`);
  }
  return value;
}

/** Fills defaults (Adam: beta1 0.9, beta2 0.999, epsilon 1e-7 as in Keras) and validates. */
export function resolveOptimizer(options: OptimizerOptions): ResolvedOptimizer {
  const learningRate = check('learningRate', options.learningRate, 0, Infinity);
  const weightDecay = check('weightDecay', options.weightDecay ?? 0, 0, Infinity);
  if (options.kind === 'adam') {
    return {
      kind: 'adam',
      learningRate,
      beta1: check('beta1', options.beta1 ?? 0.9, 0, 1),
      beta2: check('beta2', options.beta2 ?? 0.999, 0, 1),
      epsilon: check('epsilon', options.epsilon ?? 1e-7, 0, Infinity),
      weightDecay,
    };
  }
  if (options.kind === 'sgd') return { kind: 'sgd', learningRate, momentum: check('momentum', options.momentum ?? 0, 0, 1), weightDecay };
  throw new InvalidArgumentError(`optimizer kind must be 'adam' or 'sgd', got '${(options as { kind: unknown }).kind}'`);
}
