// The command line as a new or careless user meets it: help and version, "did you mean", predictions that say
// which x they belong to, and the reliability checks that must hold before any training starts.
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, runMixden, writerIn } from '../support/cliRun.js';
import { bimodal } from '../../src/mdn/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'mixden-cli-usability-'));
// Runs in `dir`, so that any fallback file lands there and not in the repository.
const mixden = (...args: string[]) => runMixden(args, { cwd: dir });
const write = writerIn(dir);

let data: string;
let model: string;
beforeAll(async () => {
  await run('npm', ['run', '-s', 'build'], { timeout: 120_000 });
  const d = bimodal(300, 4);
  data = write('bimodal.csv', `x,y\n${Array.from(d.x, (x, i) => `${x},${d.y[i]}`).join('\n')}\n`);
  model = join(dir, 'bimodal.mixden');
  const r = await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--hidden', '12', '--components', '3', '--steps', '200', '--lr', '0.01', '--out', model, '--json');
  expect(r.code, r.stderr).toBe(0);
}, 240_000);

describe('help, version and mistakes', () => {
  it('prints the commands for --help, -h and help, and a command\'s options for `<command> --help` and `help <command>`', async () => {
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = await mixden(...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/usage: mixden <command>[\s\S]*train[\s\S]*predict[\s\S]*report/);
    }
    for (const args of [['train', '--help'], ['train', '-h'], ['help', 'train']]) {
      const r = await mixden(...args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: mixden train \(--data file.csv/);
    }
  });

  it('prints the version, and exits non-zero for a bare `mixden` or an unknown command, suggesting the nearest', async () => {
    expect((await mixden('--version')).stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
    const bare = await mixden();
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/usage: mixden <command>/);
    const typo = await mixden('trian');
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/unknown command 'trian'; did you mean 'train'\?/);
  });

  it.each([
    [['--step', '5'], /unknown option --step for mixden train; did you mean --steps\?/],
    [['--seed', '1.5'], /--seed must be an integer from 0 to 4,294,967,295, got '1.5'/],
    [['--seed', 'abc'], /--seed must be an integer from 0 to 4,294,967,295, got 'abc'/],
    [['--y', 'x'], /column 'x' is named in both --x and --y/],
    [['--lr', '-1'], /--lr needs a value; one that starts with '-' is written --lr=-1/],
    [['--lr=-1'], /--lr must be a number in \(0, 10\], got '-1'/],
  ])('refuses %j before training, naming the option', async (extra, message) => {
    const args = ['train', '--data', data, '--x', 'x', '--y', 'y', '--steps', '5', '--out', join(dir, 'never.mixden')];
    // A later --y replaces the first.
    const r = await mixden(...args, ...extra);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'never.mixden'))).toBe(false);
  });

  it.each(['-5', '0', '1.5', 'abc', '15e6'])('refuses dataset --rows %s, naming the limit', async (rows) => {
    const r = await mixden('dataset', 'bimodal', `--rows=${rows}`);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--rows must be a positive integer|--rows must be an integer from 1 to 1,000,000/);
  });
});

describe('predict', () => {
  it('echoes the x of each row and prints quantiles, the mode and the mixture in original units', async () => {
    const xs = write('xs.csv', 'x\n-8\n0\n8\n');
    const r = await mixden('predict', '--model', model, '--data', xs, '--quantiles', '0.05,0.5,0.95', '--mode', '--mixture', '--json');
    expect(r.code, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout);
    expect(rows.map((row: Record<string, number>) => row.x)).toEqual([-8, 0, 8]);
    expect(Object.keys(rows[0])).toEqual(['x', 'mean_y', 'sd_y', 'q0.05_y', 'q0.5_y', 'q0.95_y', 'mode_y', 'pi1', 'mu1_y', 'sigma1_y', 'pi2', 'mu2_y', 'sigma2_y', 'pi3', 'mu3_y', 'sigma3_y']);
    for (const row of rows) {
      expect(row['q0.05_y']).toBeLessThan(row['q0.5_y']);
      expect(row['q0.5_y']).toBeLessThan(row['q0.95_y']);
      expect(row.pi1 + row.pi2 + row.pi3).toBeCloseTo(1, 5);
      // The mean from the mixture columns, in the same (original) units.
      expect(row.pi1 * row.mu1_y + row.pi2 * row.mu2_y + row.pi3 * row.mu3_y).toBeCloseTo(row.mean_y, 4);
    }
    // At x = 8 the data has two branches about 8 apart: the spread shows them, in original units.
    expect(rows[2].sd_y).toBeGreaterThan(2);
  });

  it('draws fresh samples unless --seed is given', async () => {
    const xs = write('x1.csv', 'x\n3\n');
    const draw = async (...seed: string[]) => (await mixden('predict', '--model', model, '--data', xs, '--samples', '4', ...seed)).stdout;
    expect(await draw('--seed', '3')).toBe(await draw('--seed', '3'));
    expect(await draw()).not.toBe(await draw());
  });

  it('prints column names from a model file with their control characters escaped', async () => {
    const escaped = write('escapes.csv', `x\u001b[31m,y\n${Array.from({ length: 40 }, (_, i) => `${i / 10},${i % 3}`).join('\n')}\n`);
    const m = join(dir, 'escapes.mixden');
    expect((await mixden('train', '--data', escaped, '--x', 'x\u001b[31m', '--y', 'y', '--steps', '5', '--hidden', '4', '--out', m)).code).toBe(0);
    const r = await mixden('predict', '--model', m, '--data', escaped);
    expect(r.stdout.split('\n')[0]).toBe('x\\u001b[31m,mean_y,sd_y');
    expect(r.stdout).not.toContain('\u001b');
  });
});

describe('the user\'s files', () => {
  it('refuses an --out that is the --data file, leaving the CSV as it was', async () => {
    const before = readFileSync(data, 'utf8');
    const r = await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--steps', '5', '--out', join(dir, '.', 'bimodal.csv'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/is the input file/);
    expect(readFileSync(data, 'utf8')).toBe(before);
  });

  it('refuses an --out that cannot be written before training, and creates a missing directory', async () => {
    const blocked = await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--steps', '3000', '--out', join(data, 'model.mixden'));
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/cannot be written .*nothing was trained/);
    expect(blocked.stderr).not.toMatch(/step \d+/);
    const nested = join(dir, 'a', 'b', 'model.mixden');
    const ok = await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--steps', '5', '--hidden', '4', '--out', nested);
    expect(ok.code, ok.stderr).toBe(0);
    expect(existsSync(nested)).toBe(true);
  });

  it('refuses report --heatmap with two x columns before training, not after it', async () => {
    const two = write('two.csv', `a,b,y\n${Array.from({ length: 30 }, (_, i) => `${i},${i % 7},${i % 5}`).join('\n')}\n`);
    const r = await mixden('report', '--data', two, '--x', 'a,b', '--y', 'y', '--steps', '3000', '--heatmap', join(dir, 'h.png'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--heatmap draws p\(y \| x\) for one x and one y column; this run has 2 and 1/);
    expect(r.stderr).not.toMatch(/step \d+/);
  });

  it('refuses targets beyond float32 at load, naming row and column, instead of training an unusable model', async () => {
    const huge = write('huge.csv', 'x,y\n1,2\n2,1e200\n3,4\n');
    const r = await mixden('train', '--data', huge, '--x', 'x', '--y', 'y', '--steps', '5', '--out', join(dir, 'huge.mixden'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/row 2, column 'y': 1e200 is beyond float32's range/);
  });

  it('stops at a line with no end, quickly and with a short message', async () => {
    const endless = write('endless.csv', `x,y\n${'7'.repeat(20_000_000)}`);
    const r = await mixden('train', '--data', endless, '--x', 'x', '--y', 'y', '--steps', '5', '--out', join(dir, 'e.mixden'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/line 2: field 1 is longer than 65,536 characters \(it starts '7{32}…'\)/);
    expect(r.stderr.length).toBeLessThan(400);
    expect(r.seconds).toBeLessThan(20);
  });

  it('leaves no temporary files beside the models it wrote', () => {
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
