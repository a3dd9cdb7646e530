// The Node HTTP example (examples/http-service.mjs): JSON in and out, concurrent requests batched, bad
// requests answered 4xx, and the process alive and bounded under the heaviest legal load and slow clients.
// Runs in a child process, started as a user would (`mixden serve-example`), over loopback only.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'mixden-service-'));
const modelPath = join(dir, 'bimodal.mixden');
let child: ChildProcess;
let base: string;
let childErrors = '';
// Short body deadline, so the slow-client test ends within seconds.
const SERVICE_LIMITS = { bodyMilliseconds: 1500 };

beforeAll(async () => {
  const run = promisify(execFile);
  await run('npm', ['run', '-s', 'build'], { timeout: 120_000 });
  const model = modelPath;
  await run(process.execPath, ['bin/mixden.js', 'train', '--dataset', 'bimodal', '--rows', '400', '--hidden', '8', '--steps', '50', '--out', model, '--json'], { timeout: 120_000 });
  // The launcher picks the Vulkan driver; the service module is started through it by a one-line script.
  child = spawn(process.execPath, ['bin/mixden.js', 'serve-example'], { env: { ...process.env, MODEL: model, PORT: '0', SERVICE_LIMITS: JSON.stringify(SERVICE_LIMITS) }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.on('data', (d) => {
    childErrors += String(d);
    if (process.env.SERVICE_DEBUG) console.log(String(d));
  });
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

const post = async (path: string, body: unknown, contentType = 'application/json') => {
  const r = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: r.status, json: await r.json() };
};

// Peak resident memory of the service process so far (Linux), in MiB.
const peakMiB = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;

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
    expect((await fetch(`${url}/logprob`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: [[0]], y: [[0]] }) })).status).toBe(200);
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

  it('gives the same samples for the same request and seed, batched with others or not', async () => {
    const request = { x: [[0.5]], n: 3, seed: 7 };
    const together = await Promise.all([post('/sample', request), post('/sample', request), post('/sample', { x: [[0.1], [0.2]], n: 3, seed: 7 }), post('/sample', { x: [[0.5]], n: 3 })]);
    const alone = await post('/sample', request);
    expect(together[0].json.samples).toEqual(alone.json.samples);
    expect(together[1].json.samples).toEqual(alone.json.samples);
    // Unseeded requests draw afresh.
    const fresh = await Promise.all([post('/sample', { x: [[0.5]], n: 3 }), post('/sample', { x: [[0.5]], n: 3 })]);
    expect(fresh[0].json.samples).not.toEqual(fresh[1].json.samples);
  });

  it.each([
    ['temperature Infinity (sent as null)', { temperature: null }, 'temperature'],
    ['temperature -1', { temperature: -1 }, 'temperature'],
    ['temperature "hot"', { temperature: 'hot' }, 'temperature'],
    ['sigmaTemperature -1', { sigmaTemperature: -1 }, 'sigmaTemperature'],
    ['sigmaTemperature 1e39', { sigmaTemperature: 1e39 }, 'sigmaTemperature'],
    ['seed -1', { seed: -1 }, 'seed'],
    ['seed 1.5', { seed: 1.5 }, 'seed'],
    ['seed 2^32', { seed: 2 ** 32 }, 'seed'],
    ['seed "abc"', { seed: 'abc' }, 'seed'],
  ])('answers a bad sampling option, %s, with 400 naming it', async (_, option, field) => {
    const r = await post('/sample', { x: [[0.5]], n: 2, ...option });
    expect(r.status).toBe(400);
    expect(r.json.error).toMatch(new RegExp(`^${field} must be`));
  });

  it('takes only application/json bodies (a cross-site form or text/plain post is refused)', async () => {
    expect(await post('/sample', { x: [[0.5]] }, 'text/plain')).toMatchObject({ status: 415, json: { error: 'the body must be sent as application/json' } });
  });

  it('refuses, before computing it, a request for more sample values than it may answer', async () => {
    const r = await post('/sample', { x: Array.from({ length: 10_000 }, () => [0.5]), n: 1000 });
    expect(r).toMatchObject({ status: 413, json: { error: 'this request asks for 10000000 sample values (rows x n x 1); the limit is 1000000 per request' } });
  });

  it('survives the largest legal load: six of the heaviest requests at once, then a burst of small ones, in bounded memory', async () => {
    const heaviest = { x: Array.from({ length: 10_000 }, (_, i) => [i / 10_000]), n: 100 };
    const started = Date.now();
    const heavy = await Promise.all(Array.from({ length: 6 }, async () => {
      const r = await fetch(`${base}/sample`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(heaviest) });
      const text = await r.text();
      return { status: r.status, rows: r.status === 200 ? JSON.parse(text).samples.length : 0 };
    }));
    const burst = await Promise.all(Array.from({ length: 100 }, (_, i) => post('/logprob', { x: [[i / 100]], y: [[0]] })));
    const statuses = [...heavy.map((h) => h.status), ...burst.map((b) => b.status)];
    const peak = peakMiB();
    console.log(`largest legal load: heavy ${JSON.stringify(heavy.map((h) => h.status))}, burst ${JSON.stringify([...new Set(burst.map((b) => b.status))])}, ${((Date.now() - started) / 1000).toFixed(1)} s, peak RSS ${peak.toFixed(0)} MiB`);
    // Served whole, or refused as busy (4 million sample values in flight at most): nothing else.
    expect(statuses.every((s) => s === 200 || s === 503)).toBe(true);
    expect(heavy.filter((h) => h.status === 200).every((h) => h.rows === 10_000)).toBe(true);
    expect(heavy.some((h) => h.status === 200)).toBe(true);
    // Memory bound: the process (Dawn and SwiftShader included) stays under 1 GiB; before the limits, three such requests took 3.7 GB.
    expect(peak).toBeLessThan(1024);
    expect((await post('/logprob', { x: [[0]], y: [[0]] })).status).toBe(200);
    expect(childErrors).not.toMatch(/Error|internal/);
  }, 180_000);

  it('serves other clients while slow ones trickle their bodies, and times the slow ones out with 408', async () => {
    const port = Number(new URL(base).port);
    const slow = Array.from({ length: 64 }, () => {
      const socket = connect(port, '127.0.0.1');
      let answer = '';
      socket.on('data', (d) => (answer += String(d)));
      socket.on('error', () => {});
      socket.write('POST /sample HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{');
      const timer = setInterval(() => socket.write(' '), 500);
      return { socket, timer, answer: () => answer };
    });
    try {
      const started = Date.now();
      const others = await Promise.all(Array.from({ length: 10 }, (_, i) => post('/logprob', { x: [[i / 10]], y: [[0]] })));
      const seconds = (Date.now() - started) / 1000;
      expect(others.map((o) => o.status)).toEqual(Array(10).fill(200));
      expect(seconds).toBeLessThan(1.5);
      await new Promise((resolve) => setTimeout(resolve, SERVICE_LIMITS.bodyMilliseconds + 1000));
      expect(slow.filter((s) => /^HTTP\/1.1 408/.test(s.answer())).length).toBe(64);
    } finally {
      for (const s of slow) {
        clearInterval(s.timer);
        s.socket.destroy();
      }
    }
  }, 60_000);

  it('counted no request as failed: every refusal above was a 4xx or 503', () => {
    expect(childErrors).not.toMatch(/internal error|TypeError|RangeError/);
  });
});
