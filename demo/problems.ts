// The problems the demo offers: the built-in ones, and the visitor's own CSV (parsed here, never uploaded).
import { bimodal, heteroscedastic, inverseSine, noisySpiral } from '../src/mdn/datasets.js';
import { parseCsv, selectColumns, type CsvTable } from '../src/mdn/data/csv.js';

export interface Problem {
  readonly name: string;
  readonly x: Float64Array;
  readonly y: Float64Array;
  /** x at which the conditional density slice starts. */
  readonly sliceX: number;
  /** Axis names: the CSV's column names (default x and y). */
  readonly xName?: string;
  readonly yName?: string;
}

export const BUILT_IN: Record<string, { label: string; make: () => Problem }> = {
  'inverse-sine': { label: 'Inverse sine (several y per x)', make: () => ({ name: 'inverse sine', ...pick(inverseSine(1000, 0)), sliceX: 0 }) },
  spiral: { label: 'Noisy spiral', make: () => ({ name: 'noisy spiral', ...pick(noisySpiral(2, 1000, 1)), sliceX: 0 }) },
  heteroscedastic: { label: 'Linear, noise grows with |x|', make: () => ({ name: 'heteroscedastic', ...pick(heteroscedastic(1000, 2)), sliceX: 8 }) },
  bimodal: { label: 'Non-linear and bimodal', make: () => ({ name: 'bimodal', ...pick(bimodal(2000, 2)), sliceX: 8 }) },
};

const pick = (d: { x: Float64Array; y: Float64Array }) => ({ x: d.x, y: d.y });

/** Reads a CSV file chosen in the page. */
export async function readCsvFile(file: File): Promise<CsvTable> {
  return parseCsv(await file.text());
}

/** A problem from two columns of a table. */
export function csvProblem(table: CsvTable, xColumn: string, yColumn: string, name: string): Problem {
  const x = selectColumns(table, [xColumn]);
  const y = selectColumns(table, [yColumn]);
  const sorted = [...x].sort((a, b) => a - b);
  return { name, x, y, sliceX: sorted[Math.floor(sorted.length / 2)], xName: xColumn, yName: yColumn };
}
