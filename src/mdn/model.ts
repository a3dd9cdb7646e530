// The model users hold: an MLP-MDN's architecture and weights on a GPU, with training, inference, and save/load.
import { type GpuContext, acquireGpu } from '../runtime/device.js';
import { Arena } from '../runtime/arena.js';
import { readFloats, uploadFloats } from '../runtime/buffers.js';
import { DestroyedError, InvalidArgumentError } from '../runtime/errors.js';
import type { Activation } from '../shaders/activation.wgsl.js';
import type { SigmaActivation } from '../shaders/sigma.wgsl.js';
import { type MdnArchitecture, parameterLayout, validateArchitecture } from './architecture.js';
import { initialParameters } from './init.js';
import { MdnPredictor, type SampleOptions } from './predictor.js';
import { type FitOptions, type FitProgress, type FitResult, type SessionOptions, TrainingSession, fitParameters } from './fit.js';
import { type Mixture, mixtureMean, mixtureVariance, splitMixture } from './mixture.js';
import { mixtureCdf, mixtureMode, mixtureQuantile } from './distribution.js';
import { decodeModel, encodeModel } from './serialization.js';

export interface MdnOptions {
  readonly inputDim: number;
  readonly outputDim: number;
  /** Hidden layer widths (default [64, 64]). */
  readonly hidden?: readonly number[];
  /** Hidden activation (default 'tanh'). */
  readonly activation?: Activation;
  /** Mixture components K (default 5). */
  readonly components?: number;
  /** σ activation (default 'softplus'). */
  readonly sigma?: SigmaActivation;
  /** ε of the elu1 σ activation (default 1e-7). */
  readonly sigmaEpsilon?: number;
  /** Seed of the initial weights (default 0). */
  readonly seed?: number;
  /** The GPU to use; default: a new context on navigator.gpu (in Node pass `await nodeGpu()`). */
  readonly gpu?: GpuContext;
}

/**
 * Creates an MLP-MDN with Glorot-initialised weights on the GPU.
 * @example
 * const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [24], components: 24, sigma: 'exp' });
 * await model.fit(x, y, { steps: 3000, learningRate: 0.01 });
 * const { pi, mu, sigma } = await model.predict(xs);
 */
export async function createMdn(options: MdnOptions): Promise<Mdn> {
  const architecture: MdnArchitecture = {
    inputDim: options.inputDim,
    outputDim: options.outputDim,
    hidden: [...(options.hidden ?? [64, 64])],
    activation: options.activation ?? 'tanh',
    components: options.components ?? 5,
    sigma: options.sigma ?? 'softplus',
    sigmaEpsilon: options.sigmaEpsilon ?? 1e-7,
  };
  validateArchitecture(architecture);
  const blocks = initialParameters(architecture, options.seed ?? 0).map((b) => Float32Array.from(b));
  return Mdn.fromWeights(architecture, blocks, options.gpu);
}

/**
 * Loads a model saved by `Mdn.save()`; throws ModelFormatError naming the problem for any other file.
 * @example
 * const model = await loadMdn(await (await fetch('model.mixden')).arrayBuffer());
 */
export async function loadMdn(bytes: ArrayBuffer | Uint8Array, gpu?: GpuContext): Promise<Mdn> {
  const { architecture, blocks, metadata } = decodeModel(bytes);
  const model = await Mdn.fromWeights(architecture, blocks, gpu);
  model.metadata = metadata;
  return model;
}

/** A model's training session: see `Mdn.trainingSession`. */
export interface ModelTrainingSession {
  readonly steps: number;
  learningRate: number;
  run(steps: number): Promise<FitProgress>;
  destroy(): void;
}

export class Mdn {
  /** JSON saved with the model (e.g. column names and scalers); round-trips through save and load. */
  metadata: unknown = undefined;
  private predictorPromise: Promise<MdnPredictor> | undefined;
  private destroyed = false;
  private busy: Promise<unknown> = Promise.resolve();

  /** The last copy of the weights on the CPU, and the training step it was taken at (see restore). */
  private mirror: { weights: Float32Array[]; step: number };

  private constructor(
    private context: GpuContext,
    readonly architecture: MdnArchitecture,
    private parameters: Arena,
    private ownsGpu: boolean,
    weights: Float32Array[],
  ) {
    this.mirror = { weights, step: 0 };
  }

  /** The GPU context the model runs on (a new one after restore). */
  get gpu(): GpuContext {
    return this.context;
  }

  /** The training step of the weights mirrored on the CPU (0 until a fit mirrors them). */
  get mirroredStep(): number {
    return this.mirror.step;
  }

  /** A model with these weights (one (inputs + 1) x outputs block per layer). */
  static async fromWeights(architecture: MdnArchitecture, blocks: readonly ArrayLike<number>[], gpu?: GpuContext): Promise<Mdn> {
    validateArchitecture(architecture);
    const context = gpu ?? (await acquireGpu());
    const layout = parameterLayout(architecture);
    const parameters = new Arena(context, layout, 'model parameters');
    uploadFloats(context, parameters.buffer, layout.pack(Object.fromEntries(blocks.map((b, i) => [`layer${i}`, b]))));
    return new Mdn(context, architecture, parameters, !gpu, blocks.map((b) => Float32Array.from(b)));
  }

  /**
   * Moves the model to a new GPU (default: a new context on navigator.gpu) from the weights last mirrored on the
   * CPU, after its device was lost; returns the training step of those weights. Training can continue with fit.
   * @example
   * try { await model.fit(x, y); } catch (e) { if (e instanceof DeviceLostError) await model.restore(); }
   */
  async restore(gpu?: GpuContext): Promise<number> {
    if (this.destroyed) throw new DestroyedError('this model was destroyed');
    const context = gpu ?? (await acquireGpu());
    const layout = parameterLayout(this.architecture);
    const parameters = new Arena(context, layout, 'model parameters');
    uploadFloats(context, parameters.buffer, layout.pack(Object.fromEntries(this.mirror.weights.map((b, i) => [`layer${i}`, b]))));
    // What was on the old device is gone with it; release what may still be held there.
    void this.predictorPromise?.then((p) => p.destroy(), () => {});
    this.predictorPromise = undefined;
    try {
      this.parameters.destroy();
    } catch {
      // a lost device's buffers may already be gone
    }
    if (this.ownsGpu) this.context.destroy();
    this.context = context;
    this.parameters = parameters;
    this.ownsGpu = !gpu;
    this.busy = Promise.resolve();
    return this.mirror.step;
  }

  /**
   * Trains on `x` (rows x inputDim) and `y` (rows x outputDim) with Adam; see FitOptions. The weights are
   * mirrored to the CPU every `mirrorEvery` evaluations and at the end, for `restore` after a lost device.
   * @example
   * const result = await model.fit(x, y, { steps: 2000, validationSplit: 0.2, earlyStopping: { patience: 5 } });
   */
  fit(x: ArrayLike<number>, y: ArrayLike<number>, options: FitOptions = {}): Promise<FitResult> {
    return this.serial(async () => {
      checkRows('x', x, this.architecture.inputDim);
      checkRows('y', y, this.architecture.outputDim, x.length / this.architecture.inputDim);
      const mirror = async (step: number) => {
        this.mirror = { weights: await this.readWeights(), step };
      };
      const result = await fitParameters(this.trainingTarget(), x, y, options, mirror, () => this.destroyed);
      await mirror(result.bestStep);
      return result;
    });
  }

  /**
   * Training that continues across calls (the Adam state is kept): `run(n)` trains n more steps and returns
   * their progress. For live training, pausing and resuming; `fit` covers the usual case.
   * @example
   * const session = await model.trainingSession(x, y, { learningRate: 0.01 });
   * while (running) draw(await session.run(50), await model.predict(grid));
   * session.destroy();
   */
  trainingSession(x: ArrayLike<number>, y: ArrayLike<number>, options: SessionOptions = {}): Promise<ModelTrainingSession> {
    return this.serial(async () => {
      checkRows('x', x, this.architecture.inputDim);
      checkRows('y', y, this.architecture.outputDim, x.length / this.architecture.inputDim);
      const session = await TrainingSession.create(this.trainingTarget(), x, y, options);
      return {
        get steps() {
          return session.steps;
        },
        get learningRate() {
          return session.learningRate;
        },
        set learningRate(value: number) {
          session.learningRate = value;
        },
        run: (steps: number) => this.serial(() => session.run(steps)),
        destroy: () => session.destroy(),
      };
    });
  }

  /**
   * The mixture p(y | x) of each row of `x`.
   * @example
   * const { pi, mu, sigma } = await model.predict([0.5, 1.5]);
   */
  predict(x: ArrayLike<number>): Promise<Mixture> {
    return this.serial(async () => {
      const rows = checkRows('x', x, this.architecture.inputDim);
      const params = await (await this.predictor()).predict(x);
      return splitMixture(params, rows, this.architecture.components, this.architecture.outputDim);
    });
  }

  /**
   * log p(y | x) of each row, in nats.
   * @example
   * const logDensity = await model.logProb(x, y);
   */
  logProb(x: ArrayLike<number>, y: ArrayLike<number>): Promise<Float32Array> {
    return this.serial(async () => {
      const rows = checkRows('x', x, this.architecture.inputDim);
      checkRows('y', y, this.architecture.outputDim, rows);
      return (await this.predictor()).logProb(x, y);
    });
  }

  /**
   * `n` draws from p(y | x) for each row of `x`: rows x n x outputDim, row-major. `temperature` divides the
   * π logits (0: always the most probable component); `sigmaTemperature` multiplies every σ (0: the means).
   * @example
   * const draws = await model.sample(x, 50, { temperature: 1, sigmaTemperature: 1, seed: 3 });
   */
  sample(x: ArrayLike<number>, n: number, options: SampleOptions = {}): Promise<Float32Array> {
    return this.serial(async () => {
      checkRows('x', x, this.architecture.inputDim);
      return (await this.predictor()).sample(x, n, options);
    });
  }

  /**
   * E[y | x], rows x outputDim.
   * @example
   * const expected = await model.mean(x);
   */
  async mean(x: ArrayLike<number>): Promise<Float64Array> {
    return mixtureMean(await this.predict(x));
  }

  /**
   * Var[y_d | x] by the law of total variance, rows x outputDim.
   * @example
   * const spread = await model.variance(x);
   */
  async variance(x: ArrayLike<number>): Promise<Float64Array> {
    return mixtureVariance(await this.predict(x));
  }

  /**
   * The highest-density point of p(y | x) for each row (rows x outputDim), found by fixed-point steps from
   * every component's mean.
   * @example
   * const peak = await model.mode(x);
   */
  async mode(x: ArrayLike<number>): Promise<Float64Array> {
    return mixtureMode(await this.predict(x));
  }

  /**
   * P(Y <= y | x) for each row; one-dimensional y only.
   * @example
   * const p = await model.cdf(x, y);
   */
  async cdf(x: ArrayLike<number>, y: ArrayLike<number>): Promise<Float64Array> {
    return mixtureCdf(await this.predict(x), y);
  }

  /**
   * The q-quantile of p(y | x) for each row; one-dimensional y only.
   * @example
   * const median = await model.quantile(x, 0.5);
   */
  async quantile(x: ArrayLike<number>, q: number): Promise<Float64Array> {
    return mixtureQuantile(await this.predict(x), q);
  }

  /**
   * Differential entropy H[y | x] of each row, in nats, by Monte Carlo: −mean log p(y_i | x) over `samples`
   * draws (default 1000, so a standard error of about sd(log p) / 32). Both steps run on the GPU.
   * @example
   * const h = await model.entropy(x, { samples: 4000, seed: 1 });
   */
  async entropy(x: ArrayLike<number>, options: { samples?: number; seed?: number } = {}): Promise<Float64Array> {
    const n = options.samples ?? 1000;
    const { inputDim } = this.architecture;
    const draws = await this.sample(x, n, { seed: options.seed ?? 0 });
    const rows = x.length / inputDim;
    const repeated = new Float32Array(rows * n * inputDim);
    for (let r = 0; r < rows; r++) for (let j = 0; j < n; j++) for (let i = 0; i < inputDim; i++) repeated[(r * n + j) * inputDim + i] = x[r * inputDim + i];
    const logDensity = await this.logProb(repeated, draws);
    return Float64Array.from({ length: rows }, (_, r) => -logDensity.subarray(r * n, (r + 1) * n).reduce((a, b) => a + b, 0) / n);
  }

  /**
   * p(y | x) on a grid, for heatmaps: one-dimensional x and y; entry [i * xs.length + j] is p(ys[i] | xs[j]).
   * @example
   * const image = await model.density(xs, ys); // ys.length rows of xs.length values
   */
  async density(xs: ArrayLike<number>, ys: ArrayLike<number>): Promise<Float32Array> {
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
    return (await this.logProb(x, y)).map(Math.exp);
  }

  /** The weights, one (inputs + 1) x outputs block per layer (W rows, then the bias row). */
  getWeights(): Promise<Float32Array[]> {
    return this.serial(() => this.readWeights());
  }

  private async readWeights(): Promise<Float32Array[]> {
    const layout = this.parameters.layout;
    const blocks = layout.unpack(await readFloats(this.gpu, this.parameters.buffer, layout.totalFloats));
    return layout.slices.map((s) => blocks[s.name]);
  }

  /**
   * The model as one file (manifest + weights); `loadMdn` reads it back bit for bit.
   * @example
   * const bytes = await model.save(); // Uint8Array: write it to disk, or offer it as a download
   */
  async save(): Promise<Uint8Array> {
    return encodeModel(this.architecture, await this.getWeights(), this.metadata);
  }

  /**
   * Frees the model's GPU memory (and its GPU context if it made one); later calls reject. A call in flight
   * rejects with DestroyedError (fit at its next evaluation); the memory is released once it has ended. Idempotent.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    const release = () => {
      void this.predictorPromise?.then((p) => p.destroy(), () => {});
      this.parameters.destroy();
      if (this.ownsGpu) this.context.destroy();
    };
    void this.busy.then(release, release);
  }

  private trainingTarget() {
    return { gpu: this.gpu, architecture: this.architecture, parameters: this.parameters, predictor: () => this.predictor() };
  }

  private predictor(): Promise<MdnPredictor> {
    this.predictorPromise ??= MdnPredictor.create(this.gpu, this.architecture, this.parameters);
    return this.predictorPromise;
  }

  // One call at a time: training and inference share the parameters and the predictor's buffers.
  private serial<T>(run: () => Promise<T>): Promise<T> {
    if (this.destroyed) return Promise.reject(new DestroyedError('this model was destroyed'));
    const next = this.busy.then(async () => {
      if (this.destroyed) throw new DestroyedError('this model was destroyed');
      const result = await run();
      if (this.destroyed) throw new DestroyedError('this model was destroyed while the call was in flight');
      return result;
    });
    this.busy = next.catch(() => {});
    return next;
  }
}

function checkRows(name: string, values: ArrayLike<number>, cols: number, rows?: number): number {
  if (values === null || typeof values !== 'object' || typeof values.length !== 'number') {
    throw new InvalidArgumentError(`${name} must be an array of numbers`);
  }
  if (values.length === 0) throw new InvalidArgumentError(`${name} is empty`);
  if (values.length % cols !== 0) throw new InvalidArgumentError(`${name} has ${values.length} values, not a whole number of rows of ${cols}`);
  const found = values.length / cols;
  if (rows !== undefined && found !== rows) throw new InvalidArgumentError(`${name} has ${found} rows, x has ${rows}`);
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new InvalidArgumentError(`${name} has a non-finite value (${values[i]}) at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
  }
  return found;
}
