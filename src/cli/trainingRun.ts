// What `train` and `report` share: their options, the data (a CSV file or a built-in problem), the split, the
// scalers, training an MDN with progress, and NLLs in the original units of y.
import type { GpuContext } from '../runtime/device.js';
import { vulkanDriver } from '../host/node.js';
import { MixdenError } from '../runtime/errors.js';
import type { Mdn } from '../mdn/model.js';
import { createMdn } from '../mdn/createMdn.js';
import type { FitResult } from '../mdn/fit.js';
import { BUILT_IN_DATASETS, datasetColumns } from '../mdn/datasets.js';
import { type ScalerKind, applyScaler, logJacobianOf } from '../mdn/data/scaler.js';
import type { ModelScaling } from '../mdn/scaling.js';
import { checkOutputPath } from '../host/atomicFile.js';
import { type OptionSpec, integerOption, numberOption, parseCommandArgs, seedOption } from './args.js';
import { splitIndices, takeRows } from '../mdn/data/split.js';
import { ACTIVATIONS, type Activation, SIGMA_ACTIVATIONS, type SigmaActivation } from '../mdn/architecture.js';
import { INIT_SCHEMES, type InitScheme, LAYER_TEXT_FORMS, type LayerSpec, layersFromText } from '../mdn/layers/index.js';
import { HEAD_FAMILIES, type HeadFamilyName } from '../mdn/heads/index.js';
import { MAX_CLASSES, type SideOutputSpec, validateSideOutputs } from '../mdn/heads/sideOutputs.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { columnList, readColumns } from './modelData.js';

/** Most rows a built-in problem is made with (`--rows`). */
export const MAX_DATASET_ROWS = 1_000_000;
import { progressReporter } from './progress.js';

export const DATA_USAGE = `(--data file.csv --x colA,colB --y colC | --dataset ${Object.keys(BUILT_IN_DATASETS).join('|')} [--rows N <= ${MAX_DATASET_ROWS}])
        [--test test.csv | --test-fraction 0.2] [--hidden 32,32] [--activation tanh | --layers ${LAYER_TEXT_FORMS.join(',')}]
        [--family ${HEAD_FAMILIES.join('|')} [--degrees-of-freedom NU|learned]] [--components 5] [--sigma softplus]
        [--bernoulli colD,colE (0/1 columns)] [--categorical colF:C,colG:C (classes 0..C-1)]
        [--steps 3000 | --epochs N] [--batch full|N] [--lr 0.001] [--seed 1] [--init ${INIT_SCHEMES.join('|')}] [--scale zscore|minmax|none] [--y-log]`;

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
  layers: { type: 'string' },
  family: { type: 'string', default: 'gaussian' },
  'degrees-of-freedom': { type: 'string' },
  bernoulli: { type: 'string' },
  categorical: { type: 'string' },
  components: { type: 'string', default: '5' },
  sigma: { type: 'string', default: 'softplus' },
  steps: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string', default: 'full' },
  lr: { type: 'string', default: '0.001' },
  seed: { type: 'string', default: '1' },
  init: { type: 'string', default: 'glorot' },
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
  /** The continuous target columns. */
  readonly yColumns: readonly string[];
  /** The side outputs' columns (--bernoulli, then --categorical); each split's y carries them after yColumns. */
  readonly sideColumns: readonly string[];
  readonly train: Split;
  readonly test: Split;
  /** The scalers the model fits on the training rows (it then takes and returns original units). */
  readonly scale: { readonly x: ScalerKind; readonly y: ScalerKind; readonly logY: boolean };
  readonly json: boolean;
  readonly seed: number;
  /** The trunk: dense layers from --hidden and --activation, or --layers. */
  readonly model: ({ hidden: number[]; activation: Activation } | { layers: LayerSpec[] }) & {
    family: HeadFamilyName;
    degreesOfFreedom?: number | 'learned';
    sideOutputs?: SideOutputSpec[];
    init: InitScheme;
    components: number;
    sigma: SigmaActivation;
  };
  readonly fit: { steps: number; batchSize: number | 'full'; learningRate: number };
}

export function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new MixdenError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

export const positiveInteger = (flag: string, value: string): number => integerOption(flag, value, 1);

/**
 * Parses the shared options (plus `extra`), checks every path in `outputs` (flag names) can be written and is
 * not an input, before anything long happens, then reads the data and splits it.
 */
export async function prepareRun(command: string, usage: string, argv: string[], extra: OptionSpec, outputs: readonly string[] = []) {
  const { values: o } = parseCommandArgs(command, usage, argv, { ...(OPTIONS as OptionSpec), ...extra });
  const text = (k: string) => o[k] as string | undefined;
  if (o.test && o['test-fraction']) throw new MixdenError('give --test or --test-fraction, not both');
  if (o.steps && o.epochs) throw new MixdenError('give --steps or --epochs, not both');
  if (Boolean(o.data) === Boolean(o.dataset)) throw new MixdenError('give --data file.csv (with --x and --y) or --dataset name');
  const seed = seedOption(text('seed')!);
  for (const flag of outputs) if (typeof o[flag] === 'string') checkOutputPath(flag, o[flag] as string, [text('data'), text('test')]);
  let source: string;
  let xColumns: string[];
  let yColumns: string[];
  let all: Split;
  const sides = sideOutputOptions(text('bernoulli'), text('categorical'));
  if (o.dataset && sides.columns.length) throw new MixdenError('--bernoulli and --categorical name columns of --data, not of a built-in --dataset');
  if (o.dataset) {
    const make = BUILT_IN_DATASETS[text('dataset')!];
    if (!make) throw new MixdenError(`--dataset must be one of ${Object.keys(BUILT_IN_DATASETS).join(', ')}, got '${o.dataset}'`);
    const d = make(o.rows ? integerOption('rows', text('rows')!, 1, MAX_DATASET_ROWS) : undefined);
    source = `the built-in ${o.dataset} problem`;
    ({ x: xColumns, y: yColumns } = datasetColumns(d));
    all = { x: d.x, y: d.y };
  } else {
    source = text('data')!;
    xColumns = columnList('x', text('x'));
    yColumns = columnList('y', text('y'));
    const named = [...yColumns, ...sides.columns];
    const shared = xColumns.find((c) => named.includes(c));
    if (shared) throw new MixdenError(`column '${shared}' is named in both --x and ${yColumns.includes(shared) ? '--y' : '--bernoulli/--categorical'}; a model cannot predict its own input`);
    const twice = named.find((c, i) => named.indexOf(c) !== i);
    if (twice) throw new MixdenError(`column '${twice}' is named twice among --y, --bernoulli and --categorical`);
    const [x, y] = await readColumns(source, xColumns, named);
    checkSideColumns(source, y, yColumns.length, sides);
    all = { x, y };
  }
  const targetColumns = yColumns.length + sides.columns.length;
  let train: Split;
  let test: Split;
  if (o.test) {
    train = all;
    const [x, y] = await readColumns(text('test')!, xColumns, [...yColumns, ...sides.columns]);
    checkSideColumns(text('test')!, y, yColumns.length, sides);
    test = { x, y };
  } else {
    const rows = all.x.length / xColumns.length;
    const parts = splitIndices(rows, numberOption('test-fraction', text('test-fraction') ?? '0.2', 0, 1), seed);
    train = { x: takeRows(all.x, xColumns.length, parts.train), y: takeRows(all.y, targetColumns, parts.train) };
    test = { x: takeRows(all.x, xColumns.length, parts.test), y: takeRows(all.y, targetColumns, parts.test) };
  }
  const scale = choice<ScalerKind>('scale', text('scale')!, ['zscore', 'minmax', 'none']);
  if (o['y-log'] === true && text('family') !== 'gaussian') throw new MixdenError(`--y-log (log-normal components) is available with --family gaussian only, not ${text('family')}`);
  const trainRows = train.x.length / xColumns.length;
  const batchSize = o.batch === 'full' ? ('full' as const) : positiveInteger('batch', text('batch')!);
  const stepsPerEpoch = batchSize === 'full' ? 1 : Math.floor(trainRows / batchSize);
  const learningRate = numberOption('lr', text('lr')!, 0, 10, true);
  const run: TrainingRun = {
    source,
    xColumns,
    yColumns,
    sideColumns: sides.columns,
    train,
    test,
    // Angles are never scaled: that would break the circle.
    scale: { x: scale, y: text('family') === 'von-mises' ? 'none' : scale, logY: o['y-log'] === true },
    json: o.json === true,
    seed,
    model: {
      ...trunkOptions(argv, text),
      family: choice('family', text('family')!, HEAD_FAMILIES as readonly HeadFamilyName[]),
      ...degreesOfFreedomOption(text('family')!, text('degrees-of-freedom')),
      ...(sides.specs.length ? { sideOutputs: sides.specs } : {}),
      init: choice('init', text('init')!, INIT_SCHEMES),
      components: positiveInteger('components', text('components')!),
      sigma: choice<SigmaActivation>('sigma', text('sigma')!, SIGMA_ACTIVATIONS),
    },
    fit: {
      steps: o.epochs ? integerOption('epochs', text('epochs')!, 1, 1e6) * stepsPerEpoch : o.steps ? integerOption('steps', text('steps')!, 1, 1e7) : 3000,
      batchSize,
      learningRate,
    },
  };
  return { run, values: o };
}

// --bernoulli a,b and --categorical c:C,d:C: the side outputs' columns in that order, named after them where the
// name is one a model file keeps (letters, digits, '_', '.', '-').
export function sideOutputOptions(bernoulli: string | undefined, categorical: string | undefined): { columns: string[]; specs: SideOutputSpec[] } {
  const nameOf = (column: string) => (/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(column) ? { name: column } : {});
  const specs: SideOutputSpec[] = [];
  const columns: string[] = [];
  if (bernoulli !== undefined) {
    for (const column of columnList('bernoulli', bernoulli)) {
      columns.push(column);
      specs.push({ kind: 'bernoulli', ...nameOf(column) });
    }
  }
  if (categorical !== undefined) {
    for (const item of columnList('categorical', categorical)) {
      const at = item.lastIndexOf(':');
      if (at <= 0) throw new MixdenError(`--categorical takes column:classes (e.g. letter:26), got '${item}'`);
      const column = item.slice(0, at);
      columns.push(column);
      specs.push({ kind: 'categorical', classes: integerOption('categorical', item.slice(at + 1), 2, MAX_CLASSES), ...nameOf(column) });
    }
  }
  try {
    validateSideOutputs(specs);
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new MixdenError(`--bernoulli/--categorical: ${error.message}`);
    throw error;
  }
  return { columns, specs };
}

// Each side column's values are classes of its output, checked before training with the file's row (1 = the
// first row after the header) and the column's name.
function checkSideColumns(path: string, y: Float64Array, dims: number, sides: { columns: string[]; specs: SideOutputSpec[] }): void {
  const width = dims + sides.columns.length;
  for (let r = 0; r * width < y.length; r++) {
    sides.specs.forEach((s, i) => {
      const v = y[r * width + dims + i];
      const ok = s.kind === 'bernoulli' ? v === 0 || v === 1 : Number.isInteger(v) && v >= 0 && v < (s.classes as number);
      if (!ok) throw new MixdenError(`${path} row ${r + 1}, column '${sides.columns[i]}': a ${s.kind} column takes ${s.kind === 'bernoulli' ? '0 or 1' : `a class 0 to ${(s.classes as number) - 1}`}, got ${v}`);
    });
  }
}

// Student-t components take their fixed ν from --degrees-of-freedom; other families take none.
export function degreesOfFreedomOption(family: string, value: string | undefined): { degreesOfFreedom?: number | 'learned' } {
  if (family !== 'student-t') {
    if (value !== undefined) throw new MixdenError(`--degrees-of-freedom is for --family student-t, not ${family}`);
    return {};
  }
  if (value === undefined) throw new MixdenError("--family student-t needs --degrees-of-freedom NU (a number above 1: 3 for heavy tails, 30 for nearly Gaussian ones) or 'learned'");
  if (value === 'learned') return { degreesOfFreedom: 'learned' };
  return { degreesOfFreedom: numberOption('degrees-of-freedom', value, 1, 1e6, true) };
}

// --layers, or the --hidden/--activation shorthand (given, or their defaults).
function trunkOptions(argv: readonly string[], text: (k: string) => string | undefined): { hidden: number[]; activation: Activation } | { layers: LayerSpec[] } {
  if (text('layers') === undefined) {
    return { hidden: text('hidden')!.split(',').map((h) => positiveInteger('hidden', h)), activation: choice<Activation>('activation', text('activation')!, ACTIVATIONS) };
  }
  const shorthand = argv.find((a) => /^--(hidden|activation)(=|$)/.test(a));
  if (shorthand) throw new MixdenError(`give --layers or --hidden/--activation, not both (${shorthand.split('=')[0]} was given)`);
  try {
    return { layers: layersFromText(text('layers')!) };
  } catch (error) {
    if (error instanceof InvalidArgumentError) throw new MixdenError(`--layers: ${error.message}`);
    throw error;
  }
}

/** Scaled inputs and targets of a split, with the model's fitted scalers (for the baselines, which share them). */
export const scaled = (scaling: ModelScaling, s: Split) => ({ x: applyScaler(scaling.x, s.x), y: applyScaler(scaling.y, s.y) });

/** Converts a mean NLL of scaled targets to original units. */
export function toOriginalUnits(scaling: ModelScaling, scaledNll: number, originalY: ArrayLike<number>): number {
  const jacobian = logJacobianOf(scaling.y, originalY);
  return scaledNll - jacobian.reduce((a, b) => a + b, 0) / jacobian.length;
}

const meanNll = (logDensity: Float32Array) => -logDensity.reduce((a, b) => a + b, 0) / logDensity.length;

/** Trains the run's MDN, with progress on stderr; returns it with its train and test NLLs in original units. */
export async function trainRun(gpu: GpuContext, run: TrainingRun, log: (line: string) => void): Promise<{ model: Mdn; result: FitResult; trainNll: number; testNll: number; seconds: number }> {
  log(`mixden: WebGPU adapter ${gpu.adapterDescription}; Vulkan driver: ${vulkanDriver().reason}`);
  const sides = run.sideColumns.length ? `; side outputs ${run.sideColumns.join(', ')}` : '';
  log(`training on ${run.train.x.length / run.xColumns.length} rows of ${run.source}, testing on ${run.test.x.length / run.xColumns.length}: x = ${run.xColumns.join(', ')}; y = ${run.yColumns.join(', ')}${sides}`);
  const model = await createMdn({ inputDim: run.xColumns.length, outputDim: run.yColumns.length, ...run.model, scale: run.scale, seed: run.seed, gpu });
  const progress = progressReporter();
  const total = run.fit.steps;
  const started = performance.now();
  const result = await model.fit(run.train.x, run.train.y, {
    ...run.fit,
    seed: run.seed,
    evaluateEvery: Math.max(1, Math.min(100, Math.ceil(total / 50))),
    onProgress: (p) => progress.update(p.step, total, `loss ${p.loss.toFixed(4)} nats per row`),
  });
  progress.done();
  const seconds = (performance.now() - started) / 1000;
  const trainNll = meanNll(await model.logProb(run.train.x, run.train.y));
  const testNll = meanNll(await model.logProb(run.test.x, run.test.y));
  return { model, result, trainNll, testNll, seconds };
}
