// Checks of what users pass, done once at the API edge, with the conventions they bring from tfjs and numpy:
// data as flat arrays (typed or plain) or as nested rows; option objects whose unknown keys are refused with the
// nearest valid one; results that say their shape.
import { InvalidArgumentError } from '../runtime/errors.js';

/** Rows of numbers: flat row-major (`Float32Array`, `number[]`) or nested (`number[][]`, one array per row). */
export type Rows = ArrayLike<number> | readonly (readonly number[] | ArrayLike<number>)[];

/** A typed array that says its shape, e.g. [rows, n, D] for samples. */
export type Shaped<T> = T & { readonly shape: readonly number[] };

/** Attaches `shape` to a result. */
export function shaped<T extends Float32Array | Float64Array>(values: T, shape: readonly number[]): Shaped<T> {
  return Object.defineProperty(values, 'shape', { value: Object.freeze([...shape]), enumerable: false }) as Shaped<T>;
}

const describe = (v: unknown) => (typeof v === 'string' ? `'${v.length > 20 ? `${v.slice(0, 20)}…` : v}' (a string)` : Array.isArray(v) ? 'an array' : String(v));

/**
 * Flattens and checks `value` as rows of `columns` numbers (and `rows` rows where given). Errors name the
 * argument, row and column.
 */
export function rowsOf(name: string, value: Rows, columns: number, rows?: number): Float64Array {
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<unknown>).length !== 'number') {
    throw new InvalidArgumentError(`${name} must be an array of numbers (flat, row-major) or an array of rows, got ${value === null ? 'null' : typeof value}`);
  }
  const list = value as ArrayLike<unknown>;
  if (list.length === 0) throw new InvalidArgumentError(`${name} is empty`);
  const nested = typeof list[0] === 'object' && list[0] !== null;
  let flat: Float64Array;
  if (nested) {
    flat = new Float64Array(list.length * columns);
    for (let r = 0; r < list.length; r++) {
      const row = list[r] as ArrayLike<unknown>;
      if (row === null || typeof row !== 'object' || typeof row.length !== 'number') {
        throw new InvalidArgumentError(`${name}[${r}] is ${describe(row)}, not a row; give every row as an array, or ${name} as one flat array`);
      }
      if (row.length !== columns) throw new InvalidArgumentError(`${name}[${r}] has ${row.length} values; each row of ${name} needs ${columns}`);
      for (let c = 0; c < columns; c++) flat[r * columns + c] = numberAt(name, row[c], r, c);
    }
  } else {
    if (list.length % columns !== 0) throw new InvalidArgumentError(`${name} has ${list.length} values, not a whole number of rows of ${columns}`);
    flat = new Float64Array(list.length);
    for (let i = 0; i < list.length; i++) flat[i] = numberAt(name, list[i], Math.floor(i / columns), i % columns);
  }
  const found = flat.length / columns;
  if (rows !== undefined && found !== rows) throw new InvalidArgumentError(`${name} has ${found} rows, x has ${rows}`);
  return flat;
}

function numberAt(name: string, v: unknown, row: number, column: number): number {
  if (typeof v !== 'number') throw new InvalidArgumentError(`${name} at row ${row}, column ${column} is ${describe(v)}, not a number`);
  if (!Number.isFinite(v)) throw new InvalidArgumentError(`${name} has a non-finite value (${v}) at row ${row}, column ${column}`);
  if (Math.abs(v) > 3.4028234663852886e38) throw new InvalidArgumentError(`${name} at row ${row}, column ${column} is ${v}, beyond float32's range`);
  return v;
}

/** Edit distance, for "did you mean". */
function distance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0];
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j];
      previous[j] = Math.min(previous[j] + 1, previous[j - 1] + 1, diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length];
}

// Names users bring from other libraries, mapped to ours.
const SYNONYMS: Record<string, string> = { lr: 'learningRate', learning_rate: 'learningRate', batch: 'batchSize', batch_size: 'batchSize', k: 'components', numComponents: 'components', hiddenLayers: 'hidden', units: 'hidden' };

/** The candidate nearest to `name` (by edit distance, or a known synonym), where one is near enough. */
export function nearest(name: string, candidates: readonly string[]): string | undefined {
  const synonym = SYNONYMS[name] ?? SYNONYMS[name.replace(/^-+/, '')];
  if (synonym && candidates.includes(synonym)) return synonym;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = distance(name, c);
    if (d < bestDistance || (d === bestDistance && c.toLowerCase().startsWith(name.toLowerCase()))) {
      best = c;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(name.length / 3)) || (best && best.toLowerCase().startsWith(name.toLowerCase())) ? best : undefined;
}

/** Refuses keys of `options` outside `allowed`, naming the nearest valid one. */
export function checkOptionKeys(what: string, options: unknown, allowed: readonly string[]): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new InvalidArgumentError(`${what} must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const guess = nearest(key, allowed);
    throw new InvalidArgumentError(`${what} has no option '${key}'${guess ? `; did you mean '${guess}'?` : ''} (valid: ${allowed.join(', ')})`);
  }
}

/** A seed: an integer from 0 to 2^32 − 1. */
export function checkSeed(name: string, seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new InvalidArgumentError(`${name} must be an integer from 0 to 2^32 - 1, got ${describe(seed)}`);
  }
  return seed;
}

/** A fresh seed for calls given none: new draws each call, as numpy, PyTorch and TFP give. */
export function freshSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}

/** A number in [low, high] (`open` excludes the ends named). */
export function checkNumber(name: string, value: unknown, low: number, high: number, open: { low?: boolean; high?: boolean } = {}): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (open.low ? value > low : value >= low) && (open.high ? value < high : value <= high);
  if (!ok) throw new InvalidArgumentError(`${name} must be a finite number in ${open.low ? '(' : '['}${low}, ${high}${open.high ? ')' : ']'}, got ${describe(value)}`);
  return value as number;
}

/** An integer in [low, high]. */
export function checkBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new InvalidArgumentError(`${name} must be true or false, got ${describe(value)}`);
  return value;
}

export function checkInteger(name: string, value: unknown, low: number, high = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) {
    throw new InvalidArgumentError(`${name} must be an integer from ${low}${high === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${high}`}, got ${describe(value)}`);
  }
  return value;
}
