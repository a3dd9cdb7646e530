// Reading columns of a CSV file in Node as a stream: the text passes through in pieces and only the chosen
// columns' numbers are kept, so a file far larger than memory can be read.
import { createReadStream } from 'node:fs';
import { CsvError, CsvReader, type CsvRecord, checkFields, headerColumns, numericCell } from '../mdn/data/csv.js';
import { preview } from '../mdn/data/preview.js';

/**
 * Reads the named column groups of a CSV file (each group row-major, rows x group.length), streaming.
 * @example
 * const [x, y] = await readCsvColumns('data.csv', [['a', 'b'], ['target']]);
 */
export async function readCsvColumns(path: string, groups: readonly (readonly string[])[], chunkBytes = 1 << 16): Promise<Float64Array[]> {
  const wanted = groups.flat();
  if (wanted.length === 0) throw new CsvError('no columns were asked for');
  const values: number[][] = groups.map(() => []);
  let header: string[] | undefined;
  let indices: number[][] = [];
  let rows = 0;
  const reader = new CsvReader((record: CsvRecord) => {
    if (!header) {
      header = headerColumns(record);
      indices = groups.map((group) =>
        group.map((name) => {
          const index = header!.indexOf(name);
          if (index < 0) throw new CsvError(`there is no column '${preview(name)}'; the columns are ${header!.map((c) => `'${preview(c)}'`).join(', ')}`);
          return index;
        }),
      );
      return;
    }
    checkFields(record, header.length);
    rows++;
    groups.forEach((group, g) => group.forEach((name, c) => values[g].push(numericCell(record.cells[indices[g][c]], rows, name))));
  });
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: chunkBytes });
  try {
    for await (const piece of stream) reader.push(piece as string);
  } catch (cause) {
    stream.destroy();
    if (cause instanceof CsvError) throw cause;
    throw new CsvError(`cannot read ${path}: ${(cause as Error).message}`);
  }
  reader.end();
  if (!header) throw new CsvError('the file is empty: no header and no rows');
  if (rows === 0) throw new CsvError('the file has a header but no data rows');
  return values.map((v) => Float64Array.from(v));
}
