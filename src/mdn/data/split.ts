// A seeded train/test split of rows.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { Random } from '../random.js';

/**
 * Shuffles row indices with `seed` and holds out `testFraction` of them for testing.
 * @example
 * const { train, test } = splitIndices(1000, 0.2, 1); // 800 and 200 indices
 */
export function splitIndices(rows: number, testFraction: number, seed: number): { train: number[]; test: number[] } {
  if (!(testFraction > 0 && testFraction < 1)) throw new InvalidArgumentError(`the test fraction must lie strictly between 0 and 1, got ${testFraction}`);
  const held = Math.round(rows * testFraction);
  if (held < 1 || held >= rows) throw new InvalidArgumentError(`a test fraction of ${testFraction} leaves ${rows - held} training and ${held} test rows`);
  const order = Array.from({ length: rows }, (_, i) => i);
  const random = new Random(seed);
  for (let i = rows - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return { train: order.slice(held), test: order.slice(0, held) };
}

/** The given rows of a row-major matrix. */
export function takeRows(values: ArrayLike<number>, cols: number, rows: readonly number[]): Float64Array {
  const out = new Float64Array(rows.length * cols);
  rows.forEach((r, i) => {
    for (let c = 0; c < cols; c++) out[i * cols + c] = values[r * cols + c];
  });
  return out;
}
