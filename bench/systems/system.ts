// What every benchmarked system provides for one workload: training steps, inference, memory.
import type { Workload } from '../workloads.js';

export interface BenchModel {
  /** Runs `steps` Adam steps, reading the loss back every `lossEvery` steps and after the last; returns the last loss read. */
  train(steps: number, lossEvery: number): Promise<number>;
  /** Mixture parameters of `x` (rows x inputDim), read back to the CPU. */
  predict(x: Float32Array): Promise<Float32Array>;
  /** Bytes of accelerator (or backend) memory held, where the system can say. */
  memoryBytes(): number | null;
  /** Kernel dispatches per training step, where the system can count them (may run one extra step). */
  dispatchesPerStep(): Promise<number | null>;
  dispose(): void;
}

export interface BenchSystem {
  readonly name: string;
  /** Prepares the system (backend selection); false where it cannot run here. */
  available(): Promise<boolean>;
  create(workload: Workload, data: ReturnType<Workload['data']>, initial: Float64Array[]): Promise<BenchModel>;
}
