// Built-in problems described in the MDN literature, and column standardisation.
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

/**
 * Noisy spirals: `spirals` spirals of `perSpiral` points, t from 0 to 360 degrees, radius growing
 * with t, jitter U(-0.1, 0.1) on both coordinates, each spiral min-max scaled to [-5, 5]. Predicting y from x
 * has many answers for one x.
 * @example
 * const { x, y, rows } = noisySpiral(10, 1000, 1); // rows = 10,000
 */
export function noisySpiral(spirals = 10, perSpiral = 1000, seed = 1): Dataset {
  const random = new Random(seed);
  const rows = spirals * perSpiral;
  const x = new Float64Array(rows);
  const y = new Float64Array(rows);
  for (let s = 0; s < spirals; s++) {
    const xs = new Float64Array(perSpiral);
    const ys = new Float64Array(perSpiral);
    const x0 = random.range(-50, 50);
    const y0 = random.range(-50, 50);
    for (let i = 0; i < perSpiral; i++) {
      const t = (360 / perSpiral) * i;
      xs[i] = (t / 360) * Math.cos((t / 90) * Math.PI) * 5 + x0 + random.range(-0.1, 0.1);
      ys[i] = (t / 360) * Math.sin((t / 90) * Math.PI) * 5 + y0 + random.range(-0.1, 0.1);
    }
    const scale = (v: Float64Array) => {
      const low = Math.min(...v);
      const high = Math.max(...v);
      return v.map((e) => ((e - low) / (high - low)) * 10 - 5);
    };
    x.set(scale(xs), s * perSpiral);
    y.set(scale(ys), s * perSpiral);
  }
  return { x, y, rows, inputDim: 1, outputDim: 1 };
}

/**
 * Linear but heteroscedastic data: x ~ U(-10, 10), y = 0.5x + N(0, (0.2 + 0.3|x|)²).
 * @example
 * const d = heteroscedastic(1000, 2);
 */
export function heteroscedastic(rows = 1000, seed = 2): Dataset {
  const random = new Random(seed);
  const x = random.fill(rows, (r) => r.range(-10, 10));
  const y = x.map((v) => 0.5 * v + (0.2 + 0.3 * Math.abs(v)) * random.normal());
  return { x, y, rows, inputDim: 1, outputDim: 1 };
}

/**
 * Non-linear, heteroscedastic and bimodal data: x ~ U(-10, 10); y = 2 sin(x / 2), and where
 * |x| > 3 it splits into two branches ± 0.5|x| (equally likely), plus N(0, (0.2 + 0.05|x|)²) noise. At x = 8
 * the two branches are disjoint peaks about 8 apart.
 * @example
 * const d = bimodal(2000, 2);
 */
export function bimodal(rows = 2000, seed = 2): Dataset {
  const random = new Random(seed);
  const x = random.fill(rows, (r) => r.range(-10, 10));
  const y = x.map((v) => {
    const branch = Math.abs(v) > 3 ? (random.uniform() < 0.5 ? -1 : 1) * 0.5 * Math.abs(v) : 0;
    return 2 * Math.sin(v / 2) + branch + (0.2 + 0.05 * Math.abs(v)) * random.normal();
  });
  return { x, y, rows, inputDim: 1, outputDim: 1 };
}

// A Gamma(shape, 1) draw for shape >= 1 (Marsaglia and Tsang's squeeze method).
function gammaDraw(random: Random, shape: number): number {
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = random.normal();
    const v = (1 + c * z) ** 3;
    if (v <= 0) continue;
    const u = random.uniform();
    if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}

/**
 * Heavy-tailed noise: x ~ U(-5, 5), y = sin(x) + 0.3·t with t Student-t of 2.5 degrees of freedom (finite
 * variance, no finite fourth moment): the outliers a Gaussian likelihood pays dearly for.
 * @example
 * const d = heavyTailed(2000, 2);
 */
export function heavyTailed(rows = 2000, seed = 2): Dataset {
  const random = new Random(seed);
  const nu = 2.5;
  const x = random.fill(rows, (r) => r.range(-5, 5));
  // t = z / sqrt(χ²_ν / ν), χ²_ν = 2·Gamma(ν/2).
  const y = x.map((v) => Math.sin(v) + (0.3 * random.normal()) / Math.sqrt((2 * gammaDraw(random, nu / 2)) / nu));
  return { x, y, rows, inputDim: 1, outputDim: 1 };
}

/**
 * Correlated two-dimensional targets: x ~ U(-3, 3), y = (sin x, x/2) plus noise R(θ) diag(0.5, 0.08) z, z
 * standard normal, R(θ) the rotation by θ = πx/6: a narrow ellipse whose long axis turns from −90° to 90°
 * across x, so its two dimensions' correlation runs from 0 through ±1. Diagonal components can only tile it.
 * @example
 * const d = correlated(2000, 2); // d.y holds rows of (y1, y2)
 */
export function correlated(rows = 2000, seed = 2): Dataset {
  const random = new Random(seed);
  const x = random.fill(rows, (r) => r.range(-3, 3));
  const y = new Float64Array(rows * 2);
  x.forEach((v, i) => {
    const theta = (Math.PI * v) / 6;
    const a = 0.5 * random.normal();
    const b = 0.08 * random.normal();
    y[2 * i] = Math.sin(v) + Math.cos(theta) * a - Math.sin(theta) * b;
    y[2 * i + 1] = 0.5 * v + Math.sin(theta) * a + Math.cos(theta) * b;
  });
  return { x, y, rows, inputDim: 1, outputDim: 2 };
}

/** Column names of a data set: x and y where there is one of each, x1, x2, … and y1, y2, … otherwise. */
export function datasetColumns(d: Dataset): { x: string[]; y: string[] } {
  const names = (prefix: string, count: number) => (count === 1 ? [prefix] : Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`));
  return { x: names('x', d.inputDim), y: names('y', d.outputDim) };
}

/** The built-in problems by name, for the command line and the demo. */
/**
 * Angles that wrap around ±π: x ~ U(-3, 3), y = 2x + 0.35 z wrapped into (−π, π], z standard normal. The mean
 * direction turns twice around the circle, so at every x near ±1.57 and ±0.0 the targets fall on both sides of
 * the cut at ±π; von Mises components see one bump there, components on the line two halves.
 * @example
 * const d = angular(2000, 2);
 */
export function angular(rows = 2000, seed = 2): Dataset {
  const random = new Random(seed);
  const x = random.fill(rows, (r) => r.range(-3, 3));
  const y = x.map((v) => {
    const theta = 2 * v + 0.35 * random.normal();
    return theta - 2 * Math.PI * Math.ceil((theta - Math.PI) / (2 * Math.PI));
  });
  return { x, y, rows, inputDim: 1, outputDim: 1 };
}

export const BUILT_IN_DATASETS: Record<string, (rows?: number, seed?: number) => Dataset> = {
  'inverse-sine': inverseSine,
  spiral: (rows = 10_000, seed = 1) => noisySpiral(Math.max(1, Math.round(rows / 1000)), Math.min(rows, 1000), seed),
  heteroscedastic,
  bimodal,
  'heavy-tailed': heavyTailed,
  correlated,
  angular,
};
