// The command line on sequences (Node + Dawn): the stroke set written, a sequence model trained on it with a
// letter condition (stateful windows of 8 steps), letters generated as CSV and pictures (and continued from a
// primed start); and bad sequence files refused naming the row.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, runMixden, writerIn } from '../support/cliRun.js';

const dir = mkdtempSync(join(tmpdir(), 'mixden-cli-sequences-'));
const mixden = (...args: string[]) => runMixden(args, { timeout: 180_000 });
const write = writerIn(dir);

beforeAll(async () => {
  await run('npm', ['run', '-s', 'build'], { timeout: 120_000 });
}, 180_000);

describe('mixden on sequences', () => {
  it('dataset strokes → train --sequence → generate letters as CSV, SVG and PNG', async () => {
    const strokes = join(dir, 'strokes.csv');
    expect((await mixden('dataset', 'strokes', '--letters', 'abc', '--per-letter', '6', '--seed', '2', '--out', strokes)).code).toBe(0);
    const lines = readFileSync(strokes, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('sequence,dx,dy,pen,letter');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(18);
    const model = join(dir, 'strokes.mixden');
    const r = await mixden('train', '--sequence', 'sequence', '--data', strokes, '--y', 'dx,dy', '--categorical', 'pen:3', '--condition', 'letter', '--layers', 'gru:12', '--family', 'gaussian-full', '--components', '3', '--stop', 'pen=2', '--steps', '30', '--batch', '8', '--window', '8', '--stateful', '--test-fraction', '0.2', '--out', model, '--json');
    expect(r.code).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ steps: 30, out: model });
    expect(Number.isFinite(summary.testNll)).toBe(true);
    const csv = join(dir, 'generated.csv');
    const svg = join(dir, 'generated.svg');
    const g = await mixden('generate', '--model', model, '--condition', 'letter=a|c', '--count', '3', '--max-steps', '20', '--seed', '4', '--out', csv, '--picture', svg, '--json');
    expect(g.code).toBe(0);
    const generated = JSON.parse(g.stdout.trim().split('\n').pop()!);
    expect(generated.sequences).toBe(6);
    expect(generated.lengths.every((n: number) => n >= 1 && n <= 20)).toBe(true);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    expect(rows[0]).toBe('sequence,dx,dy,pen,letter');
    expect(rows.length - 1).toBe(generated.lengths.reduce((a: number, b: number) => a + b, 0));
    expect(rows.at(-1)!.endsWith(',c')).toBe(true);
    expect(readFileSync(svg, 'utf8')).toMatch(/^<svg[^]*<path clip-path="url\(#cell0\)" d="M/);
    // The same seed draws the same letters; the PNG is a PNG.
    const again = await mixden('generate', '--model', model, '--condition', 'letter=a|c', '--count', '3', '--max-steps', '20', '--seed', '4', '--picture', join(dir, 'g.png'));
    expect(again.stdout).toBe(readFileSync(csv, 'utf8'));
    expect(readFileSync(join(dir, 'g.png')).subarray(1, 4).toString()).toBe('PNG');
    // --prime: the first 5 steps of a free-running letter, continued, are the rest of that letter, step for step.
    const free = join(dir, 'free.csv');
    expect((await mixden('generate', '--model', model, '--condition', 'letter=b', '--count', '1', '--max-steps', '12', '--stop', 'none', '--seed', '9', '--out', free)).code).toBe(0);
    const freeRows = readFileSync(free, 'utf8').trim().split('\n');
    const primeFile = write('prime.csv', `${freeRows.slice(0, 6).join('\n')}\n`);
    const continued = await mixden('generate', '--model', model, '--condition', 'letter=b', '--count', '1', '--max-steps', '7', '--stop', 'none', '--seed', '9', '--prime', primeFile);
    expect(continued.code).toBe(0);
    expect(continued.stdout.trim().split('\n').slice(1)).toEqual(freeRows.slice(6));
    expect((await mixden('generate', '--model', model, '--condition', 'letter=b', '--prime', primeFile, '--prime-sequence', '7')).stderr).toMatch(/--prime .*prime\.csv: there is no sequence '7' in column 'sequence'/);
    const bad = await mixden('generate', '--model', model, '--condition', 'letter=q');
    expect(bad.stderr).toMatch(/'q' is not a class of 'letter' \(it has 'a', 'b', 'c'\)/);
    expect(existsSync(model)).toBe(true);
  });

  it('profile --model: GPU time of each dispatch of a training step over windows and of a generated step', async () => {
    const strokes = join(dir, 'profile-strokes.csv');
    expect((await mixden('dataset', 'strokes', '--letters', 'ab', '--per-letter', '5', '--out', strokes)).code).toBe(0);
    const saved = join(dir, 'profile-strokes.mixden');
    expect((await mixden('train', '--sequence', 'sequence', '--data', strokes, '--y', 'dx,dy', '--categorical', 'pen:3', '--condition', 'letter', '--layers', 'gru:8', '--family', 'gaussian-full', '--components', '3', '--steps', '3', '--out', saved)).code).toBe(0);
    const r = await mixden('profile', '--model', saved, '--sequences', '4', '--steps', '8', '--count', '16', '--repeats', '2', '--json');
    expect(r.code).toBe(0);
    const { model, programs } = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(model).toMatch(/-> 8 gru, 8 -> \d+ identity; gaussian-full K 3/);
    const [training, generation] = programs as { what: string; dispatches: { label: string; milliseconds: number }[]; totalMilliseconds: number; wallMilliseconds: number; wallWhat: string }[];
    expect(training.what).toBe('training step, 4 sequences x 8 steps');
    expect(training.dispatches.map((d) => d.label)).toEqual(expect.arrayContaining([expect.stringMatching(/recurrent(Forward|Step)\[gru/), expect.stringMatching(/recurrentBackward(Step)?\[gru/), expect.stringMatching(/adam/)]));
    expect(generation.what).toBe('generated step, 16 sequences');
    expect(generation.dispatches.map((d) => d.label)).toEqual(expect.arrayContaining([expect.stringMatching(/recurrentStep\[gru/), expect.stringMatching(/sequenceFeedback/)]));
    for (const p of [training, generation]) expect(p.totalMilliseconds).toBeCloseTo(p.dispatches.reduce((a, d) => a + d.milliseconds, 0), 9);
    expect(generation.wallWhat).toBe('wall time per step (20 in one submit, read back)');
    expect(generation.wallMilliseconds).toBeGreaterThan(0);
  });

  it('refuses --stateful without --window (nothing to carry between windows)', async () => {
    const path = write('short.csv', 'id,y\n1,0.1\n1,0.2\n');
    const r = await mixden('train', '--sequence', 'id', '--data', path, '--y', 'y', '--stateful', '--out', join(dir, 'never.mixden'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--stateful carries the state from one window of a sequence to the next: give --window too/);
  });

  it.each([
    ['rows of one sequence apart', 'id,y,c\n1,0.1,a\n1,0.2,a\n2,0.3,b\n1,0.4,a\n', /row 4: sequence '1' continues after rows of other sequences/],
    ['a condition changing inside a sequence', 'id,y,c\n1,0.1,a\n1,0.2,b\n', /row 2, column 'c': sequence '1' changes its condition from 'a' to 'b'/],
    ['a sequence past the step limit', `id,y\n${Array.from({ length: 10_001 }, () => '7,0.5').join('\n')}\n`, /row 10001: sequence '7' passes the limit of 10000 steps/],
    ['a target that is not a number', 'id,y\n1,0.1\n1,x\n', /row 2, column 'y': 'x' is not a finite number/],
  ])('refuses %s, naming the row', async (_, text, message) => {
    const path = write(`bad-${text.length}.csv`, text);
    const condition = text.startsWith('id,y,c') ? ['--condition', 'c'] : [];
    const r = await mixden('train', '--sequence', 'id', '--data', path, '--y', 'y', ...condition, '--steps', '1', '--out', join(dir, 'never.mixden'));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
    expect(existsSync(join(dir, 'never.mixden'))).toBe(false);
  });
});
