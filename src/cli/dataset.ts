// `mixden dataset <name>`: writes a built-in problem as CSV (columns x, y; or x1…, y1… where there are several) to
// stdout or --out (atomically).
import { BUILT_IN_DATASETS, datasetColumns } from '../mdn/datasets.js';
import { MixdenError } from '../runtime/errors.js';
import { nearest } from '../mdn/arguments.js';
import { writeFileAtomic } from '../host/atomicFile.js';
import { integerOption, parseCommandArgs, seedOption } from './args.js';
import { MAX_DATASET_ROWS } from './trainingRun.js';

export const DATASET_USAGE = `dataset ${Object.keys(BUILT_IN_DATASETS).join('|')} [--rows N <= ${MAX_DATASET_ROWS.toLocaleString('en')}] [--seed S] [--out file.csv]`;

export async function dataset(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs('dataset', DATASET_USAGE, argv, { rows: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } }, true);
  const name = positionals[0] ?? '';
  const make = BUILT_IN_DATASETS[name];
  if (!make) {
    const guess = name ? nearest(name, Object.keys(BUILT_IN_DATASETS)) : undefined;
    throw new MixdenError(`name one of ${Object.keys(BUILT_IN_DATASETS).join(', ')}${name ? `, not '${name}'` : ''}${guess ? ` (did you mean '${guess}'?)` : ''}`);
  }
  if (positionals.length > 1) throw new MixdenError(`one data set at a time; got ${positionals.join(', ')}`);
  const rows = values.rows === undefined ? undefined : integerOption('rows', values.rows as string, 1, MAX_DATASET_ROWS);
  const seed = values.seed === undefined ? undefined : seedOption(values.seed as string);
  const d = make(rows, seed);
  const columns = datasetColumns(d);
  const header = [...columns.x, ...columns.y].join(',');
  const lines = Array.from({ length: d.rows }, (_, r) => [...d.x.subarray(r * d.inputDim, (r + 1) * d.inputDim), ...d.y.subarray(r * d.outputDim, (r + 1) * d.outputDim)].join(','));
  const csv = `${header}\n${lines.join('\n')}\n`;
  if (values.out) writeFileAtomic(values.out as string, csv);
  else process.stdout.write(csv);
}
