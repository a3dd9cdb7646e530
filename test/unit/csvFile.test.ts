// Streaming CSV columns from a file: the same answers as parsing the whole text, whatever the chunk size,
// and memory that follows the numbers kept rather than the file's size.
import { mkdtempSync, statSync, writeFileSync, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvColumns } from '../../src/host/csvFile.js';
import { CsvError, parseCsv, selectColumns } from '../../src/mdn/data/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'mixden-csv-'));
const write = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('readCsvColumns', () => {
  const text = '\uFEFFid,"x, the input",y\r\n"a\r\nb",1.5,-2\r\n\r\nplain,"3e2",4\r\n"q""uote",5,6';
  const path = write('tricky.csv', text);

  it.each([1, 2, 3, 5, 7, 12, 65536])('gives what parsing the whole text gives, in %i-byte pieces', async (chunk) => {
    const table = parseCsv(text);
    const [x, y] = await readCsvColumns(path, [['x, the input'], ['y']], chunk);
    expect(Array.from(x)).toEqual(Array.from(selectColumns(table, ['x, the input'])));
    expect(Array.from(y)).toEqual(Array.from(selectColumns(table, ['y'])));
  });

  it.each([
    ['', /the file is empty/],
    ['a,b\n', /a header but no data rows/],
    ['a,b\n1,2\n3,x\n', /row 2, column 'b': 'x' is not a finite number/],
    ['a,b\n1,2\n3\n', /line 3 has 1 fields; the header has 2/],
    ['a,c\n1,2\n', /there is no column 'b'; the columns are 'a', 'c'/],
  ])('refuses %j with the same errors', async (content, message) => {
    await expect(readCsvColumns(write('bad.csv', content), [['a'], ['b']], 3)).rejects.toThrow(CsvError);
    await expect(readCsvColumns(write('bad.csv', content), [['a'], ['b']], 3)).rejects.toThrow(message);
  });

  it('reads a file larger than the memory it keeps (1,000,000 rows)', async () => {
    const path = join(dir, 'large.csv');
    await new Promise<void>((resolve) => {
      const out = createWriteStream(path);
      out.write('a,b,label,c\n');
      const block: string[] = [];
      for (let i = 0; i < 1_000_000; i++) {
        block.push(`${i},${(i * 0.5).toFixed(3)},"row number ${i}, padded with text",${-i}`);
        if (block.length === 10_000) {
          out.write(`${block.join('\n')}\n`);
          block.length = 0;
        }
      }
      out.end(resolve);
    });
    const fileBytes = statSync(path).size;
    // Live memory, after a forced collection (the unit tier runs with --expose-gc): what the reader holds.
    const gc = (globalThis as { gc?: () => void }).gc;
    expect(gc, 'the unit tier must run with --expose-gc').toBeTypeOf('function');
    const live = () => (gc!(), process.memoryUsage().heapUsed);
    const before = live();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, live())), 100);
    const [b] = await readCsvColumns(path, [['b']]);
    clearInterval(sampler);
    peak = Math.max(peak, live());
    expect(b.length).toBe(1_000_000);
    expect(b[999_999]).toBe(499_999.5);
    // Kept: one column of 8-byte numbers (8 MB, held as a JS array while reading); the file is ~60 MB of text.
    expect(fileBytes).toBeGreaterThan(50e6);
    expect(peak - before).toBeLessThan(fileBytes / 4);
  }, 60_000);
});
