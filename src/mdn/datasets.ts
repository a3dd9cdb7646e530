// Built-in problems from the seed documents, and column standardisation.
import { Random } from './random.js';

export interface Dataset {
  /** rows x inputDim, row-major. */
  readonly x: Float64Array;
  /** rows x outputDim, row-major. */
  readonly y: Float64Array;
  readonly rows: number;
  readonly inputDim: number;
  readonly outputDim: number;
}

/**
 * The inverse-sine problem: y ~ U(-10.5, 10.5), x = 7 sin(0.75 y) + 0.5 y + N(0, 1). Predicting y from x is
 * multi-valued, the case a plain regression cannot fit.
 * @example
 * const { x, y } = inverseSine(1000, 0);
 */
export function inverseSine(rows = 1000, seed = 0): Dataset {
  const random = new Random(seed);
  const y = random.fill(rows, (r) => r.range(-10.5, 10.5));
  const x = y.map((v) => 7 * Math.sin(0.75 * v) + 0.5 * v + random.normal());
  return { x, y, rows, inputDim: 1, outputDim: 1 };
}

export interface Standardized {
  readonly values: Float64Array;
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/**
 * Z-scores each column (population standard deviation; a constant column keeps std 1).
 * @example
 * const { values, mean, std } = standardize(data.y, data.rows, 1);
 */
export function standardize(values: ArrayLike<number>, rows: number, cols: number): Standardized {
  const mean = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += values[r * cols + c];
    mean[c] = sum / rows;
    let sq = 0;
    for (let r = 0; r < rows; r++) sq += (values[r * cols + c] - mean[c]) ** 2;
    std[c] = Math.sqrt(sq / rows) || 1;
  }
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = (values[r * cols + c] - mean[c]) / std[c];
  return { values: out, mean, std };
}

/** Adding this to a mean NLL of standardised targets gives the NLL in the targets' original units. */
export const logJacobian = (std: ArrayLike<number>): number => Array.from(std).reduce((sum, s) => sum + Math.log(s), 0);
