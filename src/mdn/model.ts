// The model users hold: an MLP-MDN's architecture and weights on a GPU, with training, inference, and save/load.
import { type GpuContext, acquireGpu } from '../runtime/device.js';
import { Arena } from '../runtime/arena.js';
import { readFloats, uploadFloats } from '../runtime/buffers.js';
import { DestroyedError, InvalidArgumentError } from '../runtime/errors.js';
import type { Activation } from '../shaders/activation.wgsl.js';
import type { SigmaActivation } from '../shaders/sigma.wgsl.js';
import { type MdnArchitecture, packParameters, parameterLayout, validateArchitecture, withLayers } from './architecture.js';
import type { LayerSpec } from './layers/index.js';
import { initialParameters } from './init.js';
import { MdnPredictor, type SampleOptions } from './predictor.js';
import { type FitOptions, type FitProgress, type FitResult, type SessionOptions, TrainingSession, fitParameters } from './fit.js';
import { type Mixture, mixtureMean, mixtureVariance, splitMixture } from './mixture.js';
import { mixtureCdf, mixtureMode, mixtureQuantile } from './distribution.js';
import { decodeModel, encodeModel } from './serialization.js';
import { type Rows, type Shaped, checkInteger, checkNumber, checkOptionKeys, checkSeed, rowsOf, shaped } from './arguments.js';
import { type ModelScaling, type ScaleOption, type ScalingPlan, fitScaling, scalingPlanOf } from './scaling.js';
import { SESSION_OPTION_KEYS, trainingRowCount } from './fit.js';

export interface MdnOptions {
  /** Values per input row x (required). */
  readonly inputDim: number;
  /** Values per target row y (required). */
  readonly outputDim: number;
  /** Hidden layer widths, or one width for one layer (default [64, 64]): dense layers, the shorthand for `layers`. */
  readonly hidden?: readonly number[] | number;
  /** Hidden activation: 'identity', 'relu', 'tanh', 'sigmoid' or 'elu' (default 'tanh'). */
  readonly activation?: Activation;
  /**
   * The trunk layer by layer, instead of `hidden` and `activation`: `{ kind: 'dense', units, activation }` and
   * `{ kind: 'layerNorm', epsilon? }` (normalises each row's features, then a learned scale and shift).
   * @example
   * layers: [{ kind: 'dense', units: 64, activation: 'relu' }, { kind: 'layerNorm' }, { kind: 'dense', units: 64, activation: 'relu' }]
   */
  readonly layers?: readonly LayerSpec[];
  /** Mixture components K (default 5). */
  readonly components?: number;
  /** σ activation: 'exp', 'softplus' or 'elu1' = elu + 1 + ε (default 'softplus'). */
  readonly sigma?: SigmaActivation;
  /** ε of the elu1 σ activation, in [0, 1] (default 1e-7). */
  readonly sigmaEpsilon?: number;
  /**
   * Scaling of inputs and targets, part of the model (default 'none'): 'zscore', 'minmax', or
   * { x, y, logY } with logY taking the log of positive targets first. Fitted on the training rows of the first
   * fit and saved with the model; every call takes and returns original units either way.
   */
  readonly scale?: ScaleOption;
  /** Seed of the initial weights, an integer from 0 to 2^32 − 1 (default 0). */
  readonly seed?: number;
  /** The GPU to use; default: a new context on navigator.gpu (in Node pass `await nodeGpu()`). */
  readonly gpu?: GpuContext;
}

const MDN_OPTION_KEYS = ['inputDim', 'outputDim', 'hidden', 'activation', 'layers', 'components', 'sigma', 'sigmaEpsilon', 'scale', 'seed', 'gpu'] as const;
const ENTROPY_OPTION_KEYS = ['samples', 'seed'] as const;

/**
 * Creates an MLP-MDN with Glorot-initialised weights on the GPU.
 * @example
 * const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [24], components: 24, sigma: 'exp' });
 * await model.fit(x, y, { steps: 3000, learningRate: 0.01 });
 * const { pi, mu, sigma } = await model.predict(xs);
 */
export async function createMdn(options: MdnOptions): Promise<Mdn> {
  checkOptionKeys('createMdn options', options, MDN_OPTION_KEYS);
  const architecture = architectureOf(options);
  validateArchitecture(architecture);
  const plan = scalingPlanOf(options.scale);
  const blocks = initialParameters(architecture, checkSeed('seed', options.seed ?? 0)).map((b) => Float32Array.from(b));
  const model = await Mdn.fromWeights(architecture, blocks, options.gpu);
  model.scalingPlan = plan;
  return model;
}

// The description createMdn's options give: `layers`, or the `hidden`/`activation` shorthand for dense layers.
function architectureOf(options: MdnOptions): MdnArchitecture {
  const head = { inputDim: options.inputDim, outputDim: options.outputDim, components: options.components ?? 5, sigma: options.sigma ?? 'softplus', sigmaEpsilon: options.sigmaEpsilon ?? 1e-7 };
  if (options.layers !== undefined) {
    if (options.hidden !== undefined || options.activation !== undefined) {
      throw new InvalidArgumentError('give either layers or hidden/activation (their shorthand for dense layers), not both');
    }
    return withLayers(head, options.layers);
  }
  const hidden = options.hidden ?? [64, 64];
  return { ...head, hidden: typeof hidden === 'number' ? [hidden] : Array.isArray(hidden) ? [...hidden] : (hidden as never), activation: options.activation ?? 'tanh' };
}

/**
 * Loads a model saved by `Mdn.save()`; throws ModelFormatError naming the problem for any other file.
 * @example
 * const model = await loadMdn(await (await fetch('model.mixden')).arrayBuffer());
 */
export async function loadMdn(bytes: ArrayBuffer | Uint8Array, gpu?: GpuContext): Promise<Mdn> {
  const { architecture, blocks, metadata, scaling, scalePlan } = decodeModel(bytes);
  const model = await Mdn.fromWeights(architecture, blocks, gpu, scaling);
  model.metadata = metadata;
  model.scalingPlan = scalePlan;
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
  /** @internal Scalers to fit at the first fit (createMdn's `scale`). */
  scalingPlan: ScalingPlan | undefined;
  private fittedScaling: ModelScaling | undefined;

  /** The last copy of the weights on the CPU, and the training step it was taken at (see restore). */
  private mirror: { weights: Float32Array[]; step: number };

  private constructor(
    private context: GpuContext,
    readonly architecture: MdnArchitecture,
    private parameters: Arena,
    private ownsGpu: boolean,
    weights: Float32Array[],
    scaling: ModelScaling | undefined,
  ) {
    this.mirror = { weights, step: 0 };
    this.fittedScaling = scaling;
  }

  /** The fitted scalers of inputs and targets (undefined: the model works in the units given, or is not fitted yet). */
  get scaling(): ModelScaling | undefined {
    return this.fittedScaling;
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
  static async fromWeights(architecture: MdnArchitecture, blocks: readonly ArrayLike<number>[], gpu?: GpuContext, scaling?: ModelScaling): Promise<Mdn> {
    validateArchitecture(architecture);
    const context = gpu ?? (await acquireGpu());
    const layout = parameterLayout(architecture);
    const parameters = new Arena(context, layout, 'model parameters');
    uploadFloats(context, parameters.buffer, packParameters(architecture, blocks));
    return new Mdn(context, architecture, parameters, !gpu, blocks.map((b) => Float32Array.from(b)), scaling);
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
    uploadFloats(context, parameters.buffer, packParameters(this.architecture, this.mirror.weights));
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
  fit(x: Rows, y: Rows, options: FitOptions = {}): Promise<FitResult> {
    return this.serial(async () => {
      const { xs, ys } = this.trainingRows(x, y, options.validationSplit);
      const mirror = async (step: number) => {
        this.mirror = { weights: await this.readWeights(), step };
      };
      const result = await fitParameters(this.trainingTarget(), xs, ys, options, mirror, () => this.destroyed);
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
  trainingSession(x: Rows, y: Rows, options: SessionOptions = {}): Promise<ModelTrainingSession> {
    return this.serial(async () => {
      checkOptionKeys('trainingSession options', options, SESSION_OPTION_KEYS);
      const { xs, ys } = this.trainingRows(x, y, options.validationSplit);
      const session = await TrainingSession.create(this.trainingTarget(), xs, ys, options);
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
  predict(x: Rows): Promise<Mixture> {
    return this.serial(async () => {
      const xs = rowsOf('x', x, this.architecture.inputDim);
      const params = await (await this.predictor()).predict(xs);
      return splitMixture(params, xs.length / this.architecture.inputDim, this.architecture.components, this.architecture.outputDim, this.fittedScaling?.y.log ?? false);
    });
  }

  /**
   * log p(y | x) of each row, in nats.
   * @example
   * const logDensity = await model.logProb(x, y);
   */
  logProb(x: Rows, y: Rows): Promise<Shaped<Float32Array>> {
    return this.serial(async () => {
      const xs = rowsOf('x', x, this.architecture.inputDim);
      const rows = xs.length / this.architecture.inputDim;
      const ys = rowsOf('y', y, this.architecture.outputDim, rows);
      if (this.fittedScaling?.y.log) {
        const bad = ys.findIndex((v) => !(v > 0));
        if (bad >= 0) throw new InvalidArgumentError(`y at row ${Math.floor(bad / this.architecture.outputDim)} is ${ys[bad]}; this model log-transforms its targets, so y must be > 0`);
      }
      return shaped(await (await this.predictor()).logProb(xs, ys), [rows]);
    });
  }

  /**
   * `n` draws from p(y | x) for each row of `x`: rows x n x outputDim, row-major. `temperature` divides the
   * π logits (0: always the most probable component); `sigmaTemperature` multiplies every σ (0: the means).
   * @example
   * const draws = await model.sample(x, 50, { temperature: 1, sigmaTemperature: 1, seed: 3 });
   */
  sample(x: Rows, n: number, options: SampleOptions = {}): Promise<Shaped<Float32Array>> {
    return this.serial(async () => {
      const xs = rowsOf('x', x, this.architecture.inputDim);
      const draws = await (await this.predictor()).sample(xs, n, options);
      return shaped(draws, [xs.length / this.architecture.inputDim, n, this.architecture.outputDim]);
    });
  }

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
    return encodeModel(this.architecture, await this.getWeights(), this.metadata, this.fittedScaling, this.scalingPlan);
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
    return { gpu: this.gpu, architecture: this.architecture, parameters: this.parameters, predictor: () => this.predictor(), scaling: this.fittedScaling };
  }

  // Checks the training rows, and at the first fit of a model that scales, fits its scalers on the rows that
  // train (not the validation split's).
  private trainingRows(x: Rows, y: Rows, validationSplit: number | undefined): { xs: Float64Array; ys: Float64Array } {
    const { inputDim, outputDim } = this.architecture;
    const xs = rowsOf('x', x, inputDim);
    const rows = xs.length / inputDim;
    const ys = rowsOf('y', y, outputDim, rows);
    if (this.scalingPlan && !this.fittedScaling) {
      if (validationSplit !== undefined) checkNumber('validationSplit', validationSplit, 0, 1, { high: true });
      const cut = trainingRowCount(rows, validationSplit ?? 0);
      this.fittedScaling = fitScaling(this.scalingPlan, xs.subarray(0, cut * inputDim), ys.subarray(0, cut * outputDim), inputDim, outputDim);
      // The predictor's programs are built for the scalers: a new one with them.
      void this.predictorPromise?.then((p) => p.destroy(), () => {});
      this.predictorPromise = undefined;
    }
    return { xs, ys };
  }

  private predictor(): Promise<MdnPredictor> {
    this.predictorPromise ??= MdnPredictor.create(this.gpu, this.architecture, this.parameters, { scaling: this.fittedScaling });
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
