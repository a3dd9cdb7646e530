// Column scalers fitted on training data. Targets may also be log-transformed first (for positive,
// skewed targets such as prices). Densities of scaled targets convert back to original units through the
// log-Jacobian, so reported NLLs compare with other tools.
import { InvalidArgumentError } from '../../runtime/errors.js';

export type ScalerKind = 'zscore' | 'minmax' | 'none';

export interface Scaler {
  readonly kind: ScalerKind;
  readonly log: boolean;
  /** Per column: scaled = (transformed − shift) / scale. */
  readonly shift: readonly number[];
  readonly scale: readonly number[];
}

/**
 * Fits a scaler to `values` (rows x cols). `log` takes the natural log of each value first (all must be > 0).
 * @example
 * const yScaler = fitScaler(y, 1, 'zscore', { log: true });
 */
export function fitScaler(values: ArrayLike<number>, cols: number, kind: ScalerKind, options: { log?: boolean } = {}): Scaler {
  const log = options.log ?? false;
  const rows = values.length / cols;
  if (!Number.isInteger(rows) || rows < 1) throw new InvalidArgumentError(`values must hold whole rows of ${cols}, got ${values.length} values`);
  const transformed = log ? logOf(values) : Float64Array.from(values);
  const shift: number[] = [];
  const scale: number[] = [];
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    let low = Infinity;
    let high = -Infinity;
    for (let r = 0; r < rows; r++) {
      const v = transformed[r * cols + c];
      sum += v;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
    const mean = sum / rows;
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += (transformed[r * cols + c] - mean) ** 2;
    if (kind === 'zscore') {
      shift.push(mean);
      scale.push(Math.sqrt(squares / rows) || 1);
    } else if (kind === 'minmax') {
      shift.push(low);
      scale.push(high - low || 1);
    } else {
      shift.push(0);
      scale.push(1);
    }
  }
  return { kind, log, shift, scale };
}

function logOf(values: ArrayLike<number>): Float64Array {
  return Float64Array.from(values, (v, i) => {
    if (!(v > 0)) throw new InvalidArgumentError(`a log transform needs positive values; value ${i} is ${v}`);
    return Math.log(v);
  });
}

/** Scales `values` (rows x cols) with a fitted scaler. */
export function applyScaler(s: Scaler, values: ArrayLike<number>): Float64Array {
  const cols = s.shift.length;
  const transformed = s.log ? logOf(values) : Float64Array.from(values);
  return transformed.map((v, i) => (v - s.shift[i % cols]) / s.scale[i % cols]);
}

/** The inverse of applyScaler. */
export function invertScaler(s: Scaler, scaled: ArrayLike<number>): Float64Array {
  const cols = s.shift.length;
  return Float64Array.from(scaled, (v, i) => {
    const t = v * s.scale[i % cols] + s.shift[i % cols];
    return s.log ? Math.exp(t) : t;
  });
}

/**
 * log |d scaled / d original| for each row of original values `y` (rows x cols). By the change of variables,
 * log p(y) = log p(scaled) + this, so an NLL in original units is the NLL of the scaled targets minus it.
 * @example
 * const nllOriginal = nllScaled - logJacobianOf(yScaler, y)[0];
 */
export function logJacobianOf(s: Scaler, y: ArrayLike<number>): Float64Array {
  const cols = s.shift.length;
  const rows = y.length / cols;
  const base = -s.scale.reduce((sum, v) => sum + Math.log(v), 0);
  return Float64Array.from({ length: rows }, (_, r) => {
    let j = base;
    if (s.log) for (let c = 0; c < cols; c++) j -= Math.log(y[r * cols + c]);
    return j;
  });
}
