// `mixden dataset <name>`: writes a built-in problem as CSV (columns x, y) to stdout or --out.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BUILT_IN_DATASETS } from '../mdn/datasets.js';
import { MixdenError } from '../runtime/errors.js';

export const DATASET_USAGE = `dataset ${Object.keys(BUILT_IN_DATASETS).join('|')} [--rows N] [--seed S] [--out file.csv]`;

export async function dataset(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { rows: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' } } });
  const make = BUILT_IN_DATASETS[positionals[0] ?? ''];
  if (!make) throw new MixdenError(`name one of ${Object.keys(BUILT_IN_DATASETS).join(', ')}`);
  const d = make(values.rows ? Number(values.rows) : undefined, values.seed ? Number(values.seed) : undefined);
  const csv = `x,y\n${Array.from(d.x, (x, i) => `${x},${d.y[i]}`).join('\n')}\n`;
  if (values.out) writeFileSync(values.out, csv);
  else process.stdout.write(csv);
}
