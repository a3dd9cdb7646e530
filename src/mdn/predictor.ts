// GPU inference for any number of rows, in chunks that fit the device: the mixture parameters of each row,
// or the log-density of given targets (forward pass, then the NLL kernel without its gradient). Reads the
// parameter arena it is given (a trainer's, or one loaded). Chunk buffers grow to the largest call seen (up
// to maxRows) and programs are kept per chunk size, so repeated calls allocate nothing.
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { createStorageBuffer, uploadFloats } from '../runtime/buffers.js';
import type { Program } from '../runtime/program.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { StepRing } from '../runtime/stepRing.js';
import { StagingBuffer, recordCopy, requireBuffer, submitCommands } from '../runtime/transfer.js';
import { SampleCall } from '../shaders/mixtureSample.js';
import { checkOptionKeys, freshSeed } from './arguments.js';
import { type MdnArchitecture, headWidth, networkLayers } from './architecture.js';
import type { ModelScaling } from './scaling.js';
import { type ChunkBuffers, type PredictMode, type PredictorKernels, buildPredictProgram, chunkStorage, compilePredictorKernels, createChunkBuffers, destroyPredictorKernels } from './predictPrograms.js';

/** Default most values of samples per chunk (64 MiB); calls asking more are split into more chunks. */
const SAMPLE_CHUNK_FLOATS = 1 << 24;
const SAMPLE_OPTION_KEYS = ['temperature', 'sigmaTemperature', 'seed'] as const;
const ENCODE_COMMON = ['mode', 'input', 'output', 'count', 'offset'] as const;
const ENCODE_REQUEST_KEYS: Record<string, readonly string[]> = {
  mixture: ENCODE_COMMON,
  logProb: [...ENCODE_COMMON, 'target'],
  sample: [...ENCODE_COMMON, 'samples', ...SAMPLE_OPTION_KEYS],
};
/** Sampling calls take rotating slots for their per-call values, so up to this many chunks can be recorded before one submit. */
const CALL_SLOTS = 256;

/** A request to record inference into a caller's command encoder, on the caller's buffers. */
export type EncodeRequest = {
  /** rows x inputDim floats, read from row `offset`; needs COPY_SRC usage. */
  readonly input: GPUBuffer;
  /** Results, written at row `offset`; needs COPY_DST usage. */
  readonly output: GPUBuffer;
  /** Rows to compute (at least 1). */
  readonly count: number;
  /** First row (default 0), the same in input, target and output. */
  readonly offset?: number;
} & (
  | { readonly mode: 'mixture' }
  | { readonly mode: 'logProb'; readonly target: GPUBuffer }
  | ({ readonly mode: 'sample'; readonly samples: number } & SampleOptions)
);

export interface SampleOptions {
  /** π logits are divided by it before the softmax (default 1); 0 always picks the most probable component. */
  readonly temperature?: number;
  /** Every σ is multiplied by it (default 1); 0 returns the chosen component's mean. */
  readonly sigmaTemperature?: number;
  /** Seed of the draws, an integer from 0 to 2^32 − 1 (default: a fresh one each call): the same seed, inputs and weights give the same samples. */
  readonly seed?: number;
}

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
  private readonly programs = new Map<string, Program>();
  private buffers: ChunkBuffers | undefined;
  private sampleBuffers: { floats: number; samples: GPUBuffer; staging: StagingBuffer } | undefined;
  private sampleCall: StepRing | undefined;
  private nextCallSlot = 0;
  // Calls that read back share one staging buffer, so they run one after another (a second map of a
  // buffer with a map pending fails).
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    private readonly parameters: Arena,
    /** Most rows per chunk. */
    readonly maxRows: number,
    private readonly kernels: PredictorKernels,
    private readonly sampleChunkValues: number,
  ) {}

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
      predictor.chunkBuffers(maxRows);
      predictor.samplesFor(sampleValues);
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
   * log p(y | x) of each row, in nats: `x` is rows x inputDim, `y` rows x outputDim.
   * @example
   * const logDensity = await predictor.logProb(x, y);
   */
  logProb(x: ArrayLike<number>, y: ArrayLike<number>): Promise<Float32Array> {
    return this.serial(async () => {
      const rows = this.rowsOf(x);
      if (y.length !== rows * this.architecture.outputDim) {
        throw new InvalidArgumentError(`y must hold ${rows} rows x ${this.architecture.outputDim} columns = ${rows * this.architecture.outputDim} values, got ${y.length}`);
      }
      return this.run('logDensity', x, y);
    });
  }

  /**
   * `n` draws from the mixture of each row: rows x n x outputDim (row-major), on the GPU.
   * @example
   * const samples = await predictor.sample(x, 100, { temperature: 0.8, seed: 7 });
   */
  sample(x: ArrayLike<number>, n: number, options: SampleOptions = {}): Promise<Float32Array> {
    return this.serial(() => this.drawSamples(x, n, options));
  }

  private async drawSamples(x: ArrayLike<number>, n: number, options: SampleOptions): Promise<Float32Array> {
    this.gpu.assertUsable();
    const { inputDim, outputDim } = this.architecture;
    const rows = this.rowsOf(x);
    checkOptionKeys('sample options', options, SAMPLE_OPTION_KEYS);
    const temperature = options.temperature ?? 1;
    const sigmaTemperature = options.sigmaTemperature ?? 1;
    const seed = options.seed ?? freshSeed();
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`n (samples per row) must be an integer >= 1, got ${n}`);
    this.checkSampling(n, temperature, sigmaTemperature, seed);
    const xs = x instanceof Float32Array ? x : Float32Array.from(x);
    const perRow = n * outputDim;
    const out = new Float32Array(rows * perRow);
    try {
      const buffers = this.chunkBuffers(Math.min(rows, this.maxRows));
      const chunk = Math.max(1, Math.min(buffers.rows, Math.floor(this.sampleChunkValues / perRow)));
      const sampled = this.samplesFor(Math.min(rows, chunk) * perRow);
      for (let first = 0; first < rows; first += chunk) {
        const count = Math.min(chunk, rows - first);
        uploadFloats(this.gpu, buffers.input, xs.subarray(first * inputDim, (first + count) * inputDim));
        const call = this.callSlot({ temperature, sigmaTemperature, seed, rowOffset: first });
        await this.runChunk(this.program('sample', count, buffers, n), sampled.samples, sampled.staging, count * perRow, out, first * perRow, call);
      }
    } catch (error) {
      throw await this.gpu.explainFailure(error);
    }
    return out;
  }

  // Sample output buffers of at least `floats` values, grown as calls need; programs that bound smaller ones go.
  private samplesFor(floats: number): { floats: number; samples: GPUBuffer; staging: StagingBuffer } {
    if (this.sampleBuffers && this.sampleBuffers.floats >= floats) return this.sampleBuffers;
    this.dropSampleBuffers();
    this.sampleBuffers = {
      floats,
      samples: createStorageBuffer(this.gpu, 'samples', floats),
      staging: new StagingBuffer(this.gpu, 'samples readback', floats),
    };
    return this.sampleBuffers;
  }

  private dropSampleBuffers(): void {
    for (const [key, program] of this.programs) {
      if (key.startsWith('sample')) {
        program.destroy();
        this.programs.delete(key);
      }
    }
    this.sampleBuffers?.samples.destroy();
    this.sampleBuffers?.staging.destroy();
    this.sampleBuffers = undefined;
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
    const { inputDim, outputDim } = this.architecture;
    const { count, offset = 0 } = request;
    if (!Number.isInteger(count) || count < 1) throw new InvalidArgumentError(`count must be an integer >= 1, got ${count}`);
    if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError(`offset must be an integer >= 0, got ${offset}`);
    if (!ENCODE_REQUEST_KEYS[request.mode]) throw new InvalidArgumentError(`mode must be 'mixture', 'logProb' or 'sample', got ${JSON.stringify((request as { mode: unknown }).mode)}`);
    const perRow = request.mode === 'mixture' ? headWidth(this.architecture) : request.mode === 'logProb' ? 1 : request.samples * outputDim;
    checkOptionKeys('the encode request', request, ENCODE_REQUEST_KEYS[request.mode] ?? []);
    if (request.mode === 'sample') this.checkSampling(request.samples, request.temperature ?? 1, request.sigmaTemperature ?? 1, request.seed ?? 0);
    requireBuffer('input', request.input, 'COPY_SRC', (offset + count) * inputDim);
    requireBuffer('output', request.output, 'COPY_DST', (offset + count) * perRow);
    if (request.mode === 'logProb') requireBuffer('target', request.target, 'COPY_SRC', (offset + count) * outputDim);
    const buffers = this.chunkBuffers(Math.min(count, this.maxRows));
    const chunk = request.mode === 'sample' ? Math.max(1, Math.min(buffers.rows, Math.floor(this.sampleChunkValues / perRow))) : buffers.rows;
    const sampled = request.mode === 'sample' ? this.samplesFor(Math.min(count, chunk) * perRow) : undefined;
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
        this.program('sample', rows, buffers, request.samples).encode(pass, this.callSlot({ temperature, sigmaTemperature, seed, rowOffset: first }));
      } else this.program(request.mode === 'mixture' ? 'params' : 'logDensity', rows, buffers).encode(pass);
      pass.end();
      const result = request.mode === 'mixture' ? buffers.params : request.mode === 'logProb' ? buffers.logDensity : sampled!.samples;
      recordCopy(encoder, result, 0, request.output, row * perRow, rows * perRow);
    }
  }

  // Per-call sampling values in the next rotating slot; returns the slot's dynamic offset.
  private callSlot(values: { temperature: number; sigmaTemperature: number; seed: number; rowOffset: number }): number {
    this.sampleCall ??= new StepRing(this.gpu, SampleCall, CALL_SLOTS, 'sample calls');
    const slot = this.nextCallSlot++ % CALL_SLOTS;
    this.sampleCall.writeSlot(this.gpu.device.queue, slot, values);
    return this.sampleCall.offset(slot);
  }

  private checkSampling(n: number, temperature: number, sigmaTemperature: number, seed: number): void {
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`n (samples per row) must be an integer >= 1, got ${n}`);
    if (n * this.architecture.outputDim > this.sampleChunkValues) {
      throw new InvalidArgumentError(`n = ${n} samples of ${this.architecture.outputDim} values is more than one chunk holds (${this.sampleChunkValues} values)`);
    }
    for (const [name, value] of [['temperature', temperature], ['sigmaTemperature', sigmaTemperature]] as const) {
      if (!(Number.isFinite(value) && value >= 0)) throw new InvalidArgumentError(`${name} must be a finite number >= 0, got ${value}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new InvalidArgumentError(`seed must be an integer from 0 to 2^32 - 1, got ${seed}`);
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
    const { inputDim, outputDim } = this.architecture;
    const rows = this.rowsOf(x);
    const width = mode === 'params' ? headWidth(this.architecture) : 1;
    const out = new Float32Array(rows * width);
    const xs = x instanceof Float32Array ? x : Float32Array.from(x);
    const ys = y === undefined || y instanceof Float32Array ? y : Float32Array.from(y);
    try {
      const buffers = this.chunkBuffers(Math.min(rows, this.maxRows));
      const result = mode === 'params' ? buffers.params : buffers.logDensity;
      for (let first = 0; first < rows; first += buffers.rows) {
        const count = Math.min(buffers.rows, rows - first);
        uploadFloats(this.gpu, buffers.input, xs.subarray(first * inputDim, (first + count) * inputDim));
        if (ys) uploadFloats(this.gpu, buffers.targets, ys.subarray(first * outputDim, (first + count) * outputDim));
        await this.runChunk(this.program(mode, count, buffers), result, buffers.staging, count * width, out, first * width);
      }
    } catch (error) {
      throw await this.gpu.explainFailure(error);
    }
    return out;
  }

  /** Bytes of GPU memory the predictor holds (not counting the parameters it reads). */
  get gpuBytes(): number {
    const sampling = this.sampleBuffers ? this.sampleBuffers.samples.size + this.sampleBuffers.staging.byteSize : 0;
    return sampling + (this.buffers ? chunkStorage(this.buffers).reduce((sum, b) => sum + b.size, 0) + this.buffers.staging.byteSize : 0);
  }

  /** Frees the predictor's own buffers (not the parameters it reads). */
  destroy(): void {
    this.dropBuffers();
    destroyPredictorKernels(this.kernels);
    this.sampleCall?.destroy();
    this.sampleCall = undefined;
  }

  // Buffers for `rows` per chunk, grown (never shrunk) as larger calls come; steady state allocates nothing.
  private chunkBuffers(rows: number): ChunkBuffers {
    if (this.buffers && this.buffers.rows >= rows) return this.buffers;
    this.dropBuffers();
    this.buffers = createChunkBuffers(this.gpu, this.architecture, rows);
    return this.buffers;
  }

  private dropBuffers(): void {
    this.dropSampleBuffers();
    for (const p of this.programs.values()) p.destroy();
    this.programs.clear();
    if (this.buffers) for (const b of [...chunkStorage(this.buffers), this.buffers.staging]) b.destroy();
    this.buffers = undefined;
  }

  // Two sizes recur per mode (full chunks and the tail); past 16 programs the oldest is dropped. Dropped, not
  // destroyed: commands recorded into a caller's encoder may still use it before their submit, and a command
  // buffer keeps what it references alive until the garbage collector frees it (a few hundred bytes).
  private program(mode: PredictMode | 'sample', rows: number, buffers: ChunkBuffers, samplesPerRow = 0): Program {
    const key = `${mode} ${rows} ${samplesPerRow}`;
    let program = this.programs.get(key);
    if (!program) {
      if (this.programs.size >= 16) {
        const [oldest] = this.programs.keys();
        this.programs.delete(oldest);
      }
      const samples = mode === 'sample' ? { buffer: this.sampleBuffers!.samples, call: (this.sampleCall ??= new StepRing(this.gpu, SampleCall, CALL_SLOTS, 'sample calls')), samplesPerRow } : undefined;
      program = buildPredictProgram(this.gpu, this.architecture, this.parameters, this.kernels, mode, rows, buffers, samples);
      this.programs.set(key, program);
    }
    return program;
  }
}
