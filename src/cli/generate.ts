// `mixden generate`: draws new sequences from a sequence model saved by `mixden train --sequence`, on the GPU
// (all of them at once, one readback), and writes them as CSV in the training file's columns, and as a picture
// (SVG or PNG) where the steps are pen moves (two continuous columns, the pen in the first side column).
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { nodeGpu } from '../host/node.js';
import { checkOutputPath, writeFileAtomic } from '../host/atomicFile.js';
import { svgToPng } from '../host/densityPlot.js';
import { MixdenError } from '../runtime/errors.js';
import { encodeCondition, sequencesFromTable } from '../mdn/data/sequenceTable.js';
import { csvField } from '../mdn/data/csv.js';
import { loadSequenceMdn } from '../mdn/sequence/sequenceMdn.js';
import { strokePicture } from '../mdn/sequence/strokePicture.js';
import { integerOption, numberOption, parseCommandArgs, seedOption } from './args.js';
import { readCsvTable, sequenceModelDataOf, stopOption } from './sequenceData.js';
import { printableColumn } from './modelData.js';

export const GENERATE_USAGE = `generate --model model.mixden [--condition col=value[|value…][,col=value]] [--count 8] [--max-steps 100]
        [--temperature 1] [--sigma-temperature 1] [--seed 0] [--stop col=value|none] [--prime steps.csv [--prime-sequence ID]]
        [--out generated.csv] [--picture generated.svg|.png] [--json]`;

const OPTIONS = {
  model: { type: 'string' },
  condition: { type: 'string' },
  count: { type: 'string', default: '8' },
  'max-steps': { type: 'string', default: '100' },
  temperature: { type: 'string', default: '1' },
  'sigma-temperature': { type: 'string', default: '1' },
  seed: { type: 'string', default: '0' },
  stop: { type: 'string' },
  prime: { type: 'string' },
  'prime-sequence': { type: 'string' },
  out: { type: 'string' },
  picture: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

// --condition col=a|b,col2=v: each column's values (one column may list several: `count` sequences of each).
function conditionCells(text: string | undefined, columns: readonly string[]): { column: string; values: string[] }[] {
  const given = new Map<string, string[]>();
  for (const item of text === undefined ? [] : text.split(',')) {
    const at = item.indexOf('=');
    if (at <= 0) throw new MixdenError(`--condition takes col=value (e.g. letter=a), got '${item}'`);
    given.set(item.slice(0, at).trim(), item.slice(at + 1).split('|'));
  }
  for (const name of given.keys()) if (!columns.includes(name)) throw new MixdenError(`--condition: the model has no condition column '${name}'; it has ${columns.length ? columns.join(', ') : 'none'}`);
  const cells = columns.map((column) => {
    const values = given.get(column);
    if (!values) throw new MixdenError(`--condition needs a value for the model's condition column '${printableColumn(column)}'`);
    return { column, values };
  });
  if (cells.filter((c) => c.values.length > 1).length > 1) throw new MixdenError('--condition may list several values (a|b|c) for one column only');
  return cells;
}

// --prime: one sequence of a CSV in the training file's columns (the sequence id and the targets; other columns
// are ignored), the first or --prime-sequence's, as the steps every generated sequence continues.
async function primeSteps(path: string, id: string | undefined, columns: { sequence: string; targets: readonly string[] }): Promise<ArrayLike<number>> {
  let table;
  try {
    table = await readCsvTable(path);
  } catch (error) {
    throw new MixdenError(`--prime: ${(error as Error).message}`);
  }
  let sequences;
  try {
    ({ sequences } = sequencesFromTable(table, { ...columns, conditions: [] }));
  } catch (error) {
    throw new MixdenError(`--prime ${path}: ${(error as Error).message}`);
  }
  const chosen = id === undefined ? sequences[0] : sequences.find((s) => s.id === id);
  if (!chosen) throw new MixdenError(`--prime ${path}: ${id === undefined ? 'it holds no sequence' : `there is no sequence '${id}' in column '${columns.sequence}'`}`);
  return chosen.y;
}

export async function generate(argv: string[]): Promise<void> {
  const { values: o } = parseCommandArgs('generate', GENERATE_USAGE, argv, OPTIONS);
  const text = (k: string) => o[k] as string | undefined;
  if (!o.model) throw new MixdenError('name the model with --model model.mixden');
  for (const flag of ['out', 'picture']) if (text(flag) !== undefined) checkOutputPath(flag, text(flag)!, [text('model')]);
  const picture = text('picture');
  if (picture && !['.svg', '.png'].includes(extname(picture).toLowerCase())) throw new MixdenError(`--picture must end in .svg or .png, got '${picture}'`);
  const count = integerOption('count', text('count')!, 1, 65_536);
  const maxSteps = integerOption('max-steps', text('max-steps')!, 1, 10_000);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(text('model')!));
  } catch (error) {
    throw new MixdenError(`cannot read ${text('model')}: ${(error as Error).message}`);
  }
  const gpu = await nodeGpu();
  try {
    const model = await loadSequenceMdn(bytes, gpu);
    try {
      const data = sequenceModelDataOf(model.metadata, model.stepWidth);
      const targets = [...data.yColumns, ...data.sideColumns];
      const cells = conditionCells(text('condition'), data.conditions.map((c) => c.column));
      const varying = cells.find((c) => c.values.length > 1);
      const groups = varying ? varying.values : [''];
      // One condition row per generated sequence: `count` of each listed value, in order.
      const labels: string[] = [];
      const conditions: number[] = [];
      for (const value of groups) {
        const row = Object.fromEntries(cells.map((c) => [c.column, c === varying ? value : c.values[0]]));
        let encoded: number[];
        try {
          encoded = encodeCondition(data.conditions, row, '--condition');
        } catch (error) {
          throw new MixdenError((error as Error).message);
        }
        for (let i = 0; i < count; i++) {
          conditions.push(...encoded);
          labels.push(cells.map((c) => row[c.column]).join(' '));
        }
      }
      // The model's own stop rule, unless --stop gives another or `none`.
      const stop = text('stop') === 'none' ? undefined : (stopOption(text('stop'), targets) ?? data.stop);
      if (text('prime-sequence') !== undefined && text('prime') === undefined) throw new MixdenError('--prime-sequence picks a sequence of --prime steps.csv: give --prime too');
      const prime = text('prime') === undefined ? undefined : await primeSteps(text('prime')!, text('prime-sequence'), { sequence: data.sequenceColumn, targets });
      const started = performance.now();
      const generated = await model.generate({
        count: labels.length,
        maxSteps,
        conditions,
        temperature: numberOption('temperature', text('temperature')!, 0, 100),
        sigmaTemperature: numberOption('sigma-temperature', text('sigma-temperature')!, 0, 100),
        seed: seedOption(text('seed')!),
        ...(stop ? { stopWhen: stop } : {}),
        ...(prime ? { prime } : {}),
      });
      const seconds = (performance.now() - started) / 1000;
      const width = targets.length;
      const conditionText = (n: number) => cells.map((c) => csvField(c === varying ? groups[Math.floor(n / count)] : c.values[0]));
      const lines = [[data.sequenceColumn, ...targets, ...cells.map((c) => c.column)].map(csvField).join(',')];
      generated.sequences.forEach((s, n) => {
        for (let t = 0; t < s.length; t += width) lines.push([String(n), ...Array.from(s.subarray(t, t + width), String), ...conditionText(n)].join(','));
      });
      const csv = `${lines.join('\n')}\n`;
      if (text('out')) writeFileAtomic(text('out')!, csv);
      if (picture) {
        if (data.yColumns.length !== 2) throw new MixdenError(`--picture draws pen moves: two continuous columns (dx, dy), not ${data.yColumns.length}`);
        // The steps as (dx, dy, pen): the first side column is the pen where there is one, else the pen stays down.
        const steps = generated.sequences.map((s) => Float32Array.from({ length: (s.length / width) * 3 }, (_, i) => (i % 3 < 2 ? s[Math.floor(i / 3) * width + (i % 3)] : width > 2 ? s[Math.floor(i / 3) * width + 2] : 0)));
        const svg = strokePicture(steps, { labels, columns: Math.min(count, 16) });
        writeFileAtomic(picture, picture.toLowerCase().endsWith('.png') ? await svgToPng(svg) : svg);
      }
      const summary = { sequences: generated.lengths.length, lengths: generated.lengths, seconds, ...(text('out') ? { out: text('out') } : {}), ...(picture ? { picture } : {}) };
      if (o.json) console.log(JSON.stringify(summary));
      else {
        if (!text('out')) process.stdout.write(csv);
        console.error(`generated ${generated.lengths.length} sequences of ${Math.min(...generated.lengths)} to ${Math.max(...generated.lengths)} steps in ${seconds.toFixed(2)} s${picture ? `; picture ${picture}` : ''}`);
      }
    } finally {
      model.destroy();
    }
  } finally {
    gpu.destroy();
  }
}
