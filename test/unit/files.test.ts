// Files users own: written atomically (a failed write leaves the previous file whole), output paths checked
// before long work, and CSV input bounded (a line with no end, a huge cell, values past float32).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOutputPath, writeFileAtomic, writeWithFallback } from '../../src/host/atomicFile.js';
import { readCsvColumns } from '../../src/host/csvFile.js';
import { MAX_CELL_CHARS, parseCsv, selectColumns } from '../../src/mdn/data/csv.js';

const dir = mkdtempSync(join(tmpdir(), 'mixden-files-'));

describe('atomic writes', () => {
  it('replace the file whole and leave no temporary file behind', () => {
    const path = join(dir, 'model.bin');
    writeFileAtomic(path, 'old');
    writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    expect(Array.from(readFileSync(path))).toEqual([1, 2, 3]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('that fail leave the previous file as it was and say so', () => {
    const path = join(dir, 'kept.bin');
    writeFileAtomic(path, 'previous');
    // A directory where the temporary file would go cannot hold it: make the target's directory vanish instead.
    expect(() => writeFileAtomic(join(dir, 'missing-dir', 'x.bin'), 'data')).toThrow(/could not write .*missing-dir.*nothing was written there/);
    expect(readFileSync(path, 'utf8')).toBe('previous');
  });

  // A full disk: a small tmpfs, as root; elsewhere (no root, no mount) the case says why it cannot run.
  const mount = join(dir, 'full');
  mkdirSync(mount);
  let mounted = false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mount], { stdio: 'ignore' });
    mounted = true;
  } catch {
    // not root, or no mount in this sandbox
  }
  afterAll(() => {
    if (mounted) execFileSync('umount', [mount]);
  });

  it.skipIf(!mounted)('on a full disk (64 KiB tmpfs) keep the previous model intact, and the fallback saves the new one elsewhere', () => {
    const path = join(mount, 'model.mixden');
    const previous = new Uint8Array(16 * 1024).fill(7);
    writeFileAtomic(path, previous);
    const larger = new Uint8Array(60 * 1024).fill(9);
    expect(() => writeFileAtomic(path, larger)).toThrow(/could not write .*ENOSPC.*the file that was there is unchanged/);
    expect(readFileSync(path).equals(Buffer.from(previous))).toBe(true);
    const fallbackDir = join(dir, 'fallback');
    mkdirSync(fallbackDir);
    const saved = writeWithFallback(path, larger, [fallbackDir]);
    expect(saved.failure).toMatch(/ENOSPC/);
    expect(saved.path.startsWith(fallbackDir)).toBe(true);
    expect(readFileSync(saved.path).equals(Buffer.from(larger))).toBe(true);
    expect(readFileSync(path).equals(Buffer.from(previous))).toBe(true);
    expect(readdirSync(mount).filter((f) => f.includes('.tmp'))).toEqual([]);
  });
  if (!mounted) it.skip('full-disk case: mounting a tmpfs needs root and a mount namespace this run does not have', () => {});
});

describe('output paths', () => {
  it('refuse an input file, also through another spelling of its path', () => {
    const data = join(dir, 'data.csv');
    writeFileSync(data, 'x,y\n1,2\n');
    expect(() => checkOutputPath('out', join(dir, '.', 'data.csv'), [data])).toThrow(/--out .* is the input file .*data.csv; choose another path/);
    expect(readFileSync(data, 'utf8')).toBe('x,y\n1,2\n');
  });

  it('create a missing directory, and refuse one that cannot exist', () => {
    checkOutputPath('out', join(dir, 'new', 'deeper', 'model.mixden'), []);
    expect(existsSync(join(dir, 'new', 'deeper'))).toBe(true);
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    expect(() => checkOutputPath('out', join(file, 'model.mixden'), [])).toThrow(/--out .* cannot be written .*nothing was trained/);
  });
});

describe('CSV input bounds', () => {
  it('stops a line with no end at a stated length, naming it and echoing only a short prefix', async () => {
    const path = join(dir, 'zeros.csv');
    writeFileSync(path, `x,y\n${'0'.repeat(5_000_000)}`);
    const error = await readCsvColumns(path, [['x'], ['y']]).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(new RegExp(`line 2: field 1 is longer than ${MAX_CELL_CHARS.toLocaleString('en')} characters \\(it starts '0{32}…'\\)`));
    expect((error as Error).message.length).toBeLessThan(200);
  });

  it('stops a line of many short fields at its own limit', () => {
    expect(() => parseCsv(`a\n${'1,'.repeat(600_000)}`)).toThrow(/line 2 is longer than 1,048,576 characters/);
  });

  it('refuses values beyond float32, naming row and column', () => {
    const table = parseCsv('x,y\n1,2\n3,1e200\n');
    expect(() => selectColumns(table, ['y'])).toThrow(/row 2, column 'y': 1e200 is beyond float32's range/);
  });

  it('escapes control characters of a cell or column name it echoes', () => {
    const table = parseCsv('x,y\n1,\u001b[31mred\n');
    expect(() => selectColumns(table, ['y'])).toThrow("row 1, column 'y': '\\u001b[31mred' is not a finite number");
  });
});
