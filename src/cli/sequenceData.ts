// What the command line stores beside a sequence model: its sequence-id column, its target and side columns,
// how its condition columns were encoded, and the draw that ends a generated sequence; read back by `generate`.
import { readFile } from 'node:fs/promises';
import { MixdenError } from '../runtime/errors.js';
import { type CsvTable, parseCsv } from '../mdn/data/csv.js';
import { numberOption } from './args.js';
import type { ConditionColumn } from '../mdn/data/sequenceTable.js';

export interface SequenceModelData {
  readonly kind: 'sequence';
  readonly sequenceColumn: string;
  readonly yColumns: readonly string[];
  readonly sideColumns: readonly string[];
  readonly conditions: readonly ConditionColumn[];
  /** Generation stops a sequence at the step that draws `value` in target column `column`. */
  readonly stop?: { readonly column: number; readonly value: number };
}

/** The stored columns of a sequence model, checked; throws naming the problem for other files. */
export function sequenceModelDataOf(metadata: unknown, width: number): SequenceModelData {
  const m = metadata as Partial<SequenceModelData> | undefined;
  const names = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  const conditionsOk =
    Array.isArray(m?.conditions) &&
    m.conditions.every((c) => c && typeof c.column === 'string' && (c.kind === 'number' || (c.kind === 'classes' && names(c.classes) && c.classes.length > 0)));
  if (!m || m.kind !== 'sequence' || typeof m.sequenceColumn !== 'string' || !names(m.yColumns) || !names(m.sideColumns) || m.yColumns!.length + m.sideColumns!.length !== width || !conditionsOk) {
    throw new MixdenError('this model file names no sequence columns (it was not saved by `mixden train --sequence`)');
  }
  const stop = m.stop;
  if (stop !== undefined && !(stop && Number.isInteger(stop.column) && stop.column >= 0 && stop.column < width && Number.isFinite(stop.value))) {
    throw new MixdenError('this model file has a stop rule that is not { column, value }');
  }
  return m as SequenceModelData;
}

/** --stop col=value (train and generate): the target column by name and the value that ends a generated sequence. */
export function stopOption(value: string | undefined, targets: readonly string[]): SequenceModelData['stop'] {
  if (value === undefined) return undefined;
  const at = value.lastIndexOf('=');
  const column = targets.indexOf(value.slice(0, at));
  if (at <= 0 || column < 0) throw new MixdenError(`--stop takes column=value with one of the target columns (${targets.join(', ')}), got '${value}'`);
  return { column, value: numberOption('stop', value.slice(at + 1), -3.4e38, 3.4e38) };
}

/** A CSV file of sequences (training data, a prime), read and parsed; a MixdenError names the file. */
export async function readCsvTable(path: string): Promise<CsvTable> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new MixdenError(`cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return parseCsv(text);
  } catch (error) {
    throw new MixdenError(`${path}: ${(error as Error).message}`);
  }
}
