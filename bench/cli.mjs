#!/usr/bin/env node
// `npm run bench [-- --quick] [--workloads a,b] [--systems mixden,tfjs-wasm]`: serves the benchmark page with
// Vite on 127.0.0.1 and runs bench/run.ts (loaded through Vite, so it stays TypeScript).
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    embedded: { type: 'boolean', default: false },
    workloads: { type: 'string' },
    systems: { type: 'string' },
    out: { type: 'string', default: 'bench/results' },
  },
});
const server = await createServer({ configFile: false, root: process.cwd(), logLevel: 'warn', server: { host: '127.0.0.1', port: 0, hmr: false } });
await server.listen();
const port = server.httpServer.address().port;
let status = 0;
try {
  const { runBenchmark } = await server.ssrLoadModule('/bench/run.ts');
  await runBenchmark({
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
