#!/usr/bin/env node
// Bundle size (minified, then gzip) of mixden/inference against the tfjs packages needed to run the same model
// (tfjs-core and one backend each), built the same way by Vite in library mode. mixden's entry is built from the
// package as users install it (npm pack, installed into a fresh project). Writes bench/results/bundle.json.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { packedProject } from '../scripts/packed-project.mjs';

// Entries live under node_modules/.cache so that their imports resolve to the installed packages.
mkdirSync('node_modules/.cache', { recursive: true });
const work = mkdtempSync(join(resolve('node_modules/.cache'), 'mixden-bundle-'));
const installed = packedProject().dir;
const entries = {
  'mixden/inference': `export * from 'mixden/inference';`,
  'tfjs-core + webgpu backend': `import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-webgpu'; export { tf };`,
  'tfjs-core + webgl backend': `import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-webgl'; export { tf };`,
  'tfjs-core + wasm backend (JS only, + .wasm below)': `import * as tf from '@tensorflow/tfjs-core'; import '@tensorflow/tfjs-backend-wasm'; export { tf };`,
};

const results = [];
for (const [name, source] of Object.entries(entries)) {
  // mixden's entry sits in the fresh project, so that its import resolves to the installed package.
  const dir = mkdtempSync(join(name.startsWith('mixden') ? installed : work, 'entry-'));
  const entry = join(dir, 'entry.mjs');
  writeFileSync(entry, source);
  await build({
    configFile: false,
    logLevel: 'error',
    root: process.cwd(),
    build: { lib: { entry, formats: ['es'], fileName: 'bundle' }, outDir: join(dir, 'out'), minify: true, emptyOutDir: true, rollupOptions: { external: [] } },
  });
  const files = readdirSync(join(dir, 'out')).filter((f) => f.endsWith('.js'));
  const code = Buffer.concat(files.map((f) => readFileSync(join(dir, 'out', f))));
  results.push({ bundle: name, minifiedBytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length });
}
const wasm = readFileSync('node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm');
results.push({ bundle: 'tfjs wasm binary (SIMD)', minifiedBytes: wasm.length, gzipBytes: gzipSync(wasm, { level: 9 }).length });
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/bundle.json', `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
for (const r of results) console.log(`${r.bundle.padEnd(48)} ${(r.minifiedBytes / 1024).toFixed(1).padStart(8)} KiB min ${(r.gzipBytes / 1024).toFixed(1).padStart(8)} KiB gzip`);
