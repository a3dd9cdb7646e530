// What a trunk layer kind implements: its spec (plain data, saved in the model file), its parameter block, the
// kernels of its forward and backward pass as stages, and its float64 reference. The network recorder
// (src/mdn/network.ts) and every entry point work from this interface alone, so a new kind is one module here
// plus one line in ./index.ts.
import type { BindingDecl, KernelResources } from '../../runtime/bindings.js';
import type { KernelDefinition } from '../../runtime/kernel.js';
import type { Resource } from '../../runtime/program.js';
import type { Activation } from '../../shaders/activation.wgsl.js';
import type { Random } from '../random.js';
import type { AdapterClass } from '../../runtime/device.js';

/**
 * How weights start: 'glorot' (Glorot-uniform weights, zero biases: Keras' default) or 'pytorch' (weights and
 * biases uniform in ±1/√fan_in, as torch.nn.Linear resets them).
 */
export type InitScheme = 'glorot' | 'pytorch';

/** A trunk layer as described by the user or a model file: `kind` and that kind's fields. */
export interface LayerSpec {
  readonly kind: string;
  readonly [field: string]: unknown;
}

/** A layer at its place in a network: index `index`, taking `inputs` features per row and giving `outputs`. */
export interface PlacedLayer<S extends LayerSpec = LayerSpec> {
  readonly kind: LayerKind<S>;
  readonly spec: S;
  readonly index: number;
  readonly inputs: number;
  readonly outputs: number;
}

/**
 * One kernel dispatch a layer (or head) asks for: the kernel, its variant, its sizes for a number of rows, and
 * which buffers of `Io` it binds to which binding. Recorded on the GPU by the network recorder, or exported as
 * WGSL without one.
 */
export interface Stage<Io> {
  readonly definition: KernelDefinition<unknown, unknown>;
  readonly variant: unknown;
  /**
   * Sizes for `rows` rows holding `steps` time steps of rows / steps sequences (time-major; 1 for models of
   * independent rows), in dispatch `pass` of the stage's passes.
   */
  readonly sizes: (rows: number, steps: number, pass: number) => unknown;
  /** How many dispatches the stage records for `steps` time steps (e.g. one per step); default one. */
  readonly passes?: (steps: number) => number;
  readonly resources: (io: Io) => Readonly<Record<string, Resource>>;
}

/** A stage, its binding names checked against the kernel's declaration when it is written. */
export const stage = <Io, V, S, B extends BindingDecl>(
  definition: KernelDefinition<V, S, B>,
  variant: V,
  sizes: (rows: number, steps: number, pass: number) => S,
  resources: (io: Io) => KernelResources<B, Resource>,
  passes?: (steps: number) => number,
): Stage<Io> => ({ definition: definition as unknown as KernelDefinition<unknown, unknown>, variant, sizes, resources, ...(passes ? { passes } : {}) });

/**
 * The buffers of a forward stage: the layer's input rows, its parameter block, its output rows, and the
 * layer's workspace, one buffer per width its kind's `workspace` lists (what the forward pass keeps for the
 * backward pass, and scratch).
 */
export interface ForwardIo {
  readonly input: Resource;
  readonly weights: Resource;
  readonly output: Resource;
  readonly workspace: readonly Resource[];
  /**
   * Stateful windows (PassOptions.carried), for kinds with a `carriedState`: the layer's state per sequence
   * slot (read at a window's start, left by its end), and `keep`, one float per slot: 1 where the window
   * continues the slot's previous one, 0 where a new sequence starts.
   */
  readonly carry?: { readonly state: Resource; readonly keep: Resource };
  /**
   * Continued steps (ForwardOptions.continued): the layer's output of the step before, in a buffer of its own, as
   * a step writes its output while other invocations still read the last (callers alternate two sets of outputs).
   */
  readonly previousOutput?: Resource;
}

/**
 * The buffers of a backward stage. `outputGrad` holds the loss gradient at the layer's output before its output
 * activation (the next layer applied that derivative); `inputGrad` receives the gradient at the previous
 * layer's output before its activation; `weightGrad` the gradient of the parameter block (overwritten).
 */
export interface BackwardIo extends ForwardIo {
  readonly outputGrad: Resource;
  readonly inputGrad: Resource;
  readonly weightGrad: Resource;
}

/** One tensor of a layer's parameters as PyTorch's module of that kind stores it: its name within the layer, and its shape. */
export interface TensorShape {
  readonly name: string;
  readonly shape: readonly number[];
}

/** What the kernels may use besides the adapter's class. */
export interface KernelOptions {
  /** The subgroup size to write subgroup kernels for (GpuContext.subgroupSize); none: no subgroup kernels. */
  readonly subgroupSize?: number;
}

/** How the training passes run, beyond the kernels' options. */
export interface PassOptions extends KernelOptions {
  /**
   * Stateful windows: each window of sequences starts from the state its slot's previous window left (the io's
   * `carry`) instead of from zero, and leaves its own; no gradient flows back into the carried state (truncated
   * back-propagation through time). Kinds without a `carriedState` ignore it.
   */
  readonly carried?: boolean;
}

/** How a forward pass is run, beyond training or not. */
export interface ForwardOptions extends PassOptions {
  /**
   * The call is one step continuing the previous call's sequences (generation): a recurrent layer starts from
   * the state the previous call left (its output, now ForwardIo.previousOutput, and its workspace) instead of
   * from zero. Other kinds ignore it.
   */
  readonly continued?: boolean;
}

export interface LayerKind<S extends LayerSpec = LayerSpec> {
  readonly kind: string;
  /** The spec with defaults filled in; throws InvalidArgumentError naming `at` (e.g. "layers[2]") for a bad field. */
  /** The spec from the command line's short form, the fields after `kind:` split at ':' (e.g. dense:32:relu → ['32', 'relu']). */
  fromText(fields: readonly string[], at: string): S;
  /** The short form fromText reads, for usage lines (e.g. "dense:UNITS[:ACTIVATION]"). */
  readonly textForm: string;
  normalise(spec: LayerSpec, at: string): S;
  outputs(spec: S, inputs: number): number;
  /** The activation applied last in the forward pass: the next layer's backward multiplies by its derivative. */
  outputActivation(spec: S): Activation;
  parameterCount(spec: S, inputs: number): number;
  /**
   * The buffers the layer works in besides its input and output, as floats per row of each (e.g. row statistics
   * kept for the backward pass); `training`: for the training passes, else for inference alone; `adapterClass`: the
   * adapter they will run on, where the kernels chosen for it need buffers of their own (absent for exportWgsl).
   */
  workspace(spec: S, inputs: number, training: boolean, adapterClass?: AdapterClass): readonly number[];
  /** Floats of state per sequence a window carries to the next (stateful windows); absent: the kind keeps none. */
  carriedState?(spec: S): number;
  /**
   * The parameter block as the tensors PyTorch's module of this kind holds (e.g. a Linear's `weight` [out, in]
   * and `bias` [out]), for the safetensors model file; toTensors and fromTensors convert a block to and from
   * their values, in this order.
   */
  tensors(layer: PlacedLayer<S>): readonly TensorShape[];
  toTensors(layer: PlacedLayer<S>, block: ArrayLike<number>): Float32Array[];
  fromTensors(layer: PlacedLayer<S>, tensors: readonly ArrayLike<number>[]): Float32Array;
  /** The initial parameter block under `scheme`, rounded to float32 (draws from `random` in a fixed order). */
  initialParameters(layer: PlacedLayer<S>, random: Random, scheme: InitScheme): Float64Array;
  /** One line for listings and exported kernels, e.g. "32 -> 64 tanh". */
  describe(layer: PlacedLayer<S>): string;
  /**
   * The forward pass; in training it also writes what the backward pass reads from its workspace. `adapterClass`: the
   * adapter it will run on, where the kind's fastest kernel differs by class (absent for exportWgsl).
   */
  forward(layer: PlacedLayer<S>, training: boolean, adapterClass?: AdapterClass, options?: ForwardOptions): Stage<ForwardIo>[];
  /**
   * `inputActivation`: the activation that produced this layer's input; undefined for the first layer (no input
   * gradient). `adapterClass` as for forward.
   */
  backward(layer: PlacedLayer<S>, inputActivation: Activation | undefined, adapterClass?: AdapterClass, options?: PassOptions): Stage<BackwardIo>[];
  /** `steps`: time steps in the rows, as for Stage.sizes (only recurrent kinds look at it). */
  readonly reference: {
    forward(layer: PlacedLayer<S>, params: ArrayLike<number>, x: ArrayLike<number>, rows: number, steps?: number): Float64Array;
    /** `outputGrad` as in BackwardIo; `inputGrad` already multiplied by `inputActivation`'s derivative. */
    backward(
      layer: PlacedLayer<S>,
      params: ArrayLike<number>,
      x: ArrayLike<number>,
      outputGrad: ArrayLike<number>,
      rows: number,
      inputActivation: Activation,
      steps?: number,
    ): { paramGrad: Float64Array; inputGrad: Float64Array };
  };
}
