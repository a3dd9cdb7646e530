// GPU inference of mixture parameters for any number of rows, in chunks that fit the device. Reads the
// parameter arena it is given (a trainer's, or one loaded); programs are built once per chunk size and kept.
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { createStorageBuffer, uploadFloats } from '../runtime/buffers.js';
import { compileKernel } from '../runtime/kernel.js';
import { type Program, ProgramBuilder } from '../runtime/program.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { denseForward } from '../shaders/denseForward.js';
import { mixtureParams } from '../shaders/mixtureParams.js';
import { type MdnArchitecture, denseLayers, headWidth } from './architecture.js';

export interface PredictorOptions {
  /** Rows per chunk (default 65,536, lowered to what the device can bind). */
  readonly maxRows?: number;
}

export class MdnPredictor {
  private readonly programs = new Map<number, Program>();

  private constructor(
    private readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    private readonly parameters: Arena,
    readonly maxRows: number,
    private readonly input: GPUBuffer,
    private readonly outputs: readonly GPUBuffer[],
    private readonly params: GPUBuffer,
    private readonly staging: GPUBuffer,
    private readonly build: (rows: number) => Program,
  ) {}

  /**
   * Allocates the chunk buffers and compiles the forward kernels.
   * @example
   * const predictor = await MdnPredictor.create(gpu, arch, trainer.parameters);
   * const mixture = await predictor.predict(x); // rows x K(1 + 2D): [π | μ | σ] per row
   */
  static async create(gpu: GpuContext, architecture: MdnArchitecture, parameters: Arena, options: PredictorOptions = {}): Promise<MdnPredictor> {
    gpu.assertUsable();
    const layers = denseLayers(architecture);
    const widest = Math.max(architecture.inputDim, ...layers.map((l) => l.outputs));
    const fitting = Math.floor(gpu.limits.maxStorageBufferBindingSize / (widest * 4));
    const maxRows = Math.max(1, Math.min(options.maxRows ?? 65536, fitting));
    const input = createStorageBuffer(gpu, 'predict inputs', maxRows * architecture.inputDim);
    const outputs = layers.map((l, i) => createStorageBuffer(gpu, `predict layer${i} output`, maxRows * l.outputs));
    const width = headWidth(architecture);
    const params = createStorageBuffer(gpu, 'mixture parameters', maxRows * width);
    const staging = gpu.device.createBuffer({ label: 'mixture readback', size: maxRows * width * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const forward = await Promise.all(layers.map((l) => compileKernel(gpu, denseForward, { activation: l.activation })));
    const toParams = await compileKernel(gpu, mixtureParams, { sigma: architecture.sigma });
    const build = (rows: number) => {
      const builder = new ProgramBuilder(gpu, `predict ${rows}`);
      layers.forEach((layer, i) =>
        builder.add(forward[i], { a: i === 0 ? input : outputs[i - 1], b: parameters.binding(`layer${i}`), c: outputs[i] }, { rows, ...layer }),
      );
      builder.add(toParams, { head: outputs[layers.length - 1], params }, {
        batch: rows,
        components: architecture.components,
        dims: architecture.outputDim,
        sigmaEpsilon: architecture.sigmaEpsilon,
      });
      return builder.build();
    };
    return new MdnPredictor(gpu, architecture, parameters, maxRows, input, outputs, params, staging, build);
  }

  /**
   * Mixture parameters for `x` (rows x inputDim, row-major): rows x K(1 + 2D), each row [π (K) | μ (K·D) | σ (K·D)].
   * @example
   * const mixture = await predictor.predict(new Float32Array([0.5, -1.2]));
   */
  async predict(x: ArrayLike<number>): Promise<Float32Array> {
    this.gpu.assertUsable();
    const { inputDim } = this.architecture;
    if (x.length === 0 || x.length % inputDim !== 0) {
      throw new InvalidArgumentError(`x must hold a whole number of rows of ${inputDim} values (at least one), got ${x.length} values`);
    }
    const rows = x.length / inputDim;
    const width = headWidth(this.architecture);
    const out = new Float32Array(rows * width);
    const xs = x instanceof Float32Array ? x : Float32Array.from(x);
    try {
      for (let first = 0; first < rows; first += this.maxRows) {
        const count = Math.min(this.maxRows, rows - first);
        uploadFloats(this.gpu, this.input, xs.subarray(first * inputDim, (first + count) * inputDim));
        const encoder = this.gpu.device.createCommandEncoder({ label: 'predict' });
        const pass = encoder.beginComputePass({ label: 'predict' });
        this.program(count).encode(pass);
        pass.end();
        encoder.copyBufferToBuffer(this.params, 0, this.staging, 0, count * width * 4);
        this.gpu.device.queue.submit([encoder.finish()]);
        await this.staging.mapAsync(GPUMapMode.READ, 0, count * width * 4);
        out.set(new Float32Array(this.staging.getMappedRange(0, count * width * 4)), first * width);
        this.staging.unmap();
      }
    } catch (error) {
      throw await this.gpu.explainFailure(error);
    }
    return out;
  }

  /** Frees the predictor's own buffers (not the parameters it reads). */
  destroy(): void {
    for (const p of this.programs.values()) p.destroy();
    this.programs.clear();
    for (const b of [this.input, ...this.outputs, this.params, this.staging]) b.destroy();
  }

  // Two sizes recur (full chunks and the tail); more distinct sizes evict the oldest program.
  private program(rows: number): Program {
    let program = this.programs.get(rows);
    if (!program) {
      if (this.programs.size >= 4) {
        const [oldest] = this.programs.keys();
        this.programs.get(oldest)!.destroy();
        this.programs.delete(oldest);
      }
      program = this.build(rows);
      this.programs.set(rows, program);
    }
    return program;
  }
}
