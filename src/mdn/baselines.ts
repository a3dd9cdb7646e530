// The standard baselines, scored by mean NLL per row on held-out data in the targets' units: the null model
// (the training targets' mean and standard deviation), a linear model with constant σ (least squares), and an
// MLP fitted by MSE with constant σ (the same network as the MDN, one component, σ held fixed during
// training, then set to the training residuals' RMS). Each assumes a Gaussian with diagonal, constant σ.
import type { GpuContext } from '../runtime/device.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import type { MdnArchitecture } from './architecture.js';
import { networkLayers } from './architecture.js';
import { initialParameters } from './init.js';
import { MdnTrainer } from './trainer.js';
import { MdnPredictor } from './predictor.js';

export interface RegressionData {
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly inputDim: number;
  readonly outputDim: number;
}

/** Mean Gaussian NLL per row of `y` under predictions `mean` with a constant σ per output. */
export function gaussianNll(y: ArrayLike<number>, mean: ArrayLike<number>, sigma: readonly number[]): number {
  const D = sigma.length;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const s = sigma[i % D];
    total += 0.5 * ((y[i] - mean[i]) / s) ** 2 + Math.log(s) + 0.5 * Math.log(2 * Math.PI);
  }
  return total / (y.length / D);
}

/** Root mean square of residuals per output. */
function residualRms(y: ArrayLike<number>, mean: ArrayLike<number>, D: number): number[] {
  const sums = new Array(D).fill(0);
  for (let i = 0; i < y.length; i++) sums[i % D] += (y[i] - mean[i]) ** 2;
  return sums.map((s) => Math.sqrt(s / (y.length / D)) || 1e-12);
}

/** A baseline's predictive distribution of the test rows: a Gaussian per value, a constant σ per output. */
export interface GaussianPrediction {
  /** rows x outputDim predicted means. */
  readonly mean: Float64Array;
  /** σ per output. */
  readonly sigma: readonly number[];
}

/** Mean Gaussian NLL per row of the test targets under a prediction. */
export const predictionNll = (test: RegressionData, p: GaussianPrediction): number => gaussianNll(test.y, p.mean, p.sigma);

/** The null model's prediction of the test rows: the training mean, σ the training standard deviation. */
export function nullModelPrediction(train: RegressionData, test: RegressionData): GaussianPrediction {
  const D = train.outputDim;
  const rows = train.y.length / D;
  const mean = new Array(D).fill(0);
  for (let i = 0; i < train.y.length; i++) mean[i % D] += train.y[i] / rows;
  const trainMean = Float64Array.from(train.y, (_, i) => mean[i % D]);
  const sigma = residualRms(train.y, trainMean, D);
  return { mean: Float64Array.from(test.y, (_, i) => mean[i % D]), sigma };
}

/** Solves the normal equations (XᵀX + tiny ridge) b = Xᵀy for one output, by Gaussian elimination. */
function leastSquares(x: ArrayLike<number>, y: (r: number) => number, rows: number, cols: number): number[] {
  const n = cols + 1; // with the intercept
  const a = Array.from({ length: n }, () => new Array(n + 1).fill(0));
  for (let r = 0; r < rows; r++) {
    const features = [...Array.from({ length: cols }, (_, c) => x[r * cols + c]), 1];
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) a[i][j] += features[i] * features[j];
      a[i][n] += features[i] * y(r);
    }
  }
  for (let i = 0; i < n; i++) a[i][i] += 1e-9 * (a[i][i] || 1);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r;
    [a[col], a[pivot]] = [a[pivot], a[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r][col] / a[col][col];
      for (let c = col; c <= n; c++) a[r][c] -= f * a[col][c];
    }
  }
  return a.map((row, i) => row[n] / row[i]);
}

/** The linear model's prediction of the test rows: least squares per output, σ the training residuals' RMS. */
export function linearModelPrediction(train: RegressionData, test: RegressionData): GaussianPrediction {
  const { inputDim: C, outputDim: D } = train;
  const trainRows = train.y.length / D;
  const coefficients = Array.from({ length: D }, (_, d) => leastSquares(train.x, (r) => train.y[r * D + d], trainRows, C));
  const predict = (x: ArrayLike<number>, rows: number) =>
    Float64Array.from({ length: rows * D }, (_, i) => {
      const r = Math.floor(i / D);
      const b = coefficients[i % D];
      let v = b[C];
      for (let c = 0; c < C; c++) v += b[c] * x[r * C + c];
      return v;
    });
  const sigma = residualRms(train.y, predict(train.x, trainRows), D);
  return { mean: predict(test.x, test.y.length / D), sigma };
}

/** An MLP regressor trained by MSE on the GPU: the MDN machinery with one component and σ held at 1. */
export interface MseRegressor {
  /** Trains `steps` more steps (no readback). */
  train(steps: number): Promise<void>;
  /** Predicted means, rows x outputDim. */
  predict(x: ArrayLike<number>): Promise<Float64Array>;
  destroy(): void;
}

/**
 * Builds an MSE regressor with the architecture's hidden layers for `train` (inputs and targets as given).
 * @example
 * const mse = await createMseRegressor(gpu, arch, data, { learningRate: 0.01, seed: 1 });
 */
export async function createMseRegressor(
  gpu: GpuContext,
  architecture: MdnArchitecture,
  train: RegressionData,
  options: { learningRate: number; seed: number; batchSize?: number },
): Promise<MseRegressor> {
  if (train.inputDim !== architecture.inputDim || train.outputDim !== architecture.outputDim) {
    throw new InvalidArgumentError('the regression data do not match the architecture');
  }
  // Gaussian components whatever the model's family: with σ held at 1 their NLL is the squared error.
  const { family: _, degreesOfFreedom: __, ...trunk } = architecture;
  const arch: MdnArchitecture = { ...trunk, components: 1, sigma: 'exp' };
  const layers = networkLayers(arch);
  const initial = initialParameters(arch, options.seed);
  // Zero the σ columns of the head (weights and bias): exp(0) = 1, and with no σ gradient they stay there,
  // so the loss is MSE up to a constant.
  const head = initial[initial.length - 1];
  const { inputs, outputs } = layers[layers.length - 1];
  const D = arch.outputDim;
  for (let row = 0; row <= inputs; row++) for (let d = 0; d < D; d++) head[row * outputs + 1 + D + d] = 0;
  const trainer = await MdnTrainer.create(gpu, arch, {
    rows: train.y.length / D,
    batchSize: options.batchSize,
    seed: options.seed,
    initialParameters: initial,
    freezeSigma: true,
    optimizer: { kind: 'adam', learningRate: options.learningRate },
  });
  const predictor = await MdnPredictor.create(gpu, arch, trainer.parameters);
  trainer.setData(Float32Array.from(train.x), Float32Array.from(train.y));
  return {
    train: async (steps) => void (await trainer.train(steps)),
    async predict(x) {
      const params = await predictor.predict(x);
      const width = 1 + 2 * D;
      return Float64Array.from({ length: (params.length / width) * D }, (_, i) => params[Math.floor(i / D) * width + 1 + (i % D)]);
    },
    destroy() {
      predictor.destroy();
      trainer.destroy();
    },
  };
}

/**
 * The MLP-by-MSE baseline's prediction of the test rows: the MDN's trunk trained by MSE (createMseRegressor),
 * then σ set to the training residuals' RMS.
 */
export async function mlpMsePrediction(
  gpu: GpuContext,
  architecture: MdnArchitecture,
  train: RegressionData,
  test: RegressionData,
  options: { steps: number; learningRate: number; seed: number; batchSize?: number },
): Promise<GaussianPrediction> {
  const regressor = await createMseRegressor(gpu, architecture, train, options);
  try {
    await regressor.train(options.steps);
    const sigma = residualRms(train.y, await regressor.predict(train.x), train.outputDim);
    return { mean: await regressor.predict(test.x), sigma };
  } finally {
    regressor.destroy();
  }
}
