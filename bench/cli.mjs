#!/usr/bin/env node
// `npm run bench [-- --quick] [--workloads a,b] [--systems mixden,tfjs-wasm] [--host browser|node] [--sequence]`: serves the
// benchmark page with Vite on 127.0.0.1 and runs bench/run.ts in headless Chromium, or with --host node runs
// bench/node.ts in this process (both loaded through Vite, so they stay TypeScript).
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    embedded: { type: 'boolean', default: false },
    workloads: { type: 'string' },
    systems: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
    host: { type: 'string', default: 'browser' },
    sequence: { type: 'boolean', default: false },
  },
});
const server = await createServer({ configFile: false, root: process.cwd(), logLevel: 'warn', server: { host: '127.0.0.1', port: 0, hmr: false } });
await server.listen();
const port = server.httpServer.address().port;
let status = 0;
try {
  if (values.host !== 'browser' && values.host !== 'node') throw new Error(`--host must be browser or node, got '${values.host}'`);
  const run = values.sequence
    ? values.host === 'node'
      ? (await server.ssrLoadModule('/bench/sequence/node.ts')).runSequenceBenchmark
      : (await server.ssrLoadModule('/bench/sequence/browser.ts')).runBrowserSequenceBenchmark
    : values.host === 'node'
      ? (await server.ssrLoadModule('/bench/node.ts')).runNodeBenchmark
      : (await server.ssrLoadModule('/bench/run.ts')).runBenchmark;
  await run({
    serverUrl: `http://127.0.0.1:${port}/`,
    quick: values.quick,
    workloads: values.workloads?.split(','),
    systems: values.systems?.split(','),
    outDir: values.out,
    embeddedOnly: values.embedded,
  });
} catch (error) {
  console.error(error);
  status = 1;
} finally {
  await server.close();
}
process.exit(status);
