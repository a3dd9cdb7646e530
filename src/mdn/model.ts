// The model users hold: its description and weights on a GPU, with training, inference and saving (made by
// ./createMdn.ts; the statistics derived from its mixtures are in ./mixtureQueries.ts).
import { type GpuContext, acquireGpu } from '../runtime/device.js';
import { Arena } from '../runtime/arena.js';
import { uploadFloats } from '../runtime/buffers.js';
import { DestroyedError, InvalidArgumentError } from '../runtime/errors.js';
import { type MdnArchitecture, headOf, packParameters, parameterLayout, targetWidth, validateArchitecture } from './architecture.js';
import { checkSideTargets, sideOutputsOf } from './heads/sideOutputs.js';
import { MixtureQueries } from './mixtureQueries.js';
import { MdnPredictor, type SampleOptions } from './predictor.js';
import { type FitOptions, type FitResult, type SessionOptions, type TrainingTarget, TrainingSession, fitParameters } from './fit.js';
import { type Mixture, splitMixture } from './mixture.js';
import { encodeModel } from './serialization.js';
import { type Rows, type Shaped, checkNumber, checkOptionKeys, rowsOf, shaped } from './arguments.js';
import { type ModelScaling, type ScalingPlan, fitScaling, leadingColumns } from './scaling.js';
import { SESSION_OPTION_KEYS, trainingRowCount } from './fit.js';
import { type ModelTrainingSession, sessionHandle } from './trainingSession.js';

export type { MdnOptions } from './modelOptions.js';
export type { ModelTrainingSession } from './trainingSession.js';


export class Mdn extends MixtureQueries {
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
    super();
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
    // Its inputs are its own previous outputs: predict on independent rows would answer another question.
    if (architecture.sequence) throw new InvalidArgumentError('this is a sequence model: open it with loadSequenceMdn (or createSequenceMdn for a new one)');
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
   * Trains on `x` (rows x inputDim) and `y` (rows x outputDim, then one column per side output) with Adam; see FitOptions. The weights are
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
      const result = await fitParameters(await this.trainingTarget(), xs, ys, options, mirror, () => this.destroyed);
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
      return sessionHandle(await TrainingSession.create(await this.trainingTarget(), xs, ys, options), (run) => this.serial(run));
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
      const { inputDim, components, outputDim } = this.architecture;
      return splitMixture(params, xs.length / inputDim, components, outputDim, {
        ...headOf(this.architecture).splitOptions(this.architecture),
        logNormal: this.fittedScaling?.y.log ?? false,
        sideOutputs: sideOutputsOf(this.architecture),
      });
    });
  }

  /**
   * log p(y | x) of each row, in nats (with side outputs, y's rows carry their classes after the outputDim values, and
   * the log-probability of those classes is included).
   * @example
   * const logDensity = await model.logProb(x, y);
   */
  logProb(x: Rows, y: Rows): Promise<Shaped<Float32Array>> {
    return this.serial(async () => {
      const xs = rowsOf('x', x, this.architecture.inputDim);
      const rows = xs.length / this.architecture.inputDim;
      const columns = targetWidth(this.architecture);
      const ys = rowsOf('y', y, columns, rows);
      checkSideTargets('y', this.architecture, ys);
      if (this.fittedScaling?.y.log) {
        const bad = ys.findIndex((v, i) => i % columns < this.architecture.outputDim && !(v > 0));
        if (bad >= 0) throw new InvalidArgumentError(`y at row ${Math.floor(bad / columns)} is ${ys[bad]}; this model log-transforms its targets, so y must be > 0`);
      }
      return shaped(await (await this.predictor()).logProb(xs, ys), [rows]);
    });
  }

  /**
   * `n` draws from p(y | x) for each row of `x`: rows x n x outputDim, row-major (with side outputs, each draw has
   * their classes after its outputDim values). `temperature` divides the π logits and the side outputs' logits
   * (0: always the most probable component and class); `sigmaTemperature` multiplies every σ (0: the means).
   * @example
   * const draws = await model.sample(x, 50, { temperature: 1, sigmaTemperature: 1, seed: 3 });
   */
  sample(x: Rows, n: number, options: SampleOptions = {}): Promise<Shaped<Float32Array>> {
    return this.serial(async () => {
      const xs = rowsOf('x', x, this.architecture.inputDim);
      const draws = await (await this.predictor()).sample(xs, n, options);
      return shaped(draws, [xs.length / this.architecture.inputDim, n, targetWidth(this.architecture)]);
    });
  }

  /** The weights, one block per layer: a dense layer's (inputs + 1) x outputs (W rows, then the bias row), a layerNorm's γ then β. */
  getWeights(): Promise<Float32Array[]> {
    return this.serial(() => this.readWeights());
  }

  private readWeights(): Promise<Float32Array[]> {
    return this.parameters.readSlices(this.gpu);
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

  // What training works on, after trainingRows has fitted any scalers (the predictor is built for them).
  private async trainingTarget(): Promise<TrainingTarget> {
    return { gpu: this.gpu, architecture: this.architecture, parameters: this.parameters, predictor: await this.predictor(), scaling: this.fittedScaling };
  }

  // Checks the training rows, and at the first fit of a model that scales, fits its scalers on the rows that
  // train (not the validation split's).
  private trainingRows(x: Rows, y: Rows, validationSplit: number | undefined): { xs: Float64Array; ys: Float64Array } {
    const { inputDim, outputDim } = this.architecture;
    const columns = targetWidth(this.architecture);
    const xs = rowsOf('x', x, inputDim);
    const rows = xs.length / inputDim;
    const ys = rowsOf('y', y, columns, rows);
    checkSideTargets('y', this.architecture, ys);
    if (this.architecture.family === 'von-mises') warnIfDegrees(leadingColumns(ys, outputDim, columns));
    if (this.scalingPlan && !this.fittedScaling) {
      if (validationSplit !== undefined) checkNumber('validationSplit', validationSplit, 0, 1, { high: true });
      const cut = trainingRowCount(rows, validationSplit ?? 0);
      const continuous = leadingColumns(ys.subarray(0, cut * columns), outputDim, columns);
      this.fittedScaling = fitScaling(this.scalingPlan, xs.subarray(0, cut * inputDim), continuous, inputDim, outputDim);
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

// Angles past ±2π are valid (they wrap), but targets up to 90 or 360 were most likely given in degrees.
function warnIfDegrees(angles: ArrayLike<number>): void {
  let largest = 0;
  for (let i = 0; i < angles.length; i++) largest = Math.max(largest, Math.abs(angles[i]));
  if (largest > 2 * Math.PI + 1e-6) console.warn(`mixden: family 'von-mises' takes angles in radians, but y reaches ${largest}; were they given in degrees? (multiply by π/180)`);
}
