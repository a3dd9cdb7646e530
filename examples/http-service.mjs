#!/usr/bin/env node
// A tiny HTTP service around a trained MDN: POST /sample {"x": [[...], ...], "n": 10, "temperature": 1, "seed": 0}
// and POST /logprob {"x": [[...], ...], "y": [[...], ...]} answer JSON. Requests that arrive within a few
// milliseconds of each other are batched into one GPU call. Build first (npm run build), then:
//   node bin/mixden.js train --dataset bimodal --out model.mixden
//   MODEL=model.mixden PORT=8080 node bin/mixden.js serve-example   (the launcher picks the Vulkan driver)
// or, where Node already has a Vulkan driver, MODEL=... node examples/http-service.mjs. Listens on loopback.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { nodeGpu } from '../dist/host/node.js';
import { loadInferenceKernel } from '../dist/inference.js';

const BATCH_WINDOW_MS = 3;

// Bounds, so that no request can exhaust the process: body bytes, rows per request, samples per row, and
// requests in flight (beyond which the service answers 503 at once rather than queueing without end).
export const LIMITS = { bodyBytes: 1 << 20, rows: 10_000, samplesPerRow: 1000, inFlight: 64 };

export async function startService({ model, port = 0, host = '127.0.0.1', limits = LIMITS }) {
  const gpu = await nodeGpu();
  const kernel = await loadInferenceKernel(gpu.device, readFileSync(model));
  const { inputDim, outputDim } = kernel.architecture;

  // Requests of one kind and one sampling setting share a batch; each gets its rows back.
  const queues = new Map();
  function enqueue(key, rows, run) {
    let batch = queues.get(key);
    if (!batch) {
      batch = { parts: [], run };
      queues.set(key, batch);
      setTimeout(async () => {
        queues.delete(key);
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
      }, BATCH_WINDOW_MS);
    }
    return new Promise((resolve, reject) => batch.parts.push({ rows, resolve, reject }));
  }

  const fail = (status, message) => Object.assign(new Error(message), { status });
  const matrix = (value, cols, name) => {
    if (!Array.isArray(value) || value.length === 0 || !value.every((r) => Array.isArray(r) && r.length === cols && r.every(Number.isFinite))) {
      throw fail(400, `${name} must be a non-empty array of rows of ${cols} finite numbers`);
    }
    if (value.length > limits.rows) throw fail(413, `${name} has ${value.length} rows; the limit is ${limits.rows} per request`);
    return value;
  };

  const handlers = {
    '/sample': (body) => {
      const rows = matrix(body.x, inputDim, 'x');
      const n = body.n ?? 1;
      if (!Number.isInteger(n) || n < 1 || n > limits.samplesPerRow) throw fail(400, `n must be an integer from 1 to ${limits.samplesPerRow}`);
      const options = { temperature: body.temperature ?? 1, sigmaTemperature: body.sigmaTemperature ?? 1, seed: body.seed ?? 0 };
      return enqueue(`sample ${n} ${JSON.stringify(options)}`, rows, async (all) => {
        const flat = await kernel.sample(all.flat(), n, options);
        return all.map((_, r) => Array.from({ length: n }, (_, j) => Array.from(flat.subarray((r * n + j) * outputDim, (r * n + j + 1) * outputDim))));
      }).then((samples) => ({ samples }));
    },
    '/logprob': (body) => {
      const x = matrix(body.x, inputDim, 'x');
      const y = matrix(body.y, outputDim, 'y');
      if (x.length !== y.length) throw Object.assign(new Error('x and y must have the same number of rows'), { status: 400 });
      return enqueue('logprob', x.map((row, i) => [row, y[i]]), async (all) => {
        const out = await kernel.logProb(all.flatMap(([row]) => row), all.flatMap(([, t]) => t));
        return Array.from(out);
      }).then((logProb) => ({ logProb }));
    },
  };

  let inFlight = 0;
  const stats = { served: 0, refused: 0, failed: 0 };
  const server = createServer(async (request, response) => {
    const send = (status, payload) => {
      if (status === 200) stats.served++;
      else if (status < 500 || status === 503) stats.refused++;
      else stats.failed++;
      response.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
      response.end(JSON.stringify(payload));
    };
    const handler = request.method === 'POST' ? handlers[request.url] : undefined;
    if (!handler) return send(404, { error: 'POST /sample or POST /logprob' });
    if (inFlight >= limits.inFlight) return send(503, { error: `busy: ${limits.inFlight} requests in flight, try again` });
    inFlight++;
    try {
      let size = 0;
      const chunks = [];
      for await (const chunk of request) {
        size += chunk.length;
        if (size > limits.bodyBytes) throw fail(413, `the body is over ${limits.bodyBytes} bytes`);
        chunks.push(chunk);
      }
      let body;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        throw fail(400, 'the body is not JSON');
      }
      if (body === null || typeof body !== 'object') throw fail(400, 'the body must be a JSON object');
      send(200, await handler(body));
    } catch (error) {
      send(error.status ?? 500, { error: error.status ? error.message : 'internal error' });
      if (!error.status) console.error(error);
    } finally {
      inFlight--;
    }
  });
  await new Promise((resolve) => server.listen(port, host, resolve));
  return {
    port: server.address().port,
    stats,
    close: async () => {
      await new Promise((resolve) => server.close(resolve));
      kernel.destroy();
      gpu.destroy();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = await startService({ model: process.env.MODEL ?? 'model.mixden', port: Number(process.env.PORT ?? 8080) });
  console.log(`mixden service on http://127.0.0.1:${service.port} (POST /sample, POST /logprob)`);
}
