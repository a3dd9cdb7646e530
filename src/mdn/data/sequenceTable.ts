// Sequences from a table of rows: a sequence-id column (each sequence's rows together, in step order), the
// target columns, and conditioning columns held over each sequence: numbers as they are, or labels (any text
// that is not a number, e.g. a letter) as one-hot classes. Every problem names the data row (1-based).
import { InvalidArgumentError } from '../../runtime/errors.js';
import { type CsvTable, CsvError, numericCell } from './csv.js';
import { preview } from './preview.js';
import { MAX_SEQUENCE_STEPS, type Sequence } from '../sequence/sequenceData.js';

/** How a conditioning column becomes values: a number, or a one-hot over its classes (in this order). */
export type ConditionColumn = { readonly column: string; readonly kind: 'number' } | { readonly column: string; readonly kind: 'classes'; readonly classes: readonly string[] };

/** Most classes one conditioning column may have. */
export const MAX_CONDITION_CLASSES = 1024;

export interface SequenceColumns {
  readonly sequence: string;
  /** Target columns, continuous then side outputs' (as the model's target row). */
  readonly targets: readonly string[];
  readonly conditions: readonly string[];
}

/** Values per sequence the conditioning columns give. */
export const conditionWidth = (encoding: readonly ConditionColumn[]): number => encoding.reduce((n, c) => n + (c.kind === 'number' ? 1 : c.classes.length), 0);

/** One sequence's condition values from its cells (column name → cell text). */
export function encodeCondition(encoding: readonly ConditionColumn[], cells: Readonly<Record<string, string>>, where: string): number[] {
  return encoding.flatMap((c) => {
    const cell = cells[c.column];
    if (cell === undefined) throw new InvalidArgumentError(`${where}: no value for the condition column '${preview(c.column)}'`);
    if (c.kind === 'number') return [numericCell(cell, 0, c.column)];
    const index = c.classes.indexOf(cell);
    if (index < 0) throw new InvalidArgumentError(`${where}: '${preview(cell)}' is not a class of '${preview(c.column)}' (it has ${c.classes.map((k) => `'${preview(k)}'`).join(', ')})`);
    return c.classes.map((_, i) => (i === index ? 1 : 0));
  });
}

// A column's encoding from its cells: numbers if every cell is one, else its distinct labels in sorted order.
function encodingOf(table: CsvTable, column: string, index: number): ConditionColumn {
  const cells = table.rows.map((r) => r[index]);
  if (cells.every((c) => c.trim() !== '' && Number.isFinite(Number(c)))) return { column, kind: 'number' };
  const classes = [...new Set(cells)].sort();
  if (classes.length > MAX_CONDITION_CLASSES) throw new CsvError(`column '${preview(column)}' has ${classes.length} different labels; a condition takes at most ${MAX_CONDITION_CLASSES}`);
  return { column, kind: 'classes', classes };
}

/**
 * The table's sequences, in the order they appear, with the conditioning columns' encoding (`encoding` given:
 * a trained model's, which test data must follow). Refused, naming the row: a sequence whose rows are not
 * together, one longer than MAX_SEQUENCE_STEPS, a condition that changes inside a sequence.
 */
export function sequencesFromTable(table: CsvTable, columns: SequenceColumns, encoding?: readonly ConditionColumn[]): { sequences: (Sequence & { id: string })[]; encoding: ConditionColumn[] } {
  const indexOf = (name: string) => {
    const index = table.columns.indexOf(name);
    if (index < 0) throw new CsvError(`there is no column '${preview(name)}'; the columns are ${table.columns.map((c) => `'${preview(c)}'`).join(', ')}`);
    return index;
  };
  const idIndex = indexOf(columns.sequence);
  const targetIndices = columns.targets.map(indexOf);
  const conditionIndices = columns.conditions.map(indexOf);
  const used = encoding ? [...encoding] : columns.conditions.map((c, i) => encodingOf(table, c, conditionIndices[i]));
  if (used.map((c) => c.column).join('\u0000') !== columns.conditions.join('\u0000')) throw new CsvError(`the condition columns must be ${used.map((c) => `'${preview(c.column)}'`).join(', ')}`);
  const sequences: (Sequence & { id: string })[] = [];
  const finished = new Set<string>();
  let current: { id: string; y: number[]; cells: string[]; first: number } | undefined;
  const close = () => {
    if (!current) return;
    const cells = Object.fromEntries(columns.conditions.map((c, i) => [c, current!.cells[i]]));
    sequences.push({ id: current.id, y: current.y, condition: encodeCondition(used, cells, `row ${current.first}`) });
    finished.add(current.id);
  };
  table.rows.forEach((row, r) => {
    const line = r + 1;
    const id = row[idIndex];
    if (!current || current.id !== id) {
      if (finished.has(id)) {
        throw new CsvError(`row ${line}: sequence '${preview(id)}' continues after rows of other sequences (a sequence's rows must be together, in step order)`);
      }
      close();
      current = { id, y: [], cells: conditionIndices.map((i) => row[i]), first: line };
    } else {
      conditionIndices.forEach((i, k) => {
        if (row[i] !== current!.cells[k]) {
          throw new CsvError(`row ${line}, column '${preview(columns.conditions[k])}': sequence '${preview(id)}' changes its condition from '${preview(current!.cells[k])}' to '${preview(row[i])}' (a condition holds for the whole sequence)`);
        }
      });
    }
    if (current.y.length / targetIndices.length >= MAX_SEQUENCE_STEPS) {
      throw new CsvError(`row ${line}: sequence '${preview(id)}' passes the limit of ${MAX_SEQUENCE_STEPS} steps (cut it into several sequences)`);
    }
    targetIndices.forEach((i, k) => current!.y.push(numericCell(row[i], line, columns.targets[k])));
  });
  close();
  return { sequences, encoding: used };
}
