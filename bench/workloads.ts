// The benchmark's workloads: the same model, data and Adam settings for every system.
import type { MdnArchitecture } from '../src/mdn/architecture.js';
import { type Dataset, inverseSine, noisySpiral, standardize } from '../src/mdn/datasets.js';
import { Random } from '../src/mdn/random.js';

export interface Workload {
  readonly name: string;
  readonly architecture: MdnArchitecture;
  readonly learningRate: number;
  /** Builds the (standardised) training data. */
  data(): { x: Float32Array; y: Float32Array; rows: number; yStd: Float64Array };
}

function standardised(d: Dataset) {
  const x = standardize(d.x, d.rows, d.inputDim);
  const y = standardize(d.y, d.rows, d.outputDim);
  return { x: Float32Array.from(x.values), y: Float32Array.from(y.values), rows: d.rows, yStd: y.std };
}

/** 8 inputs, 2 outputs, 8192 rows: y depends on x non-linearly, with two branches and x-dependent noise. */
function syntheticLarge(rows = 8192, seed = 7): Dataset {
  const random = new Random(seed);
  const x = random.fill(rows * 8, (r) => r.normal());
  const y = new Float64Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    const xi = (j: number) => x[i * 8 + j];
    const branch = random.uniform() < 0.5 ? -1 : 1;
    const noise = 0.1 + 0.3 * Math.abs(Math.tanh(xi(2)));
    y[i * 2] = Math.sin(xi(0)) + branch * (1 + 0.5 * xi(1)) + noise * random.normal();
    y[i * 2 + 1] = xi(3) * xi(4) - 0.5 * xi(5) + 0.3 * xi(6) * branch + noise * random.normal();
  }
  return { x, y, rows, inputDim: 8, outputDim: 2 };
}

export const WORKLOADS: readonly Workload[] = [
  {
    name: 'seed-small',
    architecture: { inputDim: 1, outputDim: 1, hidden: [24], activation: 'sigmoid', components: 24, sigma: 'exp', sigmaEpsilon: 1e-7 },
    learningRate: 0.01,
    data: () => standardised(inverseSine(1000, 0)),
  },
  {
    name: 'seed-spiral',
    architecture: { inputDim: 1, outputDim: 1, hidden: [128, 128], activation: 'relu', components: 20, sigma: 'elu1', sigmaEpsilon: 1e-7 },
    learningRate: 0.001,
    data: () => standardised(noisySpiral(10, 1000, 1)),
  },
  {
    name: 'large',
    architecture: { inputDim: 8, outputDim: 2, hidden: [256, 256], activation: 'relu', components: 32, sigma: 'exp', sigmaEpsilon: 1e-7 },
    learningRate: 0.001,
    data: () => standardised(syntheticLarge()),
  },
];

/** NLL (original units of y) that time-to-target trains seed-small down to. */
export const TARGET_NLL = 1.55;
