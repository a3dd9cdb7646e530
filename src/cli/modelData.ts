// What the command line stores beside a model: the names of the columns it was trained on, so `predict` reads
// the same columns. (The scalers belong to the model itself; files of release 0.1.0 kept them here too.)
import { readCsvColumns } from '../host/csvFile.js';
import { MixdenError } from '../runtime/errors.js';
import { preview } from '../mdn/data/preview.js';

export interface ModelData {
  readonly xColumns: readonly string[];
  readonly yColumns: readonly string[];
  /** The side outputs' columns, in the model's order (absent where it has none). */
  readonly sideColumns?: readonly string[];
}

/** The column names of a loaded model, checked; names from the file are made printable. */
export function modelDataOf(metadata: unknown, inputDim: number, outputDim: number, sideOutputs = 0): ModelData {
  const m = metadata as Partial<ModelData> | undefined;
  const names = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string');
  if (!m || !names(m.xColumns, inputDim) || !names(m.yColumns, outputDim) || (sideOutputs > 0 && !names(m.sideColumns, sideOutputs))) {
    throw new MixdenError('this model file names no input and output columns (it was not saved by `mixden train` or `mixden report`)');
  }
  return m as ModelData;
}

/** A column name from a file, safe to print (control characters escaped, long names cut). */
export const printableColumn = (name: string): string => preview(name, 64);

/** The named column groups of a CSV file, streamed (see readCsvColumns). */
export function readColumns(path: string, ...groups: (readonly string[])[]): Promise<Float64Array[]> {
  return readCsvColumns(path, groups);
}

export const columnList = (flag: string, value: string | undefined): string[] => {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new MixdenError(`--${flag} needs a comma-separated list of column names`);
  return list;
};
