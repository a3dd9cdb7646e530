// The figures one benchmark run records, shared by the page (which measures) and Node (which reports).
import type { Stat } from './measure.js';
import type { CeilingFigures } from './ceiling.js';
import type { LatencyFigure } from './embedded.js';

export interface RunOptions {
  readonly system: string;
  readonly workload: string;
  readonly quick: boolean;
}

export interface SystemFigures {
  readonly system: string;
  readonly workload: string;
  readonly skipped?: string;
  /** Training steps per second with the loss read back every 100 steps. */
  readonly trainStepsPerSecond?: Stat;
  /** Milliseconds for one step with its loss read back. */
  readonly stepLatencyMs?: Stat;
  /** Mixture parameters per second for `inferenceRows` inputs, readback included. */
  readonly inferenceSamplesPerSecond?: Stat;
  readonly inferenceRows?: number;
  /** Seconds (and steps) from the initial weights until the NLL reached the target, or null past the cap. */
  readonly timeToTarget?: { seconds: number; steps: number; nll: number } | null;
  readonly memoryBytes?: number | null;
  readonly dispatchesPerStep?: number | null;
  readonly finalLoss?: number;
}

export interface BenchmarkResult {
  readonly date: string;
  readonly quick: boolean;
  readonly machine: { cores: number; platform: string; node: string };
  readonly browser: string;
  readonly adapter: string;
  readonly ceiling: CeilingFigures;
  readonly targetNll: number;
  readonly figures: readonly SystemFigures[];
  /** mixden/inference against tfjs predict, per call, by batch size (seed-small's model). */
  readonly embedded?: readonly LatencyFigure[];
}
