// mixden/inference: a trained MDN as a kernel inside someone else's WebGPU program. No training code, no Node
// modules: load a saved model onto a GPUDevice the caller owns, then record inference into the caller's own
// command encoders (or call run for numbers). destroy() frees only what this made; the device stays.
import { acquireGpu, type GpuContext } from './runtime/device.js';
import { Arena } from './runtime/arena.js';
import { uploadFloats } from './runtime/buffers.js';
import { DestroyedError } from './runtime/errors.js';
import { kernelCode } from './runtime/kernel.js';
import { type BindingDecl, bindGroupLayoutEntries } from './runtime/bindings.js';
import { packUniforms, uniformByteSize } from './runtime/uniforms.js';
import type { DispatchPlan } from './runtime/kernel.js';
import { type MdnArchitecture, denseLayers, headWidth, parameterLayout } from './mdn/architecture.js';
import { decodeModel } from './mdn/serialization.js';
import { type EncodeRequest, MdnPredictor, type SampleOptions } from './mdn/predictor.js';
import { denseForward, denseForwardVariant } from './shaders/denseForward.js';
import { mixtureParams } from './shaders/mixtureParams.js';
import { unrolledHead } from './shaders/unrolledHead.js';

export type { EncodeRequest, SampleOptions } from './mdn/predictor.js';
export { ModelFormatError } from './mdn/serialization.js';

export interface InferenceOptions {
  /** Rows per chunk (default 65,536): larger calls are recorded as several chunks. */
  readonly maxRows?: number;
  /** Sample values per chunk (default 2^22 = 16 MiB). */
  readonly maxSampleValues?: number;
}

export class InferenceKernel {
  private destroyed = false;

  private constructor(
    private readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    private readonly parameters: Arena,
    private readonly predictor: MdnPredictor,
  ) {}

  /** Floats per row of a 'mixture' result: K(1 + 2D), laid out [π (K) | μ (K·D, component-major) | σ (K·D)]. */
  get mixtureWidth(): number {
    return headWidth(this.architecture);
  }

  /**
   * Records inference into `encoder` on the caller's buffers; see EncodeRequest for the layouts. The results are
   * in `output` once the caller submits the encoder. Allocates nothing after the first call of each size.
   * @example
   * kernel.encode(encoder, { mode: 'sample', input: positions, output: draws, count: 4096, samples: 1, seed: frame });
   * device.queue.submit([encoder.finish()]);
   */
  encode(encoder: GPUCommandEncoder, request: EncodeRequest): void {
    this.assertUsable();
    this.predictor.encode(encoder, request);
  }

  /**
   * The mixture parameters of each row of `x` (rows x inputDim): rows x mixtureWidth floats.
   * @example
   * const mixture = await kernel.run(new Float32Array([0.5, 1.5]));
   */
  run(x: ArrayLike<number>): Promise<Float32Array> {
    this.assertUsable();
    return this.predictor.predict(x);
  }

  /** `n` samples per row: rows x n x outputDim. */
  sample(x: ArrayLike<number>, n: number, options: SampleOptions = {}): Promise<Float32Array> {
    this.assertUsable();
    return this.predictor.sample(x, n, options);
  }

  /** log p(y | x) per row. */
  logProb(x: ArrayLike<number>, y: ArrayLike<number>): Promise<Float32Array> {
    this.assertUsable();
    return this.predictor.logProb(x, y);
  }

  /** Frees the buffers this kernel made; the device and the caller's buffers are left alone. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.predictor.destroy();
    this.parameters.destroy();
  }

  private assertUsable(): void {
    if (this.destroyed) throw new DestroyedError('this inference kernel was destroyed');
    this.gpu.assertUsable();
  }

  /** @internal */
  static async create(device: GPUDevice, model: ArrayBuffer | Uint8Array, options: InferenceOptions): Promise<InferenceKernel> {
    const { architecture, blocks } = decodeModel(model);
    const gpu = await acquireGpu({ device });
    const layout = parameterLayout(architecture);
    const parameters = new Arena(gpu, layout, 'inference parameters');
    uploadFloats(gpu, parameters.buffer, layout.pack(Object.fromEntries(blocks.map((b, i) => [`layer${i}`, b]))));
    try {
      const predictor = await MdnPredictor.create(gpu, architecture, parameters, {
        maxRows: options.maxRows,
        maxSampleValues: options.maxSampleValues ?? 1 << 22,
        preallocate: true,
      });
      return new InferenceKernel(gpu, architecture, parameters, predictor);
    } catch (error) {
      parameters.destroy();
      throw error;
    }
  }
}

/**
 * Loads a model file (from `Mdn.save()` or `mixden train`) onto the caller's device.
 * @example
 * const kernel = await loadInferenceKernel(device, await (await fetch('model.mixden')).arrayBuffer());
 */
export function loadInferenceKernel(device: GPUDevice, model: ArrayBuffer | Uint8Array, options: InferenceOptions = {}): Promise<InferenceKernel> {
  return InferenceKernel.create(device, model, options);
}

export interface ExportedKernel {
  readonly label: string;
  /** Complete WGSL: binding declarations, uniform struct and entry point `main`. */
  readonly code: string;
  /** Group 0's bind group layout entries, in binding order, with the names the WGSL uses. */
  readonly bindings: readonly (GPUBindGroupLayoutEntry & { name: string })[];
  /** Uniform values of the one static uniform binding, and the workgroups to dispatch, for `rows` rows. */
  readonly plan: (rows: number) => DispatchPlan;
  /** The bytes to write into that uniform binding's buffer for `rows` rows. */
  readonly uniformBytes: (rows: number) => ArrayBuffer;
}

function exported(label: string, code: string, bindings: readonly BindingDecl[], plan: (rows: number) => DispatchPlan): ExportedKernel {
  const struct = bindings.find((b) => b.kind === 'uniform');
  return {
    label,
    code,
    bindings: bindGroupLayoutEntries(bindings).map((e, j) => ({ ...e, name: bindings[j].name })),
    plan,
    uniformBytes(rows) {
      if (!struct || struct.kind !== 'uniform') return new ArrayBuffer(0);
      const view = new DataView(new ArrayBuffer(uniformByteSize(struct.struct)));
      packUniforms(struct.struct, plan(rows).uniforms, view, 0);
      return view.buffer;
    },
  };
}

/**
 * The WGSL of a model's forward pass, as kernels to run in order (each layer, then the mixture parameters),
 * for pasting into another pipeline. Weights are not embedded: bind layer i's (inputs + 1) x outputs block
 * (`blocks` from decodeModel) as its `b`.
 * @example
 * for (const k of exportWgsl(modelBytes)) console.log(k.label, k.bindings.map((b) => b.name));
 */
export function exportWgsl(model: ArrayBuffer | Uint8Array | MdnArchitecture): ExportedKernel[] {
  const architecture = 'inputDim' in model ? model : decodeModel(model).architecture;
  const layers = denseLayers(architecture);
  const stages = layers.map((layer, i) => {
    const variant = denseForwardVariant(layer.activation, layer);
    return exported(`layer${i} ${layer.inputs} -> ${layer.outputs} ${layer.activation}`, kernelCode(denseForward, variant), denseForward.bindings(variant), (rows) =>
      denseForward.plan({ rows, ...layer }, variant),
    );
  });
  const { components, outputDim: dims, sigmaEpsilon } = architecture;
  const variant = { sigma: architecture.sigma, unrolled: unrolledHead(components, dims) };
  stages.push(
    exported('mixture parameters', kernelCode(mixtureParams, variant), mixtureParams.bindings(variant), (rows) =>
      mixtureParams.plan({ batch: rows, components, dims, sigmaEpsilon }, variant),
    ),
  );
  return stages;
}
