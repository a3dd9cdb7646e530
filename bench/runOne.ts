// One system on one workload, measured the same way in a page and in Node: training throughput, one step's
// latency with its loss read back, inference throughput, memory, dispatches per step and (seed-small, full runs)
// the time to a target NLL. The host (bench/page.ts, bench/node.ts) says which systems it has.
import { initialParameters } from '../src/mdn/init.js';
import { logJacobian } from '../src/mdn/datasets.js';
import { Random } from '../src/mdn/random.js';
import { WORKLOADS, TARGET_NLL } from './workloads.js';
import type { BenchSystem } from './systems/system.js';
import { repeat, seconds } from './measure.js';
import type { RunOptions, SystemFigures } from './figures.js';

/** The measuring function for a host's systems. */
export function runnerFor(systems: readonly BenchSystem[], unavailable: string) {
  return async function runOne({ system: systemName, workload: workloadName, quick }: RunOptions): Promise<SystemFigures> {
    const system = systems.find((s) => s.name === systemName);
    const workload = WORKLOADS.find((w) => w.name === workloadName);
    if (!system || !workload) throw new Error(`unknown system '${systemName}' or workload '${workloadName}'`);
    const base = { system: systemName, workload: workloadName };
    if (!(await system.available())) return { ...base, skipped: unavailable };
    return measure(system, workload, quick, base);
  };
}

/**
 * Runs every system on every workload in turn with `runOne` (in this process, or in the page), printing a line
 * for each, and returns their figures in that order.
 */
export async function measureAll(runOne: (o: RunOptions) => Promise<SystemFigures>, workloads: readonly string[], systems: readonly string[], quick: boolean): Promise<SystemFigures[]> {
  const figures: SystemFigures[] = [];
  for (const workload of workloads) {
    for (const system of systems) {
      const started = Date.now();
      const f = await runOne({ system, workload, quick });
      figures.push(f);
      const summary = f.skipped ?? `${f.trainStepsPerSecond!.median.toPrecision(3)} steps/s, ${f.inferenceSamplesPerSecond!.median.toPrecision(3)} samples/s`;
      console.log(`  ${workload.padEnd(12)} ${system.padEnd(12)} ${summary}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
  }
  return figures;
}

async function measure(system: BenchSystem, workload: (typeof WORKLOADS)[number], quick: boolean, base: { system: string; workload: string }): Promise<SystemFigures> {
  const data = workload.data();
  const initial = initialParameters(workload.architecture, 0);
  const model = await system.create(workload, data, initial);
  try {
    // Warm-up (compiles), then one timed step to size the measured runs.
    await model.train(2, 1);
    const stepSeconds = await seconds(() => model.train(1, 1));
    // Where one step already takes seconds, one sample of each figure is all the run can afford.
    const repeats = quick || stepSeconds > 5 ? 1 : 3;
    const budget = quick ? 1 : 4;
    const steps = Math.max(1, Math.min(quick ? 200 : 2000, Math.round(budget / stepSeconds)));
    let finalLoss = NaN;
    const trainStepsPerSecond = await repeat(async () => {
      const s = await seconds(async () => (finalLoss = await model.train(steps, 100)));
      return steps / s;
    }, repeats, quick ? 10 : 120);
    const stepLatencyMs = await repeat(async () => 1000 * (await seconds(() => model.train(1, 1))), repeats === 1 ? 1 : 10, quick ? 5 : 60);
    const inferenceRows = quick ? 4096 : 65536;
    const random = new Random(11);
    const x = Float32Array.from({ length: inferenceRows * workload.architecture.inputDim }, () => random.normal());
    await model.predict(x); // compile and allocate for this size, as a user's first call would
    const inferenceSamplesPerSecond = await repeat(async () => inferenceRows / (await seconds(() => model.predict(x))), repeats, quick ? 10 : 120);
    const memoryBytes = model.memoryBytes();
    const dispatchesPerStep = await model.dispatchesPerStep();
    let timeToTarget: SystemFigures['timeToTarget'];
    if (!quick && workload.name === 'seed-small') timeToTarget = await trainToTarget(system, workload, data, initial);
    return { ...base, trainStepsPerSecond, stepLatencyMs, inferenceSamplesPerSecond, inferenceRows, memoryBytes, dispatchesPerStep, timeToTarget, finalLoss };
  } finally {
    model.dispose();
  }
}

/** From the initial weights, trains in blocks of 50 steps (loss read per block) until the NLL in original units reaches the target. */
async function trainToTarget(system: BenchSystem, workload: (typeof WORKLOADS)[number], data: ReturnType<(typeof WORKLOADS)[number]['data']>, initial: Float64Array[]) {
  const model = await system.create(workload, data, initial);
  const shift = logJacobian(data.yStd);
  try {
    await model.train(1, 1); // compile outside the timing, as a user's second call would be
    const started = performance.now();
    for (let steps = 1; ; ) {
      const nll = (await model.train(50, 50)) + shift;
      steps += 50;
      const elapsed = (performance.now() - started) / 1000;
      if (nll <= TARGET_NLL) return { seconds: elapsed, steps, nll };
      if (elapsed > 180 || steps > 20000) return null;
    }
  } finally {
    model.dispose();
  }
}
