// mixden/inference: a trained MDN as a kernel inside someone else's WebGPU program. No training code, no Node
// modules: load a saved model onto a GPUDevice the caller owns, then record inference into the caller's own
// command encoders (or call run for numbers). destroy() frees only what this made; the device stays.
import { acquireGpu, type GpuContext } from './runtime/device.js';
import { Arena } from './runtime/arena.js';
import { uploadFloats } from './runtime/buffers.js';
import { DestroyedError, InvalidArgumentError } from './runtime/errors.js';
import { kernelCode } from './runtime/kernel.js';
import { type BindingDecl, bindGroupLayoutEntries } from './runtime/bindings.js';
import { packUniforms, uniformByteSize } from './runtime/uniforms.js';
import type { DispatchPlan } from './runtime/kernel.js';
import { type MdnArchitecture, headOf, headWidth, networkLayers, packParameters, parameterLayout, targetWidth } from './mdn/architecture.js';
import { sideLogitCount, sideStagesOf } from './mdn/heads/sideOutputs.js';
import type { ForwardIo, PlacedLayer, Stage } from './mdn/layers/index.js';
import type { Resource } from './runtime/program.js';
import { decodeModel } from './mdn/serialization.js';
import { type Rows, type Shaped, checkInteger, checkOptionKeys, rowsOf, shaped } from './mdn/arguments.js';
import { type ModelScaling, isIdentityScaling, mixtureColumns, scalingColumns, withIdentityColumns } from './mdn/scaling.js';
import { scaleColumns } from './shaders/scaleColumns.js';
import { type EncodeRequest, MdnPredictor, type SampleOptions } from './mdn/predictor.js';
import { type GenerateOptions, SequenceGenerator } from './mdn/sequence/sequenceGenerator.js';

export type { EncodeRequest, SampleOptions } from './mdn/predictor.js';
export { SequenceGenerator, type GenerateOptions, type GeneratedSequences } from './mdn/sequence/sequenceGenerator.js';
export { ModelFormatError } from './mdn/serialization.js';

export interface InferenceOptions {
  /** Rows per chunk (default 65,536, lowered to what memoryLimit allows): larger calls are recorded as several chunks. */
  readonly maxRows?: number;
  /** Sample values per chunk (default 2^22 = 16 MiB). */
  readonly maxSampleValues?: number;
  /**
   * Most GPU memory the kernel may hold, parameters and chunk buffers together (default 256 MiB). Checked from
   * the file's sizes before anything is allocated; a model that needs more for even one row is refused.
   */
  readonly memoryLimit?: number;
  /** Most layers a loaded model may have (default 256): each is a pipeline to compile. */
  readonly maxLayers?: number;
}

const INFERENCE_OPTION_KEYS = ['maxRows', 'maxSampleValues', 'memoryLimit', 'maxLayers'] as const;
const DEFAULT_MEMORY_LIMIT = 256 * 2 ** 20;
const DEFAULT_MAX_LAYERS = 256;

export class InferenceKernel {
  private destroyed = false;

  private constructor(
    private readonly gpu: GpuContext,
    readonly architecture: MdnArchitecture,
    /** The model's scalers: inputs, targets and results are in original units. */
    readonly scaling: ModelScaling | undefined,
    private readonly parameters: Arena,
    private readonly predictor: MdnPredictor,
  ) {}

  /**
   * Floats per row of a 'mixture' result: K(1 + 2D), laid out [π (K) | μ (K·D, component-major) | σ (K·D)];
   * family 'gaussian-full' adds each component's Cholesky factor below its diagonal (K·D(D−1)/2, row by row).
   */
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
  async run(x: Rows): Promise<Shaped<Float32Array>> {
    this.assertUsable();
    const xs = rowsOf('x', x, this.architecture.inputDim);
    return shaped(await this.predictor.predict(xs), [xs.length / this.architecture.inputDim, this.mixtureWidth]);
  }

  /** `n` samples per row: rows x n x (outputDim + side outputs) (a fresh seed each call unless `seed` is given). */
  async sample(x: Rows, n: number, options: SampleOptions = {}): Promise<Shaped<Float32Array>> {
    this.assertUsable();
    const xs = rowsOf('x', x, this.architecture.inputDim);
    return shaped(await this.predictor.sample(xs, n, options), [xs.length / this.architecture.inputDim, n, targetWidth(this.architecture)]);
  }

  /** log p(y | x) per row, in nats (original units of y). */
  async logProb(x: Rows, y: Rows): Promise<Shaped<Float32Array>> {
    this.assertUsable();
    const xs = rowsOf('x', x, this.architecture.inputDim);
    const rows = xs.length / this.architecture.inputDim;
    return shaped(await this.predictor.logProb(xs, rowsOf('y', y, targetWidth(this.architecture), rows)), [rows]);
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
    checkOptionKeys('loadInferenceKernel options', options, INFERENCE_OPTION_KEYS);
    const { architecture, blocks, scaling } = decodeModel(model);
    if (architecture.sequence) throw new InvalidArgumentError('this is a sequence model: embed its generation with loadSequenceGenerator');
    const layout = parameterLayout(architecture);
    const maxRows = rowsWithinLimits(architecture, layout.totalFloats, options);
    const gpu = await acquireGpu({ device });
    const parameters = new Arena(gpu, layout, 'inference parameters');
    uploadFloats(gpu, parameters.buffer, packParameters(architecture, blocks));
    try {
      const predictor = await MdnPredictor.create(gpu, architecture, parameters, {
        maxRows,
        maxSampleValues: options.maxSampleValues ?? 1 << 22,
        preallocate: true,
        scaling,
      });
      return new InferenceKernel(gpu, architecture, scaling, parameters, predictor);
    } catch (error) {
      parameters.destroy();
      throw error;
    }
  }
}

// The rows per chunk that keep the kernel's memory within memoryLimit, from the file's sizes alone (nothing is
// allocated yet): parameters, the sample chunk, and per row the input, target, log-density, every layer's
// output, and the mixture parameters with their readback copy.
function rowsWithinLimits(architecture: MdnArchitecture, parameterFloats: number, options: InferenceOptions): number {
  const memoryLimit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
  const maxLayers = checkInteger('maxLayers', options.maxLayers ?? DEFAULT_MAX_LAYERS, 1);
  checkInteger('memoryLimit', memoryLimit, 1);
  const layers = networkLayers(architecture);
  if (layers.length > maxLayers) {
    throw new InvalidArgumentError(`the model has ${layers.length} layers; loadInferenceKernel takes up to ${maxLayers} (raise it with the maxLayers option)`);
  }
  const perRow = 4 * (architecture.inputDim + targetWidth(architecture) + 1 + layers.reduce((n, l) => n + l.outputs, 0) + 2 * headWidth(architecture));
  const fixed = 4 * parameterFloats + 2 * 4 * (options.maxSampleValues ?? 1 << 22) + 65536;
  const rows = Math.floor((memoryLimit - fixed) / perRow);
  if (rows < 1) {
    const needed = fixed + perRow;
    throw new InvalidArgumentError(
      `the model needs at least ${(needed / 2 ** 20).toFixed(1)} MiB of GPU memory (${(4 * parameterFloats / 2 ** 20).toFixed(1)} MiB of parameters, ${perRow} bytes per row); memoryLimit is ${(memoryLimit / 2 ** 20).toFixed(1)} MiB (raise it with the memoryLimit option)`,
    );
  }
  return Math.min(options.maxRows === undefined ? 65536 : checkInteger('maxRows', options.maxRows, 1), rows);
}

/**
 * Loads a model file (from `Mdn.save()` or `mixden train`) onto the caller's device.
 * @example
 * const kernel = await loadInferenceKernel(device, await (await fetch('model.mixden')).arrayBuffer());
 */
export function loadInferenceKernel(device: GPUDevice, model: ArrayBuffer | Uint8Array, options: InferenceOptions = {}): Promise<InferenceKernel> {
  return InferenceKernel.create(device, model, options);
}

/**
 * What a binding of an exported layer stage takes: the layer's input rows (the model's input, or the previous
 * layer's output), its output rows, its parameter block from float `offsetFloats` on (the byte offset 4 ×
 * offsetFloats is a multiple of 256), or its scratch buffer `index` of rows × floatsPerRow floats, which the
 * layer's stages share (e.g. a recurrent layer's gates, written by its first stage and read by its second).
 */
export type ExportedBuffer =
  | { readonly kind: 'input' }
  | { readonly kind: 'output' }
  | { readonly kind: 'weights'; readonly offsetFloats: number }
  | { readonly kind: 'scratch'; readonly index: number; readonly floatsPerRow: number };

export interface ExportedKernel {
  readonly label: string;
  /** The trunk layer the stage belongs to (absent for the scaling and mixture stages). */
  readonly layer?: number;
  /** Complete WGSL: binding declarations, uniform struct and entry point `main`. */
  readonly code: string;
  /**
   * Group 0's bind group layout entries, in binding order, with the names the WGSL uses; a layer stage's storage
   * bindings also say which of the layer's buffers each takes (`bindTo`).
   */
  readonly bindings: readonly (GPUBindGroupLayoutEntry & { name: string; bindTo?: ExportedBuffer })[];
  /** Uniform values of the one static uniform binding, and the workgroups to dispatch, for `rows` rows. */
  readonly plan: (rows: number) => DispatchPlan;
  /** The bytes to write into that uniform binding's buffer for `rows` rows. */
  readonly uniformBytes: (rows: number) => ArrayBuffer;
  /** The scaling stages' per-column values, to upload into their `columns` binding (vec4 per column). */
  readonly columns?: Float32Array;
}

// A network stage as exported WGSL: its code, bindings and plan, with no GPU involved.
function exportedStage<Io>(label: string, s: Stage<Io>, layer?: { index: number; bindTo: Readonly<Record<string, ExportedBuffer>> }): ExportedKernel {
  return exported(label, kernelCode(s.definition, s.variant), s.definition.bindings(s.variant), (rows) => s.definition.plan(s.sizes(rows, 1, 0), s.variant), undefined, layer);
}

// Which of the layer's buffers each binding of a stage takes: the stage's resources resolved on stand-ins.
function layerBindings(layer: PlacedLayer, s: Stage<ForwardIo>): Record<string, ExportedBuffer> {
  const standIn = (bindTo: ExportedBuffer) => ({ bindTo }) as unknown as GPUBuffer;
  const io: ForwardIo = {
    input: standIn({ kind: 'input' }),
    weights: standIn({ kind: 'weights', offsetFloats: 0 }),
    output: standIn({ kind: 'output' }),
    workspace: layer.kind.workspace(layer.spec, layer.inputs, false).map((floatsPerRow, index) => standIn({ kind: 'scratch', index, floatsPerRow })),
  };
  const resolve = (r: Resource): ExportedBuffer => {
    const { bindTo } = ('buffer' in r ? r.buffer : r) as unknown as { bindTo: ExportedBuffer };
    return bindTo.kind === 'weights' && 'buffer' in r ? { kind: 'weights', offsetFloats: (r.offset ?? 0) / 4 } : bindTo;
  };
  return Object.fromEntries(Object.entries(s.resources(io)).map(([name, r]) => [name, resolve(r)]));
}

function exported(label: string, code: string, bindings: readonly BindingDecl[], plan: (rows: number) => DispatchPlan, columns?: Float32Array, layer?: { index: number; bindTo: Readonly<Record<string, ExportedBuffer>> }): ExportedKernel {
  const struct = bindings.find((b) => b.kind === 'uniform');
  return {
    label,
    ...(layer ? { layer: layer.index } : {}),
    code,
    ...(columns ? { columns } : {}),
    bindings: bindGroupLayoutEntries(bindings).map((e, j) => {
      const bindTo = layer?.bindTo[bindings[j].name];
      return { ...e, name: bindings[j].name, ...(bindTo ? { bindTo } : {}) };
    }),
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
 * The WGSL of a model's forward pass, as kernels to run in order (each layer's stages, then the mixture
 * parameters), for pasting into another pipeline. Weights are not embedded: bind layer i's parameter block
 * (`blocks` from decodeModel; a dense layer's is (inputs + 1) x outputs, a layerNorm's γ then β) where a binding's
 * `bindTo` says `weights` (from its offset: a recurrent layer's second stage reads the recurrent block), and the
 * layer's input, output and scratch buffers where it says those. A model with scalers starts with an 'input
 * scaling' stage and ends with a 'mixture unscaling' stage, in place on the input and on the mixture (their
 * `columns` come along).
 * @example
 * for (const k of exportWgsl(modelBytes)) console.log(k.label, k.bindings.map((b) => b.name));
 */
export function exportWgsl(model: ArrayBuffer | Uint8Array | MdnArchitecture): ExportedKernel[] {
  const decoded = 'inputDim' in model ? { architecture: model, scaling: undefined } : decodeModel(model);
  const architecture = decoded.architecture;
  const scaling = isIdentityScaling(decoded.scaling) ? undefined : decoded.scaling;
  if (architecture.sequence) throw new InvalidArgumentError('this is a sequence model: embed its generation with loadSequenceGenerator');
  const layers = networkLayers(architecture);
  const stages = layers.flatMap((layer) => {
    const forward = layer.kind.forward(layer, false);
    return forward.map((s, j) =>
      exportedStage(`layer${layer.index} ${layer.kind.describe(layer)}${forward.length > 1 ? ` (${j + 1} of ${forward.length})` : ''}`, s, { index: layer.index, bindTo: layerBindings(layer, s) }),
    );
  });
  stages.push(exportedStage('mixture parameters', headOf(architecture).mixture(architecture)));
  const sides = sideStagesOf(architecture, headOf(architecture));
  if (sides) stages.push(exportedStage('side output probabilities', sides.probabilities()));
  if (!scaling) return stages;
  const scaleStage = (label: string, width: number, columns: Float32Array) =>
    exported(label, kernelCode(scaleColumns, {}), scaleColumns.bindings({}), (rows) => scaleColumns.plan({ count: rows * width, width, base: 0 }, {}), columns);
  const width = headWidth(architecture);
  return [scaleStage('input scaling', architecture.inputDim, scalingColumns(scaling.x)), ...stages, scaleStage('mixture unscaling', width, withIdentityColumns(mixtureColumns(scaling.y, architecture.components, headOf(architecture).extraMixtureValues?.(architecture.outputDim)), sideLogitCount(architecture)))];
}

/**
 * A sequence model's generation on a caller's device: many sequences at once, each step's draw fed back, one
 * program built here; `encode(encoder)` records every step into the caller's encoder (nothing allocated), `run()`
 * generates and reads back. `options` as for SequenceMdn.generate (count, maxSteps, conditions, temperatures,
 * seed, stopWhen).
 * @example
 * const generator = await loadSequenceGenerator(device, modelBytes, { count: 256, maxSteps: 100, seed: 1 });
 * generator.encode(encoder); device.queue.submit([encoder.finish()]); // generator.outputs.generated, .lengths
 */
export async function loadSequenceGenerator(device: GPUDevice, model: ArrayBuffer | Uint8Array, options: GenerateOptions = {}): Promise<SequenceGenerator> {
  const { architecture, blocks } = decodeModel(model);
  if (!architecture.sequence) throw new InvalidArgumentError('this is a model of independent rows: embed it with loadInferenceKernel');
  const gpu = await acquireGpu({ device });
  const parameters = new Arena(gpu, parameterLayout(architecture), 'sequence generator parameters');
  uploadFloats(gpu, parameters.buffer, packParameters(architecture, blocks));
  try {
    return await SequenceGenerator.create(gpu, architecture, parameters, options, true);
  } catch (error) {
    parameters.destroy();
    throw error;
  }
}
