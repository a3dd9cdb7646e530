// The sequence benchmark's workload (issue: handwriting-sized): an LSTM of 128 units over windows of 64 steps,
// batches of 32, a bivariate full-covariance Gaussian mixture of K = 10 for each pen move and a 3-way pen state;
// generation of 256 sequences of 100 steps. The data are smooth pen paths (sums of sines) with pen lifts, the
// same for every system; what is measured is throughput, not what is learnt.
import { Random } from '../../src/mdn/random.js';
import type { Sequence } from '../../src/mdn/sequence/sequenceData.js';

export const SEQUENCE_WORKLOAD = {
  units: 128,
  steps: 64,
  batch: 32,
  components: 10,
  penClasses: 3,
  learningRate: 0.001,
  generate: { count: 256, steps: 100 },
  sequences: 256,
} as const;

/** Pen paths of exactly `steps` steps: (dx, dy, pen), the pen lifting now and then and finishing at the end. */
export function sequenceBenchData(count = SEQUENCE_WORKLOAD.sequences, steps = SEQUENCE_WORKLOAD.steps, seed = 5): Sequence[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => {
    const [a, b, c] = [random.range(0.1, 0.5), random.range(0.1, 0.5), random.range(0, 6.3)];
    return {
      y: Array.from({ length: steps }, (_, t) => [
        0.3 * Math.cos(a * t + c) + 0.05 * random.normal(),
        0.3 * Math.sin(b * t) + 0.05 * random.normal(),
        t === steps - 1 ? 2 : random.uniform() < 0.08 ? 1 : 0,
      ]).flat(),
    };
  });
}

/** The same sequences time-major as [steps, batch, 3] inputs (previous step; zeros first) and targets, for tfjs. */
export function timeMajorBatch(sequences: readonly Sequence[], from: number, batch: number, steps: number) {
  const inputs = new Float32Array(steps * batch * 3);
  const targets = new Float32Array(steps * batch * 3);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const s = sequences[(from + b) % sequences.length].y;
      for (let c = 0; c < 3; c++) {
        targets[(t * batch + b) * 3 + c] = s[t * 3 + c];
        inputs[(t * batch + b) * 3 + c] = t > 0 ? s[(t - 1) * 3 + c] : 0;
      }
    }
  }
  return { inputs, targets };
}

export interface SequenceBenchModel {
  /** Runs `steps` Adam steps on batches of the workload; returns the last step's loss (read back once). */
  train(steps: number): Promise<number>;
  /** Generates the workload's sequences (count x steps) and reads them back. */
  generate(): Promise<void>;
  /** Kernel dispatches per training step, where the system can say. */
  dispatchesPerStep(): Promise<number | null>;
  dispose(): void;
}

export interface SequenceBenchSystem {
  readonly name: string;
  available(): Promise<boolean>;
  create(sequences: readonly Sequence[]): Promise<SequenceBenchModel>;
}
