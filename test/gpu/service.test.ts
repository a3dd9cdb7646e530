// The Node HTTP example (examples/http-service.mjs): JSON in and out, concurrent requests batched, bad
// requests answered 400. Runs in a child process (Dawn needs its Vulkan driver chosen at process start).
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'mixden-service-'));
const modelPath = join(dir, 'bimodal.mixden');
let child: ChildProcess;
let base: string;

beforeAll(async () => {
  const run = promisify(execFile);
  await run('npm', ['run', '-s', 'build'], { timeout: 120_000 });
  const model = modelPath;
  await run(process.execPath, ['bin/mixden.js', 'train', '--dataset', 'bimodal', '--rows', '400', '--hidden', '8', '--steps', '50', '--out', model, '--json'], { timeout: 120_000 });
  // The launcher picks the Vulkan driver; the service module is started through it by a one-line script.
  child = spawn(process.execPath, ['bin/mixden.js', 'serve-example'], { env: { ...process.env, MODEL: model, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d) => process.env.SERVICE_DEBUG && console.log(String(d)));
  base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(String(d));
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    });
    child.on('exit', (code) => reject(new Error(`service exited with ${code}`)));
  });
}, 240_000);

afterAll(async () => {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
});

const post = async (path: string, body: unknown) => {
  const r = await fetch(`${base}${path}`, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
};

describe('examples/http-service.mjs', () => {
  it('answers /sample and /logprob with JSON, batching concurrent requests', async () => {
    const requests = Array.from({ length: 8 }, (_, i) => post('/sample', { x: [[i / 4]], n: 3, seed: 1 }));
    const answers = await Promise.all(requests);
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.json.samples).toHaveLength(1);
      expect(a.json.samples[0]).toHaveLength(3);
      expect(a.json.samples[0][0]).toHaveLength(1);
    }
    const lp = await post('/logprob', { x: [[0], [8]], y: [[0], [4]] });
    expect(lp.status).toBe(200);
    expect(lp.json.logProb).toHaveLength(2);
    expect(lp.json.logProb.every(Number.isFinite)).toBe(true);
  });

  it('answers 400 with a JSON error for bad requests, and 404 elsewhere', async () => {
    expect(await post('/sample', 'not json')).toMatchObject({ status: 400 });
    expect(await post('/sample', { x: [[1, 2]] })).toMatchObject({ status: 400, json: { error: 'x must be a non-empty array of rows of 1 finite numbers' } });
    expect(await post('/logprob', { x: [[1]], y: [[1], [2]] })).toMatchObject({ status: 400 });
    expect((await post('/other', {})).status).toBe(404);
  });
});

describe('examples/http-service.mjs under load and abuse', () => {
  it('refuses oversized bodies, too many rows and bad sample counts with 4xx JSON', async () => {
    const big = JSON.stringify({ x: Array.from({ length: 200_000 }, () => [0.123456789]) });
    expect(await post('/sample', big)).toMatchObject({ status: 413, json: { error: 'the body is over 1048576 bytes' } });
    expect(await post('/sample', { x: Array.from({ length: 10_001 }, () => [0]) })).toMatchObject({ status: 413, json: { error: 'x has 10001 rows; the limit is 10000 per request' } });
    expect(await post('/sample', { x: [[0]], n: 0 })).toMatchObject({ status: 400, json: { error: 'n must be an integer from 1 to 1000' } });
    expect(await post('/sample', '123')).toMatchObject({ status: 400, json: { error: 'the body must be a JSON object' } });
  });

  it('stops with its launcher on SIGTERM: the server the launcher runs is not left behind', async () => {
    const second = spawn(process.execPath, ['bin/mixden.js', 'serve-example'], { env: { ...process.env, MODEL: modelPath, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve) => second.stdout!.on('data', (d) => {
      const m = /http:\/\/127\.0\.0\.1:(\d+)/.exec(String(d));
      if (m) resolve(`http://127.0.0.1:${m[1]}`);
    }));
    expect((await fetch(`${url}/logprob`, { method: 'POST', body: JSON.stringify({ x: [[0]], y: [[0]] }) })).status).toBe(200);
    const exited = new Promise((resolve) => second.once('exit', resolve));
    second.kill('SIGTERM');
    await exited;
    await expect(fetch(`${url}/logprob`, { method: 'POST', body: '{}' })).rejects.toThrow();
  });

  it('keeps serving a bounded loopback load: 600 requests, 40 at a time, none failed', async () => {
    const total = 600;
    const concurrency = 40;
    let next = 0;
    const statuses: number[] = [];
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const r = i % 2 ? await post('/sample', { x: [[i / total], [1 - i / total]], n: 2, seed: i }) : await post('/logprob', { x: [[0.5]], y: [[i / total]] });
        statuses.push(r.status);
      }
    };
    const started = Date.now();
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = (Date.now() - started) / 1000;
    const served = statuses.filter((s) => s === 200).length;
    const busy = statuses.filter((s) => s === 503).length;
    console.log(`load test: ${total} requests, ${served} served, ${busy} answered busy, ${total - served - busy} failed, in ${seconds.toFixed(1)} s; statuses ${JSON.stringify([...new Set(statuses)])}`);
    expect(served + busy).toBe(total); // nothing failed; 40 in flight stays under the 64 limit, so all are served
    expect(served).toBe(total);
    // Still answering afterwards.
    expect((await post('/logprob', { x: [[0]], y: [[0]] })).status).toBe(200);
  }, 120_000);
});
