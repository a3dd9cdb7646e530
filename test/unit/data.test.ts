// CSV reading, column selection, scalers and the train/test split.
import { describe, expect, it } from 'vitest';
import { CsvError, parseCsv, selectColumns } from '../../src/mdn/data/csv.js';
import { applyScaler, fitScaler, invertScaler, logJacobianOf } from '../../src/mdn/data/scaler.js';
import { splitIndices, takeRows } from '../../src/mdn/data/split.js';

describe('parseCsv', () => {
  it('reads a header and rows, with quotes, CRLF, a BOM and blank lines', () => {
    const text = '\uFEFFname,"x, the input",y\r\n\r\n"a ""quoted"" name",1.5,2\r\nplain,-3e2,4\n\n';
    const t = parseCsv(text);
    expect(t.columns).toEqual(['name', 'x, the input', 'y']);
    expect(t.rows).toEqual([
      ['a "quoted" name', '1.5', '2'],
      ['plain', '-3e2', '4'],
    ]);
    expect(Array.from(selectColumns(t, ['y', 'x, the input']))).toEqual([2, 1.5, 4, -300]);
  });

  it('keeps newlines inside quoted fields and reports lines of the file', () => {
    const t = parseCsv('a,b\n"two\nlines",1\n3,4\n');
    expect(t.rows[0][0]).toBe('two\nlines');
    expect(() => parseCsv('a,b\n"x\ny",1\n3\n')).toThrow(/line 4 has 1 fields; the header has 2/);
  });

  it.each([
    ['', /the file is empty/],
    ['\n\n', /the file is empty/],
    ['a,b\n', /a header but no data rows/],
    ['a,,c\n1,2,3\n', /column 2 of the header has no name/],
    ['a,a\n1,2\n', /names column 'a' twice/],
    ['a,b\n1,2\n3\n', /line 3 has 1 fields; the header has 2/],
    ['a,b\n"1,2\n', /quoted field opened on line 2 never closes/],
  ])('refuses %j', (text, message) => {
    expect(() => parseCsv(text)).toThrow(CsvError);
    expect(() => parseCsv(text)).toThrow(message);
  });

  it('names the missing column and lists the ones there are', () => {
    expect(() => selectColumns(parseCsv('x,y\n1,2\n'), ['z'])).toThrow("there is no column 'z'; the columns are 'x', 'y'");
  });

  it.each([['abc'], [''], ['NaN'], ['Infinity'], ['1,5']])('names the row and column of the cell %j', (cell) => {
    const t = parseCsv(`x,y\n1,2\n3,"${cell}"\n`);
    expect(() => selectColumns(t, ['x', 'y'])).toThrow(`row 2, column 'y': '${cell}' is not a finite number`);
  });
});

describe('scalers', () => {
  const values = Float64Array.of(1, 10, 2, 20, 4, 40);

  it.each(['zscore', 'minmax'] as const)('%s scaling round-trips and standardises', (kind) => {
    const s = fitScaler(values, 2, kind);
    const scaled = applyScaler(s, values);
    const back = invertScaler(s, scaled);
    back.forEach((v, i) => expect(v).toBeCloseTo(values[i], 12));
    if (kind === 'minmax') expect([scaled[0], scaled[4]]).toEqual([0, 1]);
    else expect(scaled[0] + scaled[2] + scaled[4]).toBeCloseTo(0, 12);
  });

  it('log-transforms targets and refuses values <= 0', () => {
    const s = fitScaler(Float64Array.of(1, Math.E, Math.E ** 2), 1, 'none', { log: true });
    expect(Array.from(applyScaler(s, [Math.E ** 3]))).toEqual([3]);
    expect(() => fitScaler([1, 0], 1, 'zscore', { log: true })).toThrow(/value 1 is 0/);
  });

  it('gives the log-Jacobian of the change of variables', () => {
    // y' = (log y - shift) / scale: dy'/dy = 1 / (scale y).
    const s = fitScaler(Float64Array.of(1, 2, 4, 8), 1, 'zscore', { log: true });
    const y = 3;
    const h = 1e-6;
    const numeric = Math.log((applyScaler(s, [y + h])[0] - applyScaler(s, [y - h])[0]) / (2 * h));
    expect(logJacobianOf(s, [y])[0]).toBeCloseTo(numeric, 6);
  });
});

describe('train/test split', () => {
  it('partitions the rows, repeatably for a seed', () => {
    const { train, test } = splitIndices(10, 0.3, 4);
    expect(test).toHaveLength(3);
    expect([...train, ...test].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(splitIndices(10, 0.3, 4)).toEqual({ train, test });
    expect(splitIndices(10, 0.3, 5)).not.toEqual({ train, test });
    expect(Array.from(takeRows([0, 1, 10, 11, 20, 21], 2, [2, 0]))).toEqual([20, 21, 0, 1]);
  });

  it('refuses fractions that leave no rows on a side', () => {
    expect(() => splitIndices(3, 0.1, 0)).toThrow(/leaves 3 training and 0 test rows/);
    expect(() => splitIndices(3, 1, 0)).toThrow(/strictly between 0 and 1/);
  });
});
