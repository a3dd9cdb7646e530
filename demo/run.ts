// One training run of the demo: an MDN that scales its own data (so everything it returns is in the data's
// units) trained through a session, and an MSE regressor of the same size beside it on standardised data, plus
// the grids and samples the plots draw (all computed on the GPU).
import type { GpuContext } from '../src/runtime/device.js';
import type { Mdn, ModelTrainingSession } from '../src/mdn/model.js';
import { createMdn } from '../src/mdn/createMdn.js';
import { type MseRegressor, createMseRegressor } from '../src/mdn/baselines.js';
import { standardize } from '../src/mdn/datasets.js';
import type { FitProgress } from '../src/mdn/fit.js';
import type { Mixture } from '../src/mdn/mixture.js';
import type { Activation } from '../src/shaders/activation.wgsl.js';
import type { SigmaActivation } from '../src/shaders/sigma.wgsl.js';
import type { Problem } from './problems.js';
import type { Frame } from './plots.js';

export interface DemoSettings {
  readonly hidden: number[];
  readonly activation: Activation;
  readonly components: number;
  readonly sigma: SigmaActivation;
  readonly learningRate: number;
  readonly batchSize: number | 'full';
}

const range = (v: ArrayLike<number>): [number, number] => {
  let low = Infinity;
  let high = -Infinity;
  for (let i = 0; i < v.length; i++) [low, high] = [Math.min(low, v[i]), Math.max(high, v[i])];
  const pad = 0.06 * (high - low || 1);
  return [low - pad, high + pad];
};

export class DemoRun {
  readonly frame: Frame;
  readonly history: FitProgress[] = [];

  private constructor(
    readonly problem: Problem,
    private readonly model: Mdn,
    private readonly session: ModelTrainingSession,
    private readonly mse: MseRegressor,
    // The MSE regressor's standardisation (the MDN does its own).
    private readonly xScale: { mean: number; std: number },
    private readonly yScale: { shift: number; scale: number },
  ) {
    this.frame = { xRange: range(problem.x), yRange: range(problem.y), xName: problem.xName, yName: problem.yName };
  }

  static async create(gpu: GpuContext, problem: Problem, s: DemoSettings): Promise<DemoRun> {
    const rows = problem.x.length;
    const x = standardize(problem.x, rows, 1);
    const y = standardize(problem.y, rows, 1);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: s.hidden, activation: s.activation, components: s.components, sigma: s.sigma, scale: 'zscore', seed: 1, gpu });
    const fit = { learningRate: s.learningRate, batchSize: s.batchSize === 'full' ? ('full' as const) : Math.min(s.batchSize, Math.floor(rows * 0.8)) };
    const session = await model.trainingSession(problem.x, problem.y, { ...fit, validationSplit: 0.2, seed: 1 });
    const trainRows = rows - Math.round(rows * 0.2);
    const mse = await createMseRegressor(gpu, model.architecture, { x: x.values.subarray(0, trainRows), y: y.values.subarray(0, trainRows), inputDim: 1, outputDim: 1 }, {
      learningRate: s.learningRate,
      seed: 1,
      batchSize: fit.batchSize === 'full' ? undefined : fit.batchSize,
    });
    return new DemoRun(problem, model, session, mse, { mean: x.mean[0], std: x.std[0] }, { shift: y.mean[0], scale: y.std[0] });
  }

  /** Trains both models `steps` more steps; returns the MDN's progress. */
  async train(steps: number): Promise<FitProgress> {
    const progress = await this.session.run(steps);
    await this.mse.train(steps);
    this.history.push(progress);
    return progress;
  }

  private scaledX = (x: ArrayLike<number>) => Float32Array.from(x, (v) => (v - this.xScale.mean) / this.xScale.std);

  /** p(y|x) on a width x height grid over the frame, rows from the highest y down. */
  async densityGrid(width: number, height: number): Promise<Float32Array> {
    const xs = Array.from({ length: width }, (_, j) => this.frame.xRange[0] + ((j + 0.5) / width) * (this.frame.xRange[1] - this.frame.xRange[0]));
    const ys = Array.from({ length: height }, (_, i) => this.frame.yRange[1] - ((i + 0.5) / height) * (this.frame.yRange[1] - this.frame.yRange[0]));
    return this.model.density(xs, ys);
  }

  /** `per` draws at each of `columns` x positions across the frame, in original units. */
  async samples(columns: number, per: number, temperature: number, sigmaTemperature: number) {
    const xs = Array.from({ length: columns }, (_, j) => this.frame.xRange[0] + ((j + 0.5) / columns) * (this.frame.xRange[1] - this.frame.xRange[0]));
    const draws = await this.model.sample(xs, per, { temperature, sigmaTemperature, seed: 7 });
    return { x: Array.from(draws, (_, i) => xs[Math.floor(i / per)]), y: Array.from(draws) };
  }

  /** The MSE regressor's prediction across the frame, in original units. */
  async mseLine(points: number) {
    const xs = Array.from({ length: points }, (_, j) => this.frame.xRange[0] + (j / (points - 1)) * (this.frame.xRange[1] - this.frame.xRange[0]));
    const means = await this.mse.predict(this.scaledX(xs));
    return { x: xs, y: Array.from(means, (v) => this.yScale.shift + this.yScale.scale * v) };
  }

  /** The mixture at one x, in the data's units. */
  slice(x: number): Promise<Mixture> {
    return this.model.predict([x]);
  }

  /** Mean density at the data points over the mean density of the whole frame: above 1 where the model found the data. */
  async densityContrast(grid: Float32Array): Promise<number> {
    const atData = await this.model.logProb(this.problem.x, this.problem.y);
    const meanAtData = atData.reduce((s, v) => s + Math.exp(v), 0) / atData.length;
    const meanOverall = grid.reduce((s, v) => s + v, 0) / grid.length;
    return meanAtData / meanOverall;
  }

  set learningRate(value: number) {
    this.session.learningRate = value;
  }

  destroy(): void {
    this.session.destroy();
    this.mse.destroy();
    this.model.destroy();
  }
}
