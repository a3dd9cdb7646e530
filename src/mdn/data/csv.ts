// CSV text to named numeric columns. RFC 4180 quoting (quoted fields, "" for a quote, commas and newlines
// inside quotes), CRLF or LF, a leading byte-order mark, blank lines skipped. Errors name the row and column.
// CsvReader parses incrementally, so files can be streamed (src/host/csvFile.ts) instead of read whole.
import { MixdenError } from '../../runtime/errors.js';
import { preview } from './preview.js';

/** Longest cell, in characters: far beyond any number, and a bound on what one bad line can make us hold. */
export const MAX_CELL_CHARS = 1 << 16;
/** Longest record (line), in characters. */
export const MAX_RECORD_CHARS = 1 << 20;
/** Largest magnitude a value may have: float32's, which the GPU computes in. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** A CSV file that cannot be used: the message names the line, row or column at fault. */
export class CsvError extends MixdenError {}

export interface CsvTable {
  readonly columns: readonly string[];
  /** Data rows (the header excluded), as text cells. */
  readonly rows: readonly (readonly string[])[];
}

/** A record of cells and the line of the file it started on. */
export interface CsvRecord {
  readonly cells: string[];
  readonly line: number;
}

/**
 * An incremental CSV parser: feed text in pieces of any size (a quoted field or a CRLF may be split between
 * pieces) and it hands over each record as it completes. Blank lines are skipped; a leading BOM is dropped.
 * @example
 * const reader = new CsvReader((record) => rows.push(record.cells));
 * for await (const chunk of stream) reader.push(chunk);
 * reader.end();
 */
export class CsvReader {
  private cells: string[] = [];
  private cell = '';
  private quoted = false;
  private quoteJustClosed = false;
  private pendingCr = false;
  private line = 1;
  private recordLine = 1;
  private recordChars = 0;
  private started = false;

  constructor(private readonly onRecord: (record: CsvRecord) => void) {}

  push(text: string): void {
    let i = 0;
    if (!this.started) {
      this.started = text.length > 0;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < text.length; i++) {
      const c = text[i];
      if (++this.recordChars > MAX_RECORD_CHARS) {
        throw new CsvError(`line ${this.recordLine} is longer than ${MAX_RECORD_CHARS.toLocaleString('en')} characters (it starts '${preview(this.cells[0] ?? this.cell)}')`);
      }
      if (this.cell.length >= MAX_CELL_CHARS) {
        throw new CsvError(`line ${this.recordLine}: field ${this.cells.length + 1} is longer than ${MAX_CELL_CHARS.toLocaleString('en')} characters (it starts '${preview(this.cell)}')`);
      }
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue; // the LF of a CRLF split between pieces
      }
      if (this.quoted) {
        if (this.quoteJustClosed) {
          this.quoteJustClosed = false;
          if (c === '"') {
            this.cell += '"';
            continue;
          }
          this.quoted = false; // the quote closed the field; handle c unquoted below
        } else if (c === '"') {
          this.quoteJustClosed = true;
          continue;
        } else {
          if (c === '\n') this.line++;
          this.cell += c;
          continue;
        }
      }
      if (c === '"' && this.cell.trim() === '') {
        this.cell = '';
        this.quoted = true;
      } else if (c === ',') {
        this.cells.push(this.cell);
        this.cell = '';
      } else if (c === '\n' || c === '\r') {
        this.endRecord();
        if (c === '\r') this.pendingCr = true;
        this.line++;
        this.recordLine = this.line;
      } else this.cell += c;
    }
  }

  /** Finishes the last record; throws CsvError for a quoted field left open. */
  end(): void {
    if (this.quoted && !this.quoteJustClosed) throw new CsvError(`a quoted field opened on line ${this.recordLine} never closes`);
    this.quoted = false;
    if (this.cell !== '' || this.cells.length > 0) this.endRecord();
  }

  private endRecord(): void {
    this.recordChars = 0;
    this.cells.push(this.cell);
    if (!(this.cells.length === 1 && this.cells[0].trim() === '')) this.onRecord({ cells: this.cells, line: this.recordLine });
    this.cells = [];
    this.cell = '';
  }
}

/** The header's column names, checked: none empty, none twice. */
export function headerColumns(record: CsvRecord): string[] {
  const columns = record.cells.map((c) => c.trim());
  const seen = new Set<string>();
  for (const [index, name] of columns.entries()) {
    if (name === '') throw new CsvError(`column ${index + 1} of the header has no name`);
    if (seen.has(name)) throw new CsvError(`the header names column '${preview(name)}' twice`);
    seen.add(name);
  }
  return columns;
}

/** Checks a data record has as many fields as the header. */
export function checkFields(record: CsvRecord, columns: number): void {
  if (record.cells.length !== columns) throw new CsvError(`line ${record.line} has ${record.cells.length} fields; the header has ${columns}`);
}

/**
 * Parses CSV text whose first non-blank line is a header.
 * @example
 * const table = parseCsv('x,y\n1,2\n3,4\n');
 */
export function parseCsv(text: string): CsvTable {
  const records: CsvRecord[] = [];
  const reader = new CsvReader((record) => records.push(record));
  reader.push(text);
  reader.end();
  if (records.length === 0) throw new CsvError('the file is empty: no header and no rows');
  const columns = headerColumns(records[0]);
  const rows = records.slice(1).map((record) => {
    checkFields(record, columns.length);
    return record.cells;
  });
  if (rows.length === 0) throw new CsvError('the file has a header but no data rows');
  return { columns, rows };
}

/** A cell as a finite number, or a CsvError naming where it is. */
export function numericCell(text: string, row: number, column: string): number {
  const trimmed = text.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value)) throw new CsvError(`row ${row}, column '${preview(column)}': '${preview(text)}' is not a finite number`);
  if (Math.abs(value) > FLOAT32_MAX) throw new CsvError(`row ${row}, column '${preview(column)}': ${preview(trimmed)} is beyond float32's range (±3.4e38), which the GPU computes in`);
  return value;
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
    if (index < 0) throw new CsvError(`there is no column '${preview(name)}'; the columns are ${table.columns.map((c) => `'${preview(c)}'`).join(', ')}`);
    return index;
  });
  const out = new Float64Array(table.rows.length * names.length);
  table.rows.forEach((row, r) => {
    indices.forEach((index, c) => {
      out[r * names.length + c] = numericCell(row[index], r + 1, names[c]);
    });
  });
  return out;
}

/** A value as one CSV field: quoted (quotes doubled) where it holds a comma, a quote or a line break. */
export const csvField = (text: string): string => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
