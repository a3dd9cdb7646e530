// What every model answers from its predicted mixtures: mean, variance, mode, CDF, quantiles, entropy and a
// density grid, on top of predict, logProb and sample (which a model implements on the GPU).
import { InvalidArgumentError } from '../runtime/errors.js';
import type { MdnArchitecture } from './architecture.js';
import { type Mixture, mixtureCovariance, mixtureMean, mixtureVariance } from './mixture.js';
import { mixtureCdf, mixtureMode, mixtureQuantile } from './distribution.js';
import { type Rows, type Shaped, checkInteger, checkOptionKeys, rowsOf, shaped } from './arguments.js';
import type { SampleOptions } from './predictor.js';
import { type Calibration, type CalibrationOptions, calibrationOf } from './calibration.js';

const ENTROPY_OPTION_KEYS = ['samples', 'seed'] as const;

export abstract class MixtureQueries {
  abstract readonly architecture: MdnArchitecture;
  abstract predict(x: Rows): Promise<Mixture>;
  abstract logProb(x: Rows, y: Rows): Promise<Shaped<Float32Array>>;
  abstract sample(x: Rows, n: number, options?: SampleOptions): Promise<Shaped<Float32Array>>;

  /**
   * E[y | x], rows x outputDim.
   * @example
   * const expected = await model.mean(x);
   */
  async mean(x: Rows): Promise<Shaped<Float64Array>> {
    const m = await this.predict(x);
    return shaped(mixtureMean(m), [m.rows, m.dims]);
  }

  /**
   * Var[y_d | x] by the law of total variance, rows x outputDim.
   * @example
   * const spread = await model.variance(x);
   */
  async variance(x: Rows): Promise<Shaped<Float64Array>> {
    const m = await this.predict(x);
    return shaped(mixtureVariance(m), [m.rows, m.dims]);
  }

  /**
   * Cov[y | x] by the law of total covariance, rows x outputDim x outputDim (full for every family: the spread
   * of the component means correlates the dimensions too).
   * @example
   * const c = await model.covariance(x); // c[(r * D + i) * D + j]
   */
  async covariance(x: Rows): Promise<Shaped<Float64Array>> {
    const m = await this.predict(x);
    return shaped(mixtureCovariance(m), [m.rows, m.dims, m.dims]);
  }

  /**
   * The highest-density point of p(y | x) for each row (rows x outputDim), found by fixed-point steps from
   * every component's mean.
   * @example
   * const peak = await model.mode(x);
   */
  async mode(x: Rows): Promise<Shaped<Float64Array>> {
    const m = await this.predict(x);
    return shaped(mixtureMode(m), [m.rows, m.dims]);
  }

  /**
   * P(Y <= y | x) for each row; one-dimensional y only.
   * @example
   * const p = await model.cdf(x, y);
   */
  async cdf(x: Rows, y: Rows): Promise<Shaped<Float64Array>> {
    const m = await this.predict(x);
    return shaped(mixtureCdf(m, rowsOf('y', y, this.architecture.outputDim, m.rows)), [m.rows]);
  }

  /**
   * The q-quantile of p(y | x) for each row; one-dimensional y only.
   * @example
   * const median = await model.quantile(x, 0.5);
   */
  async quantile(x: Rows, q: number): Promise<Shaped<Float64Array>> {
    const m = await this.predict(x);
    return shaped(mixtureQuantile(m, q), [m.rows]);
  }

  /**
   * Differential entropy H[y | x] of each row, in nats, by Monte Carlo: −mean log p(y_i | x) over `samples`
   * draws (default 1000, so a standard error of about sd(log p) / 32). Both steps run on the GPU.
   * @example
   * const h = await model.entropy(x, { samples: 4000, seed: 1 });
   */
  async entropy(x: Rows, options: { samples?: number; seed?: number } = {}): Promise<Shaped<Float64Array>> {
    checkOptionKeys('entropy options', options, ENTROPY_OPTION_KEYS);
    const n = checkInteger('samples', options.samples ?? 1000, 1);
    const { inputDim } = this.architecture;
    const xs = rowsOf('x', x, inputDim);
    const draws = await this.sample(xs, n, options.seed === undefined ? {} : { seed: options.seed });
    const rows = xs.length / inputDim;
    const repeated = new Float32Array(rows * n * inputDim);
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) for (let i = 0; i < inputDim; i++) repeated[(r * n + j) * inputDim + i] = xs[r * inputDim + i];
    const logDensity = await this.logProb(repeated, draws);
    return shaped(Float64Array.from({ length: rows }, (_, r) => -logDensity.subarray(r * n, (r + 1) * n).reduce((a, b) => a + b, 0) / n), [rows]);
  }

  /**
   * p(y | x) on a grid, for heatmaps: one-dimensional x and y; entry [i * xs.length + j] is p(ys[i] | xs[j]).
   * @example
   * const image = await model.density(xs, ys); // ys.length rows of xs.length values
   */
  async density(xs: ArrayLike<number>, ys: ArrayLike<number>): Promise<Shaped<Float32Array>> {
    const { inputDim, outputDim } = this.architecture;
    if (inputDim !== 1 || outputDim !== 1) throw new InvalidArgumentError(`density grids need one input and one output; this model has ${inputDim} and ${outputDim}`);
    const x = new Float32Array(xs.length * ys.length);
    const y = new Float32Array(xs.length * ys.length);
    for (let i = 0; i < ys.length; i++) {
      for (let j = 0; j < xs.length; j++) {
        x[i * xs.length + j] = xs[j];
        y[i * xs.length + j] = ys[i];
      }
    }
    return shaped((await this.logProb(x, y)).map(Math.exp), [ys.length, xs.length]);
  }

  /**
   * How well the predicted uncertainty matches held-out truth, for one-dimensional y: mean CRPS, the coverage of
   * central predictive intervals (`levels`, default 0.5 and 0.9) and the PIT histogram (`bins`, default 10).
   * @example
   * const { crps, coverage, pit } = await model.calibration(xTest, yTest);
   */
  async calibration(x: Rows, y: Rows, options: CalibrationOptions = {}): Promise<Calibration> {
    checkOptionKeys('calibration options', options, ['levels', 'bins']);
    const m = await this.predict(x);
    return calibrationOf(m, rowsOf('y', y, this.architecture.outputDim, m.rows), options);
  }
}
