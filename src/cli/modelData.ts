// What the command line stores beside a model: the columns it was trained on and the scalers fitted to them,
// so `predict` reads the same columns and answers in original units.
import type { Scaler } from '../mdn/data/scaler.js';
import { readCsvColumns } from '../host/csvFile.js';
import { MixdenError } from '../runtime/errors.js';

export interface ModelData {
  readonly xColumns: readonly string[];
  readonly yColumns: readonly string[];
  readonly xScaler: Scaler;
  readonly yScaler: Scaler;
}

const isNumbers = (v: unknown, length: number) => Array.isArray(v) && v.length === length && v.every((n) => typeof n === 'number' && Number.isFinite(n));
const isScaler = (s: any, length: number): s is Scaler =>
  s !== null && typeof s === 'object' && ['zscore', 'minmax', 'none'].includes(s.kind) && typeof s.log === 'boolean' && isNumbers(s.shift, length) && isNumbers(s.scale, length) && s.scale.every((v: number) => v > 0);

/** The command line's metadata of a loaded model, checked; throws naming what is missing. */
export function modelDataOf(metadata: unknown, inputDim: number, outputDim: number): ModelData {
  const m = metadata as Partial<ModelData> | undefined;
  const names = (v: unknown, n: number) => Array.isArray(v) && v.length === n && v.every((s) => typeof s === 'string');
  if (!m || !names(m.xColumns, inputDim) || !names(m.yColumns, outputDim) || !isScaler(m.xScaler, inputDim) || !isScaler(m.yScaler, outputDim)) {
    throw new MixdenError('this model file carries no column names and scalers (it was not saved by `mixden train`)');
  }
  return m as ModelData;
}

/** The named column groups of a CSV file, streamed (see readCsvColumns). */
export function readColumns(path: string, ...groups: (readonly string[])[]): Promise<Float64Array[]> {
  return readCsvColumns(path, groups);
}

export const columnList = (flag: string, value: string | undefined): string[] => {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new MixdenError(`--${flag} needs a comma-separated list of column names`);
  return list;
};
