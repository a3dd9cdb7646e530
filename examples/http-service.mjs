#!/usr/bin/env node
// A tiny HTTP service around a trained MDN: POST /sample {"x": [[...], ...], "n": 10, "temperature": 1, "seed": 0}
// and POST /logprob {"x": [[...], ...], "y": [[...], ...]} answer JSON (bodies must be application/json).
// Unseeded requests that arrive within a few milliseconds of each other are batched into one GPU call; a
// seeded request runs alone, so the same request and seed always get the same samples. Build first, then:
//   node bin/mixden.js train --dataset bimodal --out model.mixden
//   MODEL=model.mixden PORT=8080 node bin/mixden.js serve-example
// or MODEL=... node examples/http-service.mjs. Listens on loopback.
//
// What keeps it alive under hostile use (LIMITS below, each refused before any work is done):
// - a body is read whole, within bodyMilliseconds, before the request takes one of the inFlight slots, so slow
//   clients hold no slot (408 when too slow) and at most `connections` sockets are open at once;
// - bodies are bounded in bytes, rows per request, samples per row, and sample values per request (413);
// - sample values being computed or sent, all requests together, are bounded (503 with Retry-After);
// - answers are written in pieces as the socket drains, never as one large string.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { nodeGpu } from '../dist/host/node.js';
import { loadInferenceKernel } from '../dist/inference.js';

const BATCH_WINDOW_MS = 3;

export const LIMITS = {
  bodyBytes: 1 << 20,
  bodyMilliseconds: 10_000,
  rows: 10_000,
  samplesPerRow: 1000,
  /** rows × n × outputDim of one /sample request (about 20 bytes of JSON each). */
  sampleValuesPerRequest: 1_000_000,
  /** The same, summed over every request being computed or answered. */
  sampleValuesInFlight: 4_000_000,
  inFlight: 64,
  connections: 256,
};

const fail = (status, message) => Object.assign(new Error(message), { status });

// Checks of the sampling options, named as the client wrote them.
function samplingOptions(body) {
  const number = (name, low, high) => {
    const v = body[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < low || v > high) throw fail(400, `${name} must be a number from ${low} to ${high}`);
    return v;
  };
  const seed = body.seed;
  if (seed !== undefined && !(typeof seed === 'number' && Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw fail(400, 'seed must be an integer from 0 to 4294967295');
  }
  // σ scaled past 1000 times the model's leaves float32 for ordinary models; it is no temperature anyone needs.
  return { temperature: number('temperature', 0, 1000) ?? 1, sigmaTemperature: number('sigmaTemperature', 0, 1000) ?? 1, seed };
}

export async function startService({ model, port = 0, host = '127.0.0.1', limits = LIMITS }) {
  const gpu = await nodeGpu();
  const kernel = await loadInferenceKernel(gpu.device, readFileSync(model));
  const { inputDim, outputDim } = kernel.architecture;

  // Unseeded requests of one kind and one sampling setting share a batch; each gets its rows back.
  const queues = new Map();
  function enqueue(key, rows, run) {
    let batch = key === undefined ? undefined : queues.get(key);
    if (!batch) {
      batch = { parts: [] };
      if (key !== undefined) queues.set(key, batch);
      setTimeout(async () => {
        if (key !== undefined) queues.delete(key);
        const all = batch.parts.flatMap((p) => p.rows);
        try {
          const results = await run(all);
          let at = 0;
          for (const part of batch.parts) {
            part.resolve(results.slice(at, at + part.rows.length));
            at += part.rows.length;
          }
        } catch (error) {
          for (const part of batch.parts) part.reject(error);
        }
      }, key === undefined ? 0 : BATCH_WINDOW_MS);
    }
    return new Promise((resolve, reject) => batch.parts.push({ rows, resolve, reject }));
  }

  const matrix = (value, cols, name) => {
    if (!Array.isArray(value) || value.length === 0 || !value.every((r) => Array.isArray(r) && r.length === cols && r.every(Number.isFinite))) {
      throw fail(400, `${name} must be a non-empty array of rows of ${cols} finite numbers`);
    }
    if (value.length > limits.rows) throw fail(413, `${name} has ${value.length} rows; the limit is ${limits.rows} per request`);
    return value;
  };

  let sampleValuesInFlight = 0;
  const handlers = {
    '/sample': async (body, respond) => {
      const rows = matrix(body.x, inputDim, 'x');
      const n = body.n ?? 1;
      if (!Number.isInteger(n) || n < 1 || n > limits.samplesPerRow) throw fail(400, `n must be an integer from 1 to ${limits.samplesPerRow}`);
      const options = samplingOptions(body);
      const values = rows.length * n * outputDim;
      if (values > limits.sampleValuesPerRequest) throw fail(413, `this request asks for ${values} sample values (rows x n x ${outputDim}); the limit is ${limits.sampleValuesPerRequest} per request`);
      if (sampleValuesInFlight + values > limits.sampleValuesInFlight) throw fail(503, `busy: ${sampleValuesInFlight} sample values are being computed or sent; try again`);
      sampleValuesInFlight += values;
      try {
        const key = options.seed === undefined ? `sample ${n} ${options.temperature} ${options.sigmaTemperature}` : undefined;
        const flat = await enqueue(key, rows, async (all) => {
          const draws = await kernel.sample(all, n, options);
          return Array.from({ length: all.length }, (_, r) => draws.subarray(r * n * outputDim, (r + 1) * n * outputDim));
        });
        await respond(streamRows('samples', flat, (row) => JSON.stringify(Array.from({ length: n }, (_, j) => Array.from(row.subarray(j * outputDim, (j + 1) * outputDim))))));
      } finally {
        sampleValuesInFlight -= values;
      }
    },
    '/logprob': async (body, respond) => {
      const x = matrix(body.x, inputDim, 'x');
      const y = matrix(body.y, outputDim, 'y');
      if (x.length !== y.length) throw fail(400, 'x and y must have the same number of rows');
      const logProb = await enqueue('logprob', x.map((row, i) => [row, y[i]]), async (all) => Array.from(await kernel.logProb(all.map(([row]) => row), all.map(([, t]) => t))));
      await respond(streamRows('logProb', logProb, (v) => JSON.stringify(v)));
    },
  };

  let inFlight = 0;
  const stats = { served: 0, refused: 0, failed: 0 };
  const server = createServer(async (request, response) => {
    const send = (status, payload) => {
      if (response.headersSent) return void response.destroy();
      if (status < 500 || status === 503) stats.refused++;
      else stats.failed++;
      response.writeHead(status, { 'content-type': 'application/json', connection: 'close', ...(status === 503 ? { 'retry-after': '1' } : {}) });
      response.end(JSON.stringify(payload));
    };
    // Answers in pieces, waiting for the socket to drain between them.
    const respond = async (pieces) => {
      response.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      for (const piece of pieces) {
        if (!response.write(piece)) await new Promise((resolve) => response.once('drain', resolve));
        if (response.destroyed) return;
      }
      response.end();
      stats.served++;
    };
    let holdsSlot = false;
    try {
      const handler = request.method === 'POST' ? handlers[request.url] : undefined;
      if (!handler) throw fail(404, 'POST /sample or POST /logprob');
      // A browser sends text/plain across origins without asking first; only JSON is taken.
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) throw fail(415, 'the body must be sent as application/json');
      const body = await readBody(request, limits);
      if (inFlight >= limits.inFlight) throw fail(503, `busy: ${limits.inFlight} requests in flight, try again`);
      inFlight++;
      holdsSlot = true;
      await handler(body, respond);
    } catch (error) {
      // The kernel's own argument checks (InvalidArgumentError) are the client's to fix too.
      const status = error.status ?? (error.name === 'InvalidArgumentError' ? 400 : 500);
      send(status, { error: status === 500 ? 'internal error' : error.message });
      if (status === 500) console.error(error);
      if (status === 408) request.destroy();
    } finally {
      if (holdsSlot) inFlight--;
    }
  });
  server.maxConnections = limits.connections;
  server.requestTimeout = limits.bodyMilliseconds + 60_000;
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    port: server.address().port,
    stats,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
      kernel.destroy();
      gpu.destroy();
    },
  };
}

// The whole body as JSON, within the byte and time limits.
async function readBody(request, limits) {
  const chunks = [];
  let size = 0;
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(fail(408, `the body did not arrive within ${limits.bodyMilliseconds} ms`)), limits.bodyMilliseconds);
  });
  const read = (async () => {
    for await (const chunk of request) {
      size += chunk.length;
      if (size > limits.bodyBytes) throw fail(413, `the body is over ${limits.bodyBytes} bytes`);
      chunks.push(chunk);
    }
  })();
  try {
    await Promise.race([read, deadline]);
  } finally {
    clearTimeout(timer);
    read.catch(() => {});
  }
  let body;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw fail(400, 'the body is not JSON');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw fail(400, 'the body must be a JSON object');
  return body;
}

// `{"name":[row,row,...]}` in pieces of about a thousand rows.
function* streamRows(name, rows, encode) {
  yield `{"${name}":[`;
  for (let first = 0; first < rows.length; first += 1000) {
    const part = [];
    for (let r = first; r < Math.min(rows.length, first + 1000); r++) part.push(encode(rows[r]));
    yield (first > 0 ? ',' : '') + part.join(',');
  }
  yield ']}';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = await startService({ model: process.env.MODEL ?? 'model.mixden', port: Number(process.env.PORT ?? 8080) });
  console.log(`mixden service on http://127.0.0.1:${service.port} (POST /sample, POST /logprob)`);
}
