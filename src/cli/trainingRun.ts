// What `train` and `report` share: their options, the data (a CSV file or a built-in problem), the split, the
// scalers, training an MDN with progress, and NLLs in the original units of y.
import { parseArgs } from 'node:util';
import type { GpuContext } from '../runtime/device.js';
import { MixdenError } from '../runtime/errors.js';
import { type Mdn, createMdn } from '../mdn/model.js';
import type { FitResult } from '../mdn/fit.js';
import { BUILT_IN_DATASETS } from '../mdn/datasets.js';
import { type Scaler, type ScalerKind, applyScaler, fitScaler, logJacobianOf } from '../mdn/data/scaler.js';
import { splitIndices, takeRows } from '../mdn/data/split.js';
import { ACTIVATIONS, type Activation } from '../shaders/activation.wgsl.js';
import { SIGMA_ACTIVATIONS, type SigmaActivation } from '../shaders/sigma.wgsl.js';
import { columnList, readColumns } from './modelData.js';
import { progressReporter } from './progress.js';

export const DATA_USAGE = `(--data file.csv --x colA,colB --y colC | --dataset ${Object.keys(BUILT_IN_DATASETS).join('|')} [--rows N])
        [--test test.csv | --test-fraction 0.2] [--hidden 32,32] [--activation tanh] [--components 5] [--sigma softplus]
        [--steps 3000 | --epochs N] [--batch full|N] [--lr 0.001] [--seed 1] [--scale zscore|minmax|none] [--y-log]`;

const OPTIONS = {
  data: { type: 'string' },
  dataset: { type: 'string' },
  rows: { type: 'string' },
  x: { type: 'string' },
  y: { type: 'string' },
  test: { type: 'string' },
  'test-fraction': { type: 'string' },
  hidden: { type: 'string', default: '32,32' },
  activation: { type: 'string', default: 'tanh' },
  components: { type: 'string', default: '5' },
  sigma: { type: 'string', default: 'softplus' },
  steps: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string', default: 'full' },
  lr: { type: 'string', default: '0.001' },
  seed: { type: 'string', default: '1' },
  scale: { type: 'string', default: 'zscore' },
  'y-log': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export interface Split {
  readonly x: Float64Array;
  readonly y: Float64Array;
}

export interface TrainingRun {
  readonly source: string;
  readonly xColumns: readonly string[];
  readonly yColumns: readonly string[];
  readonly train: Split;
  readonly test: Split;
  readonly xScaler: Scaler;
  readonly yScaler: Scaler;
  readonly json: boolean;
  readonly seed: number;
  readonly model: { hidden: number[]; activation: Activation; components: number; sigma: SigmaActivation };
  readonly fit: { steps: number; batchSize: number | 'full'; learningRate: number };
}

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new MixdenError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

export function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new MixdenError(`--${flag} must be a positive integer, got '${value}'`);
  return n;
}

/** Parses the shared options (plus `extra`) and prepares data, split and scalers. */
export async function prepareRun<E extends Record<string, { type: 'string' | 'boolean'; default?: string | boolean }>>(argv: string[], extra: E) {
  const { values } = parseArgs({ args: argv, options: { ...OPTIONS, ...extra } });
  const o = values as Record<string, string | boolean | undefined>;
  const text = (k: string) => o[k] as string | undefined;
  if (o.test && o['test-fraction']) throw new MixdenError('give --test or --test-fraction, not both');
  if (o.steps && o.epochs) throw new MixdenError('give --steps or --epochs, not both');
  if (Boolean(o.data) === Boolean(o.dataset)) throw new MixdenError('give --data file.csv (with --x and --y) or --dataset name');
  const seed = Number(o.seed);
  let source: string;
  let xColumns: string[];
  let yColumns: string[];
  let all: Split;
  if (o.dataset) {
    const make = BUILT_IN_DATASETS[text('dataset')!];
    if (!make) throw new MixdenError(`--dataset must be one of ${Object.keys(BUILT_IN_DATASETS).join(', ')}, got '${o.dataset}'`);
    const d = make(o.rows ? positiveInteger('rows', text('rows')!) : undefined);
    source = `the built-in ${o.dataset} problem`;
    xColumns = ['x'];
    yColumns = ['y'];
    all = { x: d.x, y: d.y };
  } else {
    source = text('data')!;
    xColumns = columnList('x', text('x'));
    yColumns = columnList('y', text('y'));
    const [x, y] = await readColumns(source, xColumns, yColumns);
    all = { x, y };
  }
  let train: Split;
  let test: Split;
  if (o.test) {
    train = all;
    const [x, y] = await readColumns(text('test')!, xColumns, yColumns);
    test = { x, y };
  } else {
    const rows = all.x.length / xColumns.length;
    const parts = splitIndices(rows, Number(o['test-fraction'] ?? 0.2), seed);
    train = { x: takeRows(all.x, xColumns.length, parts.train), y: takeRows(all.y, yColumns.length, parts.train) };
    test = { x: takeRows(all.x, xColumns.length, parts.test), y: takeRows(all.y, yColumns.length, parts.test) };
  }
  const scale = choice<ScalerKind>('scale', text('scale')!, ['zscore', 'minmax', 'none']);
  const trainRows = train.x.length / xColumns.length;
  const batchSize = o.batch === 'full' ? ('full' as const) : positiveInteger('batch', text('batch')!);
  const stepsPerEpoch = batchSize === 'full' ? 1 : Math.floor(trainRows / batchSize);
  const learningRate = Number(o.lr);
  if (!(learningRate > 0)) throw new MixdenError(`--lr must be a positive number, got '${o.lr}'`);
  const run: TrainingRun = {
    source,
    xColumns,
    yColumns,
    train,
    test,
    xScaler: fitScaler(train.x, xColumns.length, scale),
    yScaler: fitScaler(train.y, yColumns.length, scale, { log: o['y-log'] === true }),
    json: o.json === true,
    seed,
    model: {
      hidden: text('hidden')!.split(',').map((h) => positiveInteger('hidden', h)),
      activation: choice<Activation>('activation', text('activation')!, ACTIVATIONS),
      components: positiveInteger('components', text('components')!),
      sigma: choice<SigmaActivation>('sigma', text('sigma')!, SIGMA_ACTIVATIONS),
    },
    fit: {
      steps: o.epochs ? positiveInteger('epochs', text('epochs')!) * stepsPerEpoch : o.steps ? positiveInteger('steps', text('steps')!) : 3000,
      batchSize,
      learningRate,
    },
  };
  return { run, values: o };
}

/** Scaled inputs and targets of a split. */
export const scaled = (run: TrainingRun, s: Split) => ({ x: applyScaler(run.xScaler, s.x), y: applyScaler(run.yScaler, s.y) });

/** Mean NLL per row in original units, from the log-densities of the scaled targets. */
export function originalUnitsNll(run: TrainingRun, scaledLogDensity: ArrayLike<number>, originalY: ArrayLike<number>): number {
  const jacobian = logJacobianOf(run.yScaler, originalY);
  let total = 0;
  for (let i = 0; i < scaledLogDensity.length; i++) total -= scaledLogDensity[i] + jacobian[i];
  return total / scaledLogDensity.length;
}

/** Converts a mean NLL of scaled targets to original units. */
export function toOriginalUnits(run: TrainingRun, scaledNll: number, originalY: ArrayLike<number>): number {
  const jacobian = logJacobianOf(run.yScaler, originalY);
  return scaledNll - jacobian.reduce((a, b) => a + b, 0) / jacobian.length;
}

/** Trains the run's MDN, with progress on stderr; returns it with its train and test NLLs in original units. */
export async function trainRun(gpu: GpuContext, run: TrainingRun, log: (line: string) => void): Promise<{ model: Mdn; result: FitResult; trainNll: number; testNll: number; seconds: number }> {
  log(`mixden: WebGPU adapter ${gpu.adapterDescription}${gpu.isSoftwareAdapter ? ' (software: no GPU found, running on the CPU through SwiftShader)' : ''}`);
  log(`training on ${run.train.x.length / run.xColumns.length} rows of ${run.source}, testing on ${run.test.x.length / run.xColumns.length}: x = ${run.xColumns.join(', ')}; y = ${run.yColumns.join(', ')}`);
  const model = await createMdn({ inputDim: run.xColumns.length, outputDim: run.yColumns.length, ...run.model, seed: run.seed, gpu });
  const progress = progressReporter();
  const total = run.fit.steps;
  const started = performance.now();
  const train = scaled(run, run.train);
  const result = await model.fit(train.x, train.y, {
    ...run.fit,
    seed: run.seed,
    evaluateEvery: Math.max(1, Math.min(100, Math.ceil(total / 50))),
    onProgress: (p) => progress.update(p.step, total, `loss ${p.loss.toFixed(4)} (scaled units)`),
  });
  progress.done();
  const seconds = (performance.now() - started) / 1000;
  const test = scaled(run, run.test);
  const trainNll = originalUnitsNll(run, await model.logProb(train.x, train.y), run.train.y);
  const testNll = originalUnitsNll(run, await model.logProb(test.x, test.y), run.test.y);
  return { model, result, trainNll, testNll, seconds };
}
