// Per-call latency and throughput of mixden/inference (mixture parameters, readback included) at several batch
// sizes, against tfjs predict of the same model (seed-small, same weights) on each backend, in the same page.
import { loadInferenceKernel } from '../src/inference.js';
import { encodeModel } from '../src/mdn/serialization.js';
import { initialParameters } from '../src/mdn/init.js';
import { Random } from '../src/mdn/random.js';
import { mixdenGpu } from './systems/mixden.js';
import { tfjsSystems } from './systems/tfjs.js';
import { WORKLOADS } from './workloads.js';
import { repeat, seconds, type Stat } from './measure.js';

export interface LatencyFigure {
  readonly system: string;
  readonly batch: number;
  /** Milliseconds per call. */
  readonly latencyMs?: Stat;
  readonly samplesPerSecond?: number;
  readonly skipped?: string;
}

/** Batch sizes measured; the last only where the previous size suggests it finishes within the cap. */
export const LATENCY_BATCHES = [1, 64, 4096, 1_048_576];

export async function embeddedLatency(quick: boolean): Promise<LatencyFigure[]> {
  const workload = WORKLOADS.find((w) => w.name === 'seed-small')!;
  const arch = workload.architecture;
  const initial = initialParameters(arch, 0);
  const batches = quick ? LATENCY_BATCHES.slice(0, 3) : LATENCY_BATCHES;
  const random = new Random(5);
  const inputs = new Map(batches.map((b) => [b, Float32Array.from({ length: b * arch.inputDim }, () => random.normal())]));
  const figures: LatencyFigure[] = [];
  const measure = async (system: string, predict: (x: Float32Array) => Promise<unknown>) => {
    let previousSeconds = 0;
    let previousBatch = 1;
    for (const batch of batches) {
      const estimate = (previousSeconds * batch) / previousBatch;
      if (estimate > (quick ? 5 : 30)) {
        figures.push({ system, batch, skipped: `one call would take about ${estimate.toFixed(0)} s` });
        continue;
      }
      const x = inputs.get(batch)!;
      await predict(x); // warm-up: compiles and allocates for this size
      const latency = await repeat(async () => 1000 * (await seconds(() => predict(x))), quick ? 3 : 9, quick ? 5 : 30);
      figures.push({ system, batch, latencyMs: latency, samplesPerSecond: (1000 * batch) / latency.median });
      previousSeconds = latency.median / 1000;
      previousBatch = batch;
    }
  };
  const gpu = await mixdenGpu();
  const kernel = await loadInferenceKernel(gpu.device, encodeModel(arch, initial.map((b) => Float32Array.from(b))));
  try {
    await measure('mixden/inference', (x) => kernel.run(x));
  } finally {
    kernel.destroy();
  }
  const data = workload.data();
  for (const system of tfjsSystems) {
    if (!(await system.available())) continue;
    const model = await system.create(workload, data, initial);
    try {
      await measure(system.name, (x) => model.predict(x));
    } finally {
      model.dispose();
    }
  }
  return figures;
}
