// CSV text to named numeric columns. RFC 4180 quoting (quoted fields, "" for a quote, commas and newlines
// inside quotes), CRLF or LF, a leading byte-order mark, blank lines skipped. Errors name the row and column.
import { MixdenError } from '../../runtime/errors.js';

/** A CSV file that cannot be used: the message names the line, row or column at fault. */
export class CsvError extends MixdenError {}

export interface CsvTable {
  readonly columns: readonly string[];
  /** Data rows (the header excluded), as text cells. */
  readonly rows: readonly (readonly string[])[];
}

/**
 * Parses CSV text whose first non-blank line is a header.
 * @example
 * const table = parseCsv('x,y\n1,2\n3,4\n');
 */
export function parseCsv(text: string): CsvTable {
  const records: { cells: string[]; line: number }[] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0].trim() === '')) records.push({ cells, line: recordLine });
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        cell += c;
      }
    } else if (c === '"' && cell.trim() === '') {
      cell = '';
      quoted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else cell += c;
  }
  if (quoted) throw new CsvError(`a quoted field opened on line ${recordLine} never closes`);
  if (cell !== '' || cells.length > 0) endRecord();
  if (records.length === 0) throw new CsvError('the file is empty: no header and no rows');
  const columns = records[0].cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const [index, name] of columns.entries()) {
    if (name === '') throw new CsvError(`column ${index + 1} of the header has no name`);
    if (seen.has(name)) throw new CsvError(`the header names column '${name}' twice`);
    seen.add(name);
  }
  const rows = records.slice(1).map(({ cells: r, line: at }) => {
    if (r.length !== columns.length) {
      throw new CsvError(`line ${at} has ${r.length} fields; the header has ${columns.length}`);
    }
    return r;
  });
  if (rows.length === 0) throw new CsvError('the file has a header but no data rows');
  return { columns, rows };
}

/**
 * The named columns as a row-major matrix (rows x names.length). Missing columns and cells that are not finite
 * numbers are refused, naming the data row (1-based, header excluded) and the column.
 * @example
 * const x = selectColumns(table, ['age', 'rooms']);
 */
export function selectColumns(table: CsvTable, names: readonly string[]): Float64Array {
  if (names.length === 0) throw new CsvError('no columns were asked for');
  const indices = names.map((name) => {
    const index = table.columns.indexOf(name);
    if (index < 0) throw new CsvError(`there is no column '${name}'; the columns are ${table.columns.map((c) => `'${c}'`).join(', ')}`);
    return index;
  });
  const out = new Float64Array(table.rows.length * names.length);
  table.rows.forEach((row, r) => {
    indices.forEach((index, c) => {
      const text = row[index].trim();
      const value = text === '' ? Number.NaN : Number(text);
      if (!Number.isFinite(value)) {
        throw new CsvError(`row ${r + 1}, column '${names[c]}': '${row[index]}' is not a finite number`);
      }
      out[r * names.length + c] = value;
    });
  });
  return out;
}
