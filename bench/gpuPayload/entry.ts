// The benchmarks' entry in the GPU payload (bench/gpu-payload.sh bundles it as bench.mjs): the Node benchmark, or
// with --sequence the sequence benchmark, run without Vite; --adapter prints the adapter Dawn picks as JSON.
// Usage: node bench.mjs [--adapter | --sequence] [--quick] [--workloads=seed-small,large] [--systems=mixden,tfjs-wasm] [--out=DIR]
import { nodeGpu, vulkanDriver } from '../../src/host/node.js';
import { runNodeBenchmark } from '../node.js';
import { runSequenceBenchmark } from '../sequence/node.js';

// The adapter as JSON, or why there is none ({ error }): the run's summary says which.
async function describeAdapter(): Promise<void> {
  try {
    const gpu = await nodeGpu();
    const { adapterDescription: description, adapterClass, subgroupSize, hasTimestamps: timestamps } = gpu;
    console.log(JSON.stringify({ description, adapterClass, subgroupSize: subgroupSize ?? null, driver: vulkanDriver().reason, timestamps }));
    gpu.destroy();
  } catch (error) {
    console.log(JSON.stringify({ error: error instanceof Error ? error.message : String(error) }));
  }
}

const args = process.argv.slice(2);
const valueOf = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.includes('--quick');
const systems = valueOf('systems')?.split(',');
const workloads = valueOf('workloads')?.split(',');
const outDir = valueOf('out') ?? '.';
try {
  if (args.includes('--adapter')) await describeAdapter();
  else if (args.includes('--sequence')) await runSequenceBenchmark({ quick, outDir, systems });
  else await runNodeBenchmark({ serverUrl: '', quick, systems, workloads, outDir, embeddedOnly: false });
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
