// `mixden dataset <name>`: writes a built-in problem as CSV (columns x, y; or x1…, y1… where there are several) to
// stdout or --out (atomically).
import { BUILT_IN_DATASETS, datasetColumns } from '../mdn/datasets.js';
import { MixdenError } from '../runtime/errors.js';
import { nearest } from '../mdn/arguments.js';
import { writeFileAtomic } from '../host/atomicFile.js';
import { integerOption, parseCommandArgs, seedOption } from './args.js';
import { MAX_DATASET_ROWS } from './trainingRun.js';
import { strokeLetters } from '../mdn/sequence/strokes.js';
import { hersheyFont } from '../host/hersheyFont.js';
import { csvField } from '../mdn/data/csv.js';

export const DATASET_USAGE = `dataset ${Object.keys(BUILT_IN_DATASETS).join('|')} [--rows N <= ${MAX_DATASET_ROWS.toLocaleString('en')}] [--seed S] [--out file.csv]
        dataset strokes [--letters abc…z] [--per-letter 20] [--seed S] [--out file.csv]   (sequences: sequence,dx,dy,pen,letter)`;

export async function dataset(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(
    'dataset',
    DATASET_USAGE,
    argv,
    { rows: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' }, letters: { type: 'string' }, 'per-letter': { type: 'string' } },
    true,
  );
  const name = positionals[0] ?? '';
  if (name === 'strokes') return strokes(values, positionals);
  if (values.letters !== undefined || values['per-letter'] !== undefined) throw new MixdenError('--letters and --per-letter are options of `dataset strokes`');
  const make = BUILT_IN_DATASETS[name];
  if (!make) {
    const guess = name ? nearest(name, [...Object.keys(BUILT_IN_DATASETS), 'strokes']) : undefined;
    throw new MixdenError(`name one of ${[...Object.keys(BUILT_IN_DATASETS), 'strokes'].join(', ')}${name ? `, not '${name}'` : ''}${guess ? ` (did you mean '${guess}'?)` : ''}`);
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

// The stroke set: one row per step of each drawing, in step order, with its sequence number and letter.
function strokes(values: Record<string, unknown>, positionals: string[]): void {
  if (positionals.length > 1) throw new MixdenError(`one data set at a time; got ${positionals.join(', ')}`);
  if (values.rows !== undefined) throw new MixdenError('`dataset strokes` takes --per-letter (drawings of each letter), not --rows');
  const letters = (values.letters as string | undefined) ?? undefined;
  const perLetter = values['per-letter'] === undefined ? undefined : integerOption('per-letter', values['per-letter'] as string, 1, 100_000);
  const seed = values.seed === undefined ? undefined : seedOption(values.seed as string);
  const sequences = strokeLetters(hersheyFont(), { ...(letters === undefined ? {} : { letters }), ...(perLetter === undefined ? {} : { perLetter }), ...(seed === undefined ? {} : { seed }) });
  const lines = ['sequence,dx,dy,pen,letter'];
  sequences.forEach((s, n) => {
    for (let t = 0; t < s.y.length; t += 3) lines.push(`${n},${s.y[t]},${s.y[t + 1]},${s.y[t + 2]},${csvField(s.letter)}`);
  });
  const csv = `${lines.join('\n')}\n`;
  if (values.out) writeFileAtomic(values.out as string, csv);
  else process.stdout.write(csv);
}
