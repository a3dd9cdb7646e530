// The benchmark in Node (`npm run bench -- --host node`): mixden on Node's WebGPU adapter (Dawn: a GPU's
// driver, else lavapipe, else SwiftShader) against TensorFlow.js's wasm and cpu backends in the same Node
// process, on every workload, measured as the page measures (bench/runOne.ts). Writes node-latest.json (or
// node-quick.json), its chart, and prints the table with each ratio from this run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeGpu, vulkanDriver } from '../src/host/node.js';
import { WORKLOADS, TARGET_NLL } from './workloads.js';
import { mixdenGpu, mixdenSystem, useGpu } from './systems/mixden.js';
import { nodeTfjsSystems } from './systems/tfjsNode.js';
import { measureCeiling } from './ceiling.js';
import { formatCeiling, formatTable, machineOf } from './report.js';
import { renderNodeChart, ratios } from './nodeChart.js';
import { measureAll, runnerFor } from './runOne.js';
import type { BenchmarkResult } from './figures.js';
import type { BenchmarkOptions } from './run.js';

export async function runNodeBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  useGpu(() => nodeGpu());
  const systems = [mixdenSystem, ...nodeTfjsSystems()];
  const runOne = runnerFor(systems, 'backend not available in Node');
  const gpu = await mixdenGpu();
  console.log(`adapter: ${gpu.adapterDescription}\nVulkan driver: ${vulkanDriver().reason}\nnode: ${process.version}`);
  const workloads = options.workloads ?? (options.quick ? ['seed-small'] : WORKLOADS.map((w) => w.name));
  const chosen = options.systems ?? systems.map((s) => s.name);
  const figures = await measureAll(runOne, workloads, chosen, options.quick);
  const ceiling = await measureCeiling(gpu, options.quick ? 1 : 3);
  const result: BenchmarkResult = {
    date: new Date().toISOString(),
    quick: options.quick,
    machine: machineOf(),
    browser: `Node ${process.version} (no browser)`,
    adapter: gpu.adapterDescription,
    ceiling,
    targetNll: TARGET_NLL,
    figures,
  };
  mkdirSync(options.outDir, { recursive: true });
  const name = options.quick ? 'node-quick' : 'node-latest';
  writeFileSync(join(options.outDir, `${name}.json`), `${JSON.stringify({ ...result, ratios: ratios(result) }, null, 2)}\n`);
  writeFileSync(join(options.outDir, `${name}.png`), await renderNodeChart(result));
  console.log(`\n${formatTable(result)}`);
  console.log(`\n${formatCeiling(ceiling)}`);
  console.log(`written: ${options.outDir}/${name}.json, ${options.outDir}/${name}.png`);
  gpu.destroy();
  return result;
}
