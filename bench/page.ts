// The page side of the benchmark: runs one system on one workload per call (bench/runOne.ts) and returns its figures.
import { WORKLOADS } from './workloads.js';
import { mixdenGpu, mixdenSystem } from './systems/mixden.js';
import { tfjsSystems, useWasmPaths } from './systems/tfjs.js';
import type { BenchSystem } from './systems/system.js';
import { measureCeiling } from './ceiling.js';
import { drawChart } from './chart.js';
import { embeddedLatency } from './embedded.js';
import { runnerFor } from './runOne.js';
import * as tf from '@tensorflow/tfjs-core';
import { TFJS_BACKENDS } from './systems/tfjs.js';
import { mixdenSequenceSystem } from './sequence/mixdenSequence.js';
import { tfjsSequenceSystem } from './sequence/tfjsSequence.js';
import { measureSequenceSystems } from './sequence/run.js';

// The sequence workload's systems: mixden on the page's adapter, tfjs on each backend.
const SEQUENCE_SYSTEMS = [mixdenSequenceSystem(() => mixdenGpu()), ...TFJS_BACKENDS.map((backend) => tfjsSequenceSystem(tf, backend))];
const sequence = (system: string, quick: boolean) => measureSequenceSystems(SEQUENCE_SYSTEMS.filter((s) => s.name === system), quick, () => {});

// The wasm binaries are served by the bench page's own server.
useWasmPaths('/node_modules/@tensorflow/tfjs-backend-wasm/dist/');

const SYSTEMS: BenchSystem[] = [mixdenSystem, ...tfjsSystems];
const runOne = runnerFor(SYSTEMS, 'backend not available in this browser');

async function environment() {
  const gpu = await mixdenGpu();
  return { adapter: gpu.adapterDescription, browser: navigator.userAgent };
}

async function ceiling(quick: boolean) {
  return measureCeiling(await mixdenGpu(), quick ? 1 : 3);
}

Object.assign(window, {
  bench: { runOne, environment, ceiling, drawChart, embeddedLatency, sequence, sequenceSystems: SEQUENCE_SYSTEMS.map((s) => s.name), systems: SYSTEMS.map((s) => s.name), workloads: WORKLOADS.map((w) => w.name) },
  benchReady: true,
});
