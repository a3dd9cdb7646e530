// The command line end to end (Node + Dawn on the same adapter as the browser tier): train, predict, and
// clear errors for bad input. Runs bin/mixden.js on files written to a temporary folder.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, runMixden, writerIn } from '../support/cliRun.js';
import { inverseSine } from '../../src/mdn/datasets.js';

const dir = mkdtempSync(join(tmpdir(), 'mixden-cli-'));
const mixden = (...args: string[]) => runMixden(args);
const write = writerIn(dir);

let data: string;
beforeAll(async () => {
  await run('npm', ['run', '-s', 'build'], { timeout: 120_000 });
  const d = inverseSine(300, 1);
  data = write('isine.csv', `x,y\n${Array.from(d.x, (x, i) => `${x},${d.y[i]}`).join('\n')}\n`);
}, 180_000);

describe('mixden train and predict', () => {
  it('trains, prints one JSON object last, saves a model, and predicts from it in original units', async () => {
    const model = join(dir, 'm.mixden');
    const r = await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--hidden', '16', '--components', '6', '--steps', '300', '--lr', '0.02', '--out', model, '--json');
    expect(r.stderr).toMatch(/step 300\/300/);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ steps: 300, out: model, device: expect.stringMatching(/./) });
    // y ~ U(-10.5, 10.5) has entropy log 21 = 3.04 nats; a useful conditional model must do better.
    expect(summary.trainNll).toBeLessThan(3.04);
    expect(summary.testNll).toBeLessThan(3.04);
    expect(existsSync(model)).toBe(true);
    const p = await mixden('predict', '--model', model, '--data', data, '--samples', '3', '--json');
    const rows = JSON.parse(p.stdout);
    expect(rows).toHaveLength(300);
    // The x it belongs to first, then mean, sd and the draws of y.
    expect(Object.keys(rows[0])).toEqual(['x', 'mean_y', 'sd_y', 'sample1_y', 'sample2_y', 'sample3_y']);
    expect(Math.abs(rows[0].mean_y)).toBeLessThan(11);
    // Far more than a pipe's 64 KiB: all of it arrives before the process exits.
    const many = await mixden('predict', '--model', model, '--data', data, '--samples', '60', '--json');
    expect(many.stdout.length).toBeGreaterThan(4 * 65536);
    expect(JSON.parse(many.stdout)).toHaveLength(300);
  });

  it('exports the trained model as ONNX, which ONNX Runtime runs to the means predict prints', async () => {
    const model = join(dir, 'm.mixden');
    const onnx = join(dir, 'm.onnx');
    const r = await mixden('export', '--model', model, '--format', 'onnx', '--out', onnx);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ONNX graph \(mixture\)/);
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(readFileSync(onnx));
    const x = Float32Array.of(-3, 0, 2.5);
    const out = await session.run({ x: new ort.Tensor('float32', x, [3, 1]) });
    await session.release();
    const K = out.pi.dims[1] as number;
    const pi = out.pi.data as Float32Array;
    const mu = out.mu.data as Float32Array;
    const means = [0, 1, 2].map((row) => Array.from({ length: K }, (_, k) => pi[row * K + k] * mu[row * K + k]).reduce((a, b) => a + b, 0));
    const rows = write('three.csv', 'x\n-3\n0\n2.5\n');
    const predicted = JSON.parse((await mixden('predict', '--model', model, '--data', rows, '--json')).stdout).map((p: { mean_y: number }) => p.mean_y);
    means.forEach((m, i) => expect(Math.abs(m - predicted[i])).toBeLessThan(1e-4 * (1 + Math.abs(predicted[i]))));
    const refused = await mixden('export', '--model', model, '--format', 'tflite', '--out', join(dir, 'm.tflite'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--format must be onnx, got 'tflite'/);
  });

  it.each([
    ['a missing column', ['--x', 'x', '--y', 'z'], /there is no column 'z'; the columns are 'x', 'y'/],
    ['zero components', ['--x', 'x', '--y', 'y', '--components', '0'], /--components must be a positive integer, got '0'/],
    ['an unknown activation', ['--x', 'x', '--y', 'y', '--activation', 'swish'], /--activation must be one of identity, relu, tanh, sigmoid, elu/],
    ['an unknown layer kind', ['--x', 'x', '--y', 'y', '--layers', 'dense:8,batchNorm'], /--layers: layers\[1\] \('batchNorm'\)\.kind must be one of dense, layerNorm/],
    ['a dense layer of no units', ['--x', 'x', '--y', 'y', '--layers', 'dense:0:relu'], /--layers: layers\[0\] \('dense:0:relu'\)\.units must be an integer >= 1, got 0/],
    ['--layers with --hidden', ['--x', 'x', '--y', 'y', '--layers', 'dense:8', '--hidden', '4'], /give --layers or --hidden\/--activation, not both \(--hidden was given\)/],
    ['Student-t without its ν', ['--x', 'x', '--y', 'y', '--family', 'student-t'], /--family student-t needs --degrees-of-freedom NU/],
    ['an unknown family', ['--x', 'x', '--y', 'y', '--family', 'cauchy'], /--family must be one of gaussian, gaussian-full, laplace, student-t, von-mises, got 'cauchy'/],
    ['an unknown initialisation', ['--x', 'x', '--y', 'y', '--init', 'he'], /--init must be one of glorot, pytorch, got 'he'/],
    ['--y-log with Laplace components', ['--x', 'x', '--y', 'y', '--family', 'laplace', '--y-log'], /--y-log \(log-normal components\) is available with --family gaussian only/],
  ])('refuses %s with a message and exit code 1', async (_, args, message) => {
    const r = await mixden('train', '--data', data, ...args, '--steps', '10', '--out', join(dir, 'x.mixden'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('trains a trunk given layer by layer (--layers, short form and JSON), saved and predicted from', async () => {
    const model = join(dir, 'layers.mixden');
    const r = await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--layers', 'dense:16:tanh,layerNorm,dense:12:elu', '--components', '4', '--steps', '200', '--lr', '0.02', '--out', model, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).testNll).toBeLessThan(3.04);
    const { decodeModel } = await import('../../src/mdn/serialization.js');
    expect(decodeModel(readFileSync(model)).architecture.layers).toEqual([
      { kind: 'dense', units: 16, activation: 'tanh' },
      { kind: 'layerNorm', epsilon: 1e-5 },
      { kind: 'dense', units: 12, activation: 'elu' },
    ]);
    const p = await mixden('predict', '--model', model, '--data', data, '--quantiles', '0.5', '--json');
    expect(JSON.parse(p.stdout)).toHaveLength(300);
    const json = await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--layers', '[{"kind":"layerNorm","epsilon":0.01},{"kind":"dense","units":8}]', '--steps', '20', '--out', join(dir, 'json-layers.mixden'));
    expect(json.code).toBe(0);
    expect(decodeModel(readFileSync(join(dir, 'json-layers.mixden'))).architecture.layers).toEqual([{ kind: 'layerNorm', epsilon: 0.01 }, { kind: 'dense', units: 8, activation: 'tanh' }]);
  });

  it.each([
    ['an empty file', '', /the file is empty/],
    ['a non-numeric cell', 'x,y\n1,2\n3,abc\n', /row 2, column 'y': 'abc' is not a finite number/],
    ['NaN in the data', 'x,y\n1,2\nNaN,4\n', /row 2, column 'x': 'NaN' is not a finite number/],
  ])('refuses a CSV with %s, naming where', async (_, text, message) => {
    const r = await mixden('train', '--data', write('bad.csv', text), '--x', 'x', '--y', 'y', '--steps', '10', '--out', join(dir, 'x.mixden'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(message);
  });

  it('refuses a model file that is not one, and data without the model\'s columns', async () => {
    const bogus = await mixden('predict', '--model', write('bogus.mixden', 'hello'), '--data', data);
    expect(bogus.code).toBe(1);
    expect(bogus.stderr).toMatch(/not a mixden model file/);
    const model = join(dir, 'm2.mixden');
    await mixden('train', '--data', data, '--x', 'x', '--y', 'y', '--hidden', '4', '--steps', '10', '--out', model, '--json');
    const other = await mixden('predict', '--model', model, '--data', write('other.csv', 'a,b\n1,2\n'));
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/there is no column 'x'/);
  });
});

describe('mixden report and dataset', () => {
  it('ranks the MDN against the baselines on the bimodal problem and draws the heatmap', async () => {
    const png = join(dir, 'bimodal.png');
    const r = await mixden('report', '--dataset', 'bimodal', '--rows', '600', '--hidden', '16', '--components', '4', '--steps', '400', '--lr', '0.01', '--heatmap', png, '--json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.models.map((m: { model: string }) => m.model)).toEqual(['null model (mean, constant σ)', 'linear, constant σ', 'MLP by MSE, constant σ', 'MDN (K = 4, softplus σ)']);
    const [nullModel, linear, mlp, mdn] = out.models.map((m: { testNll: number }) => m.testNll);
    // Two branches at most x: no single Gaussian can fit them, whatever its mean.
    expect(mdn).toBeLessThan(Math.min(nullModel, linear, mlp));
    // Calibration columns for every model; the MDN's predictive distribution is also the better one by CRPS.
    for (const m of out.models) {
      expect(m.crps).toBeGreaterThan(0);
      for (const c of [m.coverage50, m.coverage90]) expect(c).toBeGreaterThanOrEqual(0);
      expect(m.coverage90).toBeGreaterThanOrEqual(m.coverage50);
    }
    expect(out.models[3].crps).toBeLessThan(Math.min(...out.models.slice(0, 3).map((m: { crps: number }) => m.crps)));
    const bytes = readFileSync(png);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    // The plot (axes, colour bar, legend, title around a 560 x 400 chart), rendered at 1.5 times its size.
    const [width, height] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
    expect(width).toBeGreaterThan(840);
    // With the PIT histogram (220 wide) beside it.
    expect(width).toBeGreaterThan(1.5 * (560 + 220));
    expect(height).toBeGreaterThan(600);
  });

  it('writes a built-in problem as CSV', async () => {
    const r = await mixden('dataset', 'heteroscedastic', '--rows', '5');
    expect(r.stdout.split('\n')[0]).toBe('x,y');
    expect(r.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('trains full-covariance components on the correlated problem and prints their Cholesky factor', async () => {
    const csv = join(dir, 'correlated.csv');
    expect((await mixden('dataset', 'correlated', '--rows', '300', '--out', csv)).code).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('x,y1,y2');
    const model = join(dir, 'full.mixden');
    const r = await mixden('train', '--data', csv, '--x', 'x', '--y', 'y1,y2', '--family', 'gaussian-full', '--hidden', '16', '--components', '2', '--steps', '100', '--lr', '0.02', '--out', model, '--json');
    expect(r.code).toBe(0);
    expect(Number.isFinite(JSON.parse(r.stdout.trim().split('\n').pop()!).testNll)).toBe(true);
    const p = await mixden('predict', '--model', model, '--data', csv, '--mixture', '--json');
    const keys = Object.keys(JSON.parse(p.stdout)[0]);
    expect(keys.slice(-6)).toEqual(['pi2', 'mu2_y1', 'sigma2_y1', 'mu2_y2', 'sigma2_y2', 'L2_y2_y1']);
    const one = await mixden('train', '--data', csv, '--x', 'x', '--y', 'y1', '--family', 'gaussian-full', '--steps', '10');
    expect(one.code).toBe(1);
    expect(one.stderr).toMatch(/family 'gaussian-full' with outputDim 1 is family 'gaussian'/);
  });
  it('trains side outputs from --bernoulli and --categorical columns and predicts their probabilities and draws', async () => {
    // A pen that lifts right of x = 0, and the half of [−1, 1] that x falls in.
    const lines = Array.from({ length: 200 }, (_, i) => {
      const x = -1 + i / 100;
      return `${x},${Math.sin(3 * x)},${x > 0 ? 1 : 0},${x < 0 ? 0 : 1}`;
    });
    const csv = write('sides.csv', `x,y,pen,half\n${lines.join('\n')}\n`);
    const model = join(dir, 'sides.mixden');
    const r = await mixden('train', '--data', csv, '--x', 'x', '--y', 'y', '--bernoulli', 'pen', '--categorical', 'half:2', '--hidden', '16', '--components', '2', '--steps', '300', '--lr', '0.02', '--out', model, '--json');
    expect(r.code).toBe(0);
    expect(Number.isFinite(JSON.parse(r.stdout.trim().split('\n').pop()!).testNll)).toBe(true);
    const p = await mixden('predict', '--model', model, '--data', csv, '--samples', '2', '--seed', '1', '--json');
    const rows = JSON.parse(p.stdout);
    expect(Object.keys(rows[0])).toEqual(['x', 'mean_y', 'sd_y', 'sample1_y', 'sample2_y', 'p_pen', 'sample1_pen', 'sample2_pen', 'p_half_0', 'p_half_1', 'sample1_half', 'sample2_half']);
    expect(rows[0].p_pen).toBeLessThan(0.2);
    expect(rows[199].p_pen).toBeGreaterThan(0.8);
    expect(rows[0].p_half_0 + rows[0].p_half_1).toBeCloseTo(1, 5);
    expect(rows.every((row: Record<string, number>) => [0, 1].includes(row.sample1_pen) && [0, 1].includes(row.sample2_half))).toBe(true);
    const bad = write('bad-sides.csv', `x,y,pen\n0,1,0\n0.5,1,2\n`);
    const refused = await mixden('train', '--data', bad, '--x', 'x', '--y', 'y', '--bernoulli', 'pen', '--steps', '10');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/bad-sides\.csv row 2, column 'pen': a bernoulli column takes 0 or 1, got 2/);
    const report = await mixden('report', '--data', csv, '--x', 'x', '--y', 'y', '--bernoulli', 'pen', '--steps', '10');
    expect(report.stderr).toMatch(/mixden report compares .* side outputs/);
  });
  it('trains von Mises components on the angular problem, its angles never scaled, and predicts on the circle', async () => {
    const csv = join(dir, 'angular.csv');
    expect((await mixden('dataset', 'angular', '--rows', '300', '--out', csv)).code).toBe(0);
    const model = join(dir, 'angular.mixden');
    const r = await mixden('train', '--data', csv, '--x', 'x', '--y', 'y', '--family', 'von-mises', '--hidden', '16', '--components', '3', '--steps', '200', '--lr', '0.02', '--out', model, '--json');
    expect(r.code).toBe(0);
    expect(Number.isFinite(JSON.parse(r.stdout.trim().split('\n').pop()!).testNll)).toBe(true);
    const p = await mixden('predict', '--model', model, '--data', csv, '--mode', '--quantiles', '0.1,0.9', '--samples', '2', '--json');
    const rows = JSON.parse(p.stdout);
    const angles = rows.flatMap((row: Record<string, number>) => [row.mean_y, row.mode_y, row['q0.1_y'], row['q0.9_y'], row.sample1_y, row.sample2_y]);
    expect(angles.every((v: number) => v > -Math.PI - 1e-9 && v <= Math.PI + 1e-9)).toBe(true);
    expect(rows.every((row: Record<string, number>) => row.circular_variance_y >= 0 && row.circular_variance_y <= 1)).toBe(true);
    const degrees = write('degrees.csv', `x,y\n${Array.from({ length: 50 }, (_, i) => `${i / 10},${(i * 7) % 360}`).join('\n')}\n`);
    const warned = await mixden('train', '--data', degrees, '--x', 'x', '--y', 'y', '--family', 'von-mises', '--steps', '5', '--out', join(dir, 'degrees.mixden'));
    expect(warned.stderr).toMatch(/takes angles in radians, but y reaches \d+; were they given in degrees\?/);
  });
});

interface ProfiledProgram {
  what: string;
  dispatches: { label: string; milliseconds: number }[];
  totalMilliseconds: number;
  wallMilliseconds: number;
  wallWhat: string;
}
const profileOf = (stdout: string): { model: string; programs: ProfiledProgram[] } => JSON.parse(stdout.trim().split('\n').pop()!);
const labelsOf = (p: ProfiledProgram) => p.dispatches.map((d) => d.label);
function expectConsistent(p: ProfiledProgram) {
  expect(p.dispatches.every((d) => Number.isFinite(d.milliseconds) && d.milliseconds >= 0)).toBe(true);
  expect(p.totalMilliseconds).toBeCloseTo(p.dispatches.reduce((a, d) => a + d.milliseconds, 0), 9);
  expect(p.wallMilliseconds).toBeGreaterThan(0);
  expect(p.wallWhat).toMatch(/^wall time per (step|predict)/);
}

describe('mixden profile', () => {
  it("times each dispatch of the inverse-sine model's training step (as many as train-seed runs) and of its inference", async () => {
    const r = await mixden('profile', '--rows', '64', '--repeats', '2', '--json');
    expect(r.code).toBe(0);
    const { model, programs } = profileOf(r.stdout);
    expect(model).toMatch(/inverse-sine model \(1 -> 24 sigmoid, 24 -> 72 identity; gaussian K 24\)/);
    const [training, inference] = programs;
    expect(training.what).toBe('training step, 64 rows');
    const seed = JSON.parse((await mixden('train-seed', '--steps', '1', '--json')).stdout.trim().split('\n').pop()!);
    expect(training.dispatches).toHaveLength(seed.dispatchesPerStep);
    expect(labelsOf(training)).toEqual(expect.arrayContaining([expect.stringMatching(/mixtureNll/), expect.stringMatching(/adam/)]));
    expect(inference.what).toBe('inference, 64 rows');
    expect(labelsOf(inference).at(-1)).toMatch(/mixtureParams/);
    programs.forEach(expectConsistent);
  });

  it('times a saved model with side outputs on targets drawn from it, and refuses a file that is not a model', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => `${i / 20},${Math.cos(i)},${i % 2},${i % 3}`);
    const csv = write('profile-sides.csv', `x,y,pen,kind\n${lines.join('\n')}\n`);
    const model = join(dir, 'profile-sides.mixden');
    expect((await mixden('train', '--data', csv, '--x', 'x', '--y', 'y', '--bernoulli', 'pen', '--categorical', 'kind:3', '--family', 'laplace', '--hidden', '8', '--steps', '5', '--out', model)).code).toBe(0);
    const r = await mixden('profile', '--model', model, '--rows', '50', '--repeats', '2', '--json');
    expect(r.code).toBe(0);
    const { programs } = profileOf(r.stdout);
    expect(programs.map((p) => p.what)).toEqual(['training step, 50 rows', 'inference, 50 rows']);
    expect(labelsOf(programs[0])).toEqual(expect.arrayContaining([expect.stringMatching(/mixtureNll/), expect.stringMatching(/sideOutputs\[loss/)]));
    programs.forEach(expectConsistent);
    const refused = await mixden('profile', '--model', csv);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/mixden profile: not a mixden model file/);
  });
});
