// The sequence benchmark in Node (`npm run bench:sequence -- --host node`): mixden on Node's adapter against TensorFlow.js's
// wasm and cpu backends in the same process. Writes bench/results/sequence-node-latest.json and prints the table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeGpu, vulkanDriver } from '../../src/host/node.js';
import type { GpuContext } from '../../src/runtime/device.js';
import { nodeTfjsNamespace } from '../systems/tfjsNode.js';
import { machineOf } from '../report.js';
import { mixdenSequenceSystem } from './mixdenSequence.js';
import { tfjsSequenceSystem } from './tfjsSequence.js';
import { formatSequenceTable, measureSequenceSystems } from './run.js';

export async function runSequenceBenchmark(options: { quick: boolean; outDir: string; systems?: string[] }): Promise<void> {
  let gpu: GpuContext | undefined;
  const getGpu = async () => (gpu ??= await nodeGpu());
  const tf = nodeTfjsNamespace();
  const all = [mixdenSequenceSystem(getGpu), tfjsSequenceSystem(tf, 'wasm'), tfjsSequenceSystem(tf, 'cpu')];
  const systems = options.systems ? all.filter((s) => options.systems!.includes(s.name)) : all;
  const adapter = (await getGpu()).adapterDescription;
  console.log(`adapter: ${adapter}\nVulkan driver: ${vulkanDriver().reason}\nnode: ${process.version}`);
  const figures = await measureSequenceSystems(systems, options.quick, console.log);
  const result = { date: new Date().toISOString(), quick: options.quick, machine: machineOf(), host: `Node ${process.version}`, adapter, figures };
  mkdirSync(options.outDir, { recursive: true });
  const file = join(options.outDir, options.quick ? 'sequence-node-quick.json' : 'sequence-node-latest.json');
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`\n${formatSequenceTable(figures)}\n\nwritten: ${file}`);
  gpu?.destroy();
}
