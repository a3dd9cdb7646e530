// GPU inference for any number of rows, in chunks that fit the device: the mixture parameters of each row,
// the log-density of given targets, or samples, read back or recorded into a caller's encoder. Reads the
// parameter arena it is given (a trainer's, or one loaded). Its buffers and programs are in ./predictChunks.ts,
// what it records in ./predictPrograms.ts.
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { uploadFloats } from '../runtime/buffers.js';
import type { Program } from '../runtime/program.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { type DispatchTiming, timeProgram } from '../runtime/timestamps.js';
import { StagingBuffer, recordCopy, submitCommands } from '../runtime/transfer.js';
import { checkOptionKeys, freshSeed } from './arguments.js';
import { type EncodeRequest, SAMPLE_OPTION_KEYS, type SampleOptions, checkEncodeRequest, checkSampling } from './predictRequests.js';
import { type MdnArchitecture, headWidth, networkLayers, targetWidth } from './architecture.js';
import type { ModelScaling } from './scaling.js';
import { type PredictMode, type PredictorKernels, compilePredictorKernels } from './predictPrograms.js';
import { ChunkCache } from './predictChunks.js';

export type { EncodeRequest, SampleOptions } from './predictRequests.js';

/** Default most values of samples per chunk (64 MiB); calls asking more are split into more chunks. */
const SAMPLE_CHUNK_FLOATS = 1 << 24;

export interface PredictorOptions {
  /** Rows per chunk (default 65,536, lowered to what the device can bind). */
  readonly maxRows?: number;
  /** Most sample values per chunk (default 2^24). */
  readonly maxSampleValues?: number;
  /**
   * Allocate the chunk buffers for maxRows (and maxSampleValues) now rather than as calls need them, so they
   * are never replaced later: needed where commands are recorded into a caller's encoder for a later submit.
   */
  readonly preallocate?: boolean;
  /** The model's scalers: inputs and targets are given, and results returned, in original units. */
  readonly scaling?: ModelScaling;
}

export class MdnPredictor {
  private readonly chunks: ChunkCache;
  // Calls that read back share one staging buffer, so they run one after another (a second map of a
  // buffer with a map pending fails).
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    parameters: Arena,
    /** Most rows per chunk. */
    readonly maxRows: number,
    kernels: PredictorKernels,
    private readonly sampleChunkValues: number,
  ) {
    this.chunks = new ChunkCache(gpu, architecture, parameters, kernels);
  }

  /**
   * Compiles the forward kernels; chunk buffers are sized by the first calls.
   * @example
   * const predictor = await MdnPredictor.create(gpu, arch, trainer.parameters);
   * const mixture = await predictor.predict(x); // rows x K(1 + 2D): [π | μ | σ] per row
   */
  static async create(gpu: GpuContext, architecture: MdnArchitecture, parameters: Arena, options: PredictorOptions = {}): Promise<MdnPredictor> {
    gpu.assertUsable();
    const layers = networkLayers(architecture);
    const widest = Math.max(architecture.inputDim, ...layers.map((l) => l.outputs));
    const fitting = Math.floor(gpu.limits.maxStorageBufferBindingSize / (widest * 4));
    const maxRows = Math.max(1, Math.min(options.maxRows ?? 65536, fitting));
    const kernels = await compilePredictorKernels(gpu, architecture, options.scaling);
    const sampleValues = Math.min(options.maxSampleValues ?? SAMPLE_CHUNK_FLOATS, Math.floor(gpu.limits.maxStorageBufferBindingSize / 4));
    const predictor = new MdnPredictor(gpu, architecture, parameters, maxRows, kernels, sampleValues);
    if (options.preallocate) {
      predictor.chunks.chunkBuffers(maxRows);
      predictor.chunks.samplesFor(sampleValues);
    }
    return predictor;
  }

  /**
   * Mixture parameters for `x` (rows x inputDim, row-major): rows x K(1 + 2D), each row [π (K) | μ (K·D) | σ (K·D)].
   * @example
   * const mixture = await predictor.predict(new Float32Array([0.5, -1.2]));
   */
  predict(x: ArrayLike<number>): Promise<Float32Array> {
    return this.serial(() => this.run('params', x));
  }

  private serial<T>(call: () => Promise<T>): Promise<T> {
    const result = this.queue.then(call);
    this.queue = result.catch(() => {});
    return result;
  }

  /**
   * log p(y | x) of each row, in nats: `x` is rows x inputDim, `y` rows x (outputDim + side outputs).
   * @example
   * const logDensity = await predictor.logProb(x, y);
   */
  logProb(x: ArrayLike<number>, y: ArrayLike<number>): Promise<Float32Array> {
    return this.serial(async () => {
      const rows = this.rowsOf(x);
      const columns = targetWidth(this.architecture);
      if (y.length !== rows * columns) {
        throw new InvalidArgumentError(`y must hold ${rows} rows x ${columns} columns = ${rows * columns} values, got ${y.length}`);
      }
      return this.run('logDensity', x, y);
    });
  }

  /**
   * `n` draws from the mixture of each row: rows x n x (outputDim + side outputs) (row-major), on the GPU.
   * @example
   * const samples = await predictor.sample(x, 100, { temperature: 0.8, seed: 7 });
   */
  sample(x: ArrayLike<number>, n: number, options: SampleOptions = {}): Promise<Float32Array> {
    return this.serial(() => this.drawSamples(x, n, options));
  }

  private async drawSamples(x: ArrayLike<number>, n: number, options: SampleOptions): Promise<Float32Array> {
    this.gpu.assertUsable();
    const { inputDim } = this.architecture;
    const outputDim = targetWidth(this.architecture);
    const rows = this.rowsOf(x);
    checkOptionKeys('sample options', options, SAMPLE_OPTION_KEYS);
    const temperature = options.temperature ?? 1;
    const sigmaTemperature = options.sigmaTemperature ?? 1;
    const seed = options.seed ?? freshSeed();
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`n (samples per row) must be an integer >= 1, got ${n}`);
    checkSampling(outputDim, this.sampleChunkValues, n, temperature, sigmaTemperature, seed);
    const xs = x instanceof Float32Array ? x : Float32Array.from(x);
    const perRow = n * outputDim;
    const out = new Float32Array(rows * perRow);
    try {
      const buffers = this.chunks.chunkBuffers(Math.min(rows, this.maxRows));
      const chunk = Math.max(1, Math.min(buffers.rows, Math.floor(this.sampleChunkValues / perRow)));
      const sampled = this.chunks.samplesFor(Math.min(rows, chunk) * perRow);
      for (let first = 0; first < rows; first += chunk) {
        const count = Math.min(chunk, rows - first);
        uploadFloats(this.gpu, buffers.input, xs.subarray(first * inputDim, (first + count) * inputDim));
        const call = this.chunks.callSlot({ temperature, sigmaTemperature, seed, rowOffset: first });
        await this.runChunk(this.chunks.program('sample', count, buffers, n), sampled.samples, sampled.staging, count * perRow, out, first * perRow, call);
      }
    } catch (error) {
      throw await this.gpu.explainFailure(error);
    }
    return out;
  }

  /**
   * Records inference into the caller's command encoder, reading the caller's input (and target) buffer and
   * writing the caller's output buffer: mixture parameters (rows x K(1 + 2D)), log-densities (rows), or
   * samples (rows x samples x D). Nothing is submitted or read back; chunks past maxRows are recorded one after
   * another. Buffer contents are copied on the GPU, so any row offset works.
   * @example
   * predictor.encode(encoder, { mode: 'sample', input, output, count: 4096, samples: 1, seed: frame });
   */
  encode(encoder: GPUCommandEncoder, request: EncodeRequest): void {
    this.gpu.assertUsable();
    const { inputDim } = this.architecture;
    const outputDim = targetWidth(this.architecture);
    const { count, offset = 0 } = request;
    const perRow = checkEncodeRequest(request, { inputDim, outputDim, mixtureWidth: headWidth(this.architecture), sampleChunkValues: this.sampleChunkValues });
    const buffers = this.chunks.chunkBuffers(Math.min(count, this.maxRows));
    const chunk = request.mode === 'sample' ? Math.max(1, Math.min(buffers.rows, Math.floor(this.sampleChunkValues / perRow))) : buffers.rows;
    const sampled = request.mode === 'sample' ? this.chunks.samplesFor(Math.min(count, chunk) * perRow) : undefined;
    let seed: number | undefined;
    for (let first = 0; first < count; first += chunk) {
      const rows = Math.min(chunk, count - first);
      const row = offset + first;
      recordCopy(encoder, request.input, row * inputDim, buffers.input, 0, rows * inputDim);
      if (request.mode === 'logProb') recordCopy(encoder, request.target, row * outputDim, buffers.targets, 0, rows * outputDim);
      const pass = encoder.beginComputePass({ label: `mixden ${request.mode}` });
      if (request.mode === 'sample') {
        // A call without a seed draws afresh; its chunks share the one seed, numbered by row.
        const { temperature = 1, sigmaTemperature = 1 } = request;
        seed ??= request.seed ?? freshSeed();
        // Draws are numbered from the call's first row, so the same inputs and seed give the same samples anywhere.
        this.chunks.program('sample', rows, buffers, request.samples).encode(pass, this.chunks.callSlot({ temperature, sigmaTemperature, seed, rowOffset: first }));
      } else this.chunks.program(request.mode === 'mixture' ? 'params' : 'logDensity', rows, buffers).encode(pass);
      pass.end();
      const result = request.mode === 'mixture' ? buffers.params : request.mode === 'logProb' ? buffers.logDensity : sampled!.samples;
      recordCopy(encoder, result, 0, request.output, row * perRow, rows * perRow);
    }
  }

  // Runs one chunk's program and copies `floats` values of `result` into `out` at `at`, through `staging`.
  private async runChunk(program: Program, result: GPUBuffer, staging: StagingBuffer, floats: number, out: Float32Array, at: number, dynamicOffset = 0): Promise<void> {
    submitCommands(this.gpu, program.label, (encoder) => {
      const pass = encoder.beginComputePass({ label: program.label });
      program.encode(pass, dynamicOffset);
      pass.end();
      staging.copyFrom(encoder, result, 0, 0, floats);
    });
    await staging.readInto(0, floats, out, at);
  }

  private rowsOf(x: ArrayLike<number>): number {
    const { inputDim } = this.architecture;
    if (x.length === 0 || x.length % inputDim !== 0) {
      throw new InvalidArgumentError(`x must hold a whole number of rows of ${inputDim} values (at least one), got ${x.length} values`);
    }
    return x.length / inputDim;
  }

  private async run(mode: PredictMode, x: ArrayLike<number>, y?: ArrayLike<number>): Promise<Float32Array> {
    this.gpu.assertUsable();
    const { inputDim } = this.architecture;
    const outputDim = targetWidth(this.architecture);
    const rows = this.rowsOf(x);
    const width = mode === 'params' ? headWidth(this.architecture) : 1;
    const out = new Float32Array(rows * width);
    const xs = x instanceof Float32Array ? x : Float32Array.from(x);
    const ys = y === undefined || y instanceof Float32Array ? y : Float32Array.from(y);
    try {
      const buffers = this.chunks.chunkBuffers(Math.min(rows, this.maxRows));
      const result = mode === 'params' ? buffers.params : buffers.logDensity;
      for (let first = 0; first < rows; first += buffers.rows) {
        const count = Math.min(buffers.rows, rows - first);
        uploadFloats(this.gpu, buffers.input, xs.subarray(first * inputDim, (first + count) * inputDim));
        if (ys) uploadFloats(this.gpu, buffers.targets, ys.subarray(first * outputDim, (first + count) * outputDim));
        await this.runChunk(this.chunks.program(mode, count, buffers), result, buffers.staging, count * width, out, first * width);
      }
    } catch (error) {
      throw await this.gpu.explainFailure(error);
    }
    return out;
  }

  /**
   * GPU time of each dispatch of inference (the mixture parameters) of the rows of `x`, as many as one chunk takes;
   * null without `timestamp-query`.
   */
  profile(x: ArrayLike<number>): Promise<DispatchTiming[] | null> {
    return this.serial(async () => {
      this.gpu.assertUsable();
      const rows = Math.min(this.rowsOf(x), this.maxRows);
      const buffers = this.chunks.chunkBuffers(rows);
      uploadFloats(this.gpu, buffers.input, Float32Array.from({ length: rows * this.architecture.inputDim }, (_, i) => x[i]));
      return timeProgram(this.gpu, this.chunks.program('params', rows, buffers));
    });
  }

  /** Frees the predictor's own buffers (not the parameters it reads). */
  destroy(): void {
    this.chunks.destroy();
  }

  /** Bytes of GPU memory the predictor holds (not counting the parameters it reads). */
  get gpuBytes(): number {
    return this.chunks.gpuBytes;
  }


}
