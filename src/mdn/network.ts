// The one network recorder: from a model description it compiles every kernel the network needs (side by side)
// and records the forward pass, the loss with its gradient, the backward pass, and the head's outputs (mixture
// parameters, log-densities, samples) into a ProgramBuilder. The trainer (trainStep.ts), the predictor and
// mixden/inference's encode (predictPrograms.ts) all record through it, and exportWgsl reads the same stages;
// layers and heads come in through their interfaces (./layers, ./heads) and nothing here names a kind.
import type { AdapterClass, GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { type CompiledKernel, compileKernel } from '../runtime/kernel.js';
import { type ProgramBuilder, type Resource, passNote } from '../runtime/program.js';
import { createStorageBuffer } from '../runtime/buffers.js';
import { type MdnArchitecture, headOf, inputActivationOf, networkLayers } from './architecture.js';
import type { BackwardIo, ForwardIo, ForwardOptions, KernelOptions, PassOptions, PlacedLayer, Stage } from './layers/index.js';
import type { HeadFamily, HeadTraining, LogDensityIo, LossIo, MixtureIo, SampleIo } from './heads/index.js';
import { type SideStages, sideStagesOf } from './heads/sideOutputs.js';

/**
 * The rows' buffers through the network: the input, then each layer's output (the last is the raw head), and
 * each layer's workspace (`workspace[i]`, as its kind's `workspace` lists; absent: no layer has one).
 */
export interface Activations {
  readonly input: Resource;
  readonly outputs: readonly Resource[];
  readonly workspace?: readonly (readonly Resource[])[];
  /** Stateful windows: each layer's carried state (`states[i]`, where its kind has one) and the slots' keep flags. */
  readonly carry?: { readonly states: readonly (Resource | undefined)[]; readonly keep: Resource };
  /** Continued steps: each layer's outputs of the step before (ForwardIo.previousOutput). */
  readonly previousOutputs?: readonly Resource[];
}

/** Each layer's workspace buffers for `rows` rows, for training or for inference alone. */
export function createWorkspace(gpu: GpuContext, layers: readonly PlacedLayer[], rows: number, training: boolean, label: string): GPUBuffer[][] {
  return layers.map((l, i) => l.kind.workspace(l.spec, l.inputs, training, gpu.adapterClass).map((width, j) => createStorageBuffer(gpu, `${label} layer${i} workspace ${j}`, rows * width)));
}

/** Each layer's carried state for `slots` sequence slots (stateful windows), where its kind carries one. */
export function createCarriedStates(gpu: GpuContext, layers: readonly PlacedLayer[], slots: number, label: string): (GPUBuffer | undefined)[] {
  return layers.map((l, i) => {
    const floats = l.kind.carriedState?.(l.spec);
    return floats === undefined ? undefined : createStorageBuffer(gpu, `${label} layer${i} carried state`, slots * floats);
  });
}

/** What to compile: the training loss and backward pass, and/or the inference outputs, and/or generation steps. */
export interface RecorderNeeds {
  readonly training?: HeadTraining;
  /** Training on stateful windows (PassOptions.carried): the forward pass records with `Activations.carry`. */
  readonly carried?: boolean;
  /** The loss without the backward pass: each row's NLL (and a head gradient nobody reads), for held-out scores. */
  readonly scoring?: boolean;
  readonly inference?: boolean;
  /** One step at a time continuing the previous call (see ForwardOptions.continued), and sampling. */
  readonly generation?: boolean;
}

const SCORING: HeadTraining = { sigmaPenalty: 0, freezeSigma: false };

const keyOf = (s: Stage<unknown>): string => `${s.definition.name} ${JSON.stringify(s.variant)}`;

export class NetworkRecorder {
  private constructor(
    readonly architecture: MdnArchitecture,
    readonly layers: readonly PlacedLayer[],
    readonly head: HeadFamily,
    /** The side outputs' stages, each recorded after the family's (absent: the model has none). */
    private readonly sides: SideStages | undefined,
    /** The head loss's settings (training's, or scoring's: no σ penalty); undefined where no loss was compiled. */
    private readonly training: HeadTraining | undefined,
    private readonly compiled: ReadonlyMap<string, CompiledKernel>,
    private readonly adapterClass: AdapterClass,
    /** What the kernels may use besides the class (the subgroup size), the same for every recorded stage. */
    private readonly kernelOptions: KernelOptions,
    /** The training passes' options (kernelOptions, and whether windows carry their state). */
    private readonly trainingOptions: PassOptions,
  ) {}

  /**
   * Compiles what `needs` asks for; recording is synchronous afterwards.
   * @example
   * const recorder = await NetworkRecorder.create(gpu, arch, { inference: true });
   * recorder.forward(builder, rows, { input, outputs }, parameters);
   */
  static async create(gpu: GpuContext, architecture: MdnArchitecture, needs: RecorderNeeds): Promise<NetworkRecorder> {
    const layers = networkLayers(architecture);
    const head = headOf(architecture);
    const sides = sideStagesOf(architecture, head);
    const stages: Stage<unknown>[] = [];
    const adapterClass = gpu.adapterClass;
    const kernelOptions: KernelOptions = { subgroupSize: gpu.subgroupSize };
    const trainingOptions: PassOptions = { ...kernelOptions, ...(needs.carried ? { carried: true } : {}) };
    if (needs.inference || needs.generation || needs.scoring) stages.push(...layers.flatMap((l) => l.kind.forward(l, false, adapterClass, kernelOptions) as Stage<unknown>[]));
    if (needs.generation) stages.push(...layers.flatMap((l) => l.kind.forward(l, false, adapterClass, { ...kernelOptions, continued: true }) as Stage<unknown>[]));
    // The loss as training computes it; scoring alone takes it without a σ penalty.
    const loss = needs.training ?? (needs.scoring ? SCORING : undefined);
    if (loss) stages.push(head.loss(architecture, loss) as Stage<unknown>, ...(sides ? [sides.loss() as Stage<unknown>] : []));
    if (needs.training) {
      stages.push(...layers.flatMap((l) => l.kind.forward(l, true, adapterClass, trainingOptions) as Stage<unknown>[]));
      for (const [i, l] of layers.entries()) stages.push(...(l.kind.backward(l, inputActivationOf(layers, i), adapterClass, trainingOptions) as Stage<unknown>[]));
    }
    if (needs.inference) stages.push(...([head.mixture(architecture), head.logDensity(architecture), head.sample(architecture, 1)] as Stage<unknown>[]));
    if (needs.inference && sides) stages.push(...([sides.probabilities(), sides.logDensity(), sides.sample(1)] as Stage<unknown>[]));
    if (needs.generation && !needs.inference) stages.push(head.sample(architecture, 1) as Stage<unknown>, ...(sides ? [sides.sample(1) as Stage<unknown>] : []));
    const unique = new Map(stages.map((s) => [keyOf(s), s]));
    const kernels = await Promise.all([...unique.values()].map((s) => compileKernel(gpu, s.definition, s.variant)));
    const compiled = new Map([...unique.keys()].map((key, i) => [key, kernels[i] as CompiledKernel]));
    return new NetworkRecorder(architecture, layers, head, sides, loss, compiled, adapterClass, kernelOptions, trainingOptions);
  }

  /**
   * Every layer's forward pass on `rows` rows (`steps` time steps of rows / steps sequences, time-major; 1 for
   * independent rows), reading each layer's parameter slice of `parameters`; with `training`, layers also keep
   * what their backward pass reads (in `activations.workspace`).
   */
  forward(builder: ProgramBuilder, rows: number, activations: Activations, parameters: Arena, training = false, steps = 1, options: ForwardOptions = {}): void {
    checkSteps(rows, steps);
    const passOptions = training ? this.trainingOptions : this.kernelOptions;
    for (const layer of this.layers) {
      const state = activations.carry?.states[layer.index];
      const io: ForwardIo = {
        input: inputOf(activations, layer.index),
        weights: parameters.binding(`layer${layer.index}`),
        output: activations.outputs[layer.index],
        workspace: activations.workspace?.[layer.index] ?? [],
        ...(state && activations.carry ? { carry: { state, keep: activations.carry.keep } } : {}),
        ...(activations.previousOutputs ? { previousOutput: activations.previousOutputs[layer.index] } : {}),
      };
      for (const s of layer.kind.forward(layer, training, this.adapterClass, { ...passOptions, ...options })) this.record(builder, s, io, rows, steps);
    }
  }

  /** The head's loss: each row's loss (side outputs' cross-entropy added) and the gradient of the mean loss at the raw head. */
  loss(builder: ProgramBuilder, rows: number, io: LossIo): void {
    if (!this.training) throw new Error('this recorder was not compiled for training or scoring');
    this.record(builder, this.head.loss(this.architecture, this.training), io, rows);
    if (this.sides) this.record(builder, this.sides.loss(), io, rows);
  }

  /**
   * The backward pass from the head's gradient (`grads` at the last layer) to every layer's parameter gradient
   * slice in `gradients`; `grads[i]` is the gradient at layer i's output before its activation.
   */
  backward(builder: ProgramBuilder, rows: number, activations: Activations, grads: readonly Resource[], parameters: Arena, gradients: Arena, steps = 1): void {
    checkSteps(rows, steps);
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const io: BackwardIo = {
        input: inputOf(activations, i),
        weights: parameters.binding(`layer${i}`),
        output: activations.outputs[i],
        workspace: activations.workspace?.[i] ?? [],
        outputGrad: grads[i],
        // The first layer has no input gradient to write; its stages do not bind this.
        inputGrad: i > 0 ? grads[i - 1] : grads[i],
        weightGrad: gradients.binding(`layer${i}`),
      };
      for (const s of layer.kind.backward(layer, inputActivationOf(this.layers, i), this.adapterClass, this.trainingOptions)) this.record(builder, s, io, rows, steps);
    }
  }

  /** Mixture parameters per row, laid out like the head (side outputs' probabilities after the family's). */
  mixture(builder: ProgramBuilder, rows: number, io: MixtureIo): void {
    this.record(builder, this.head.mixture(this.architecture), io, rows);
    if (this.sides) this.record(builder, this.sides.probabilities(), io, rows);
  }

  /** log p(y | x) per row, the side outputs' classes included. */
  logDensity(builder: ProgramBuilder, rows: number, io: LogDensityIo): void {
    this.record(builder, this.head.logDensity(this.architecture), io, rows);
    if (this.sides) this.record(builder, this.sides.logDensity(), io, rows);
  }

  /** Draws per row, each D continuous values then one per side output. */
  sample(builder: ProgramBuilder, rows: number, samplesPerRow: number, io: SampleIo): void {
    this.record(builder, this.head.sample(this.architecture, samplesPerRow), io, rows);
    if (this.sides) this.record(builder, this.sides.sample(samplesPerRow), io, rows);
  }

  private record<Io>(builder: ProgramBuilder, s: Stage<Io>, io: Io, rows: number, steps = 1): void {
    const kernel = this.compiled.get(keyOf(s as Stage<unknown>));
    if (!kernel) throw new Error(`${s.definition.name} was not compiled by this recorder`);
    const resources = s.resources(io);
    const passes = s.passes?.(steps) ?? 1;
    // A stage of several passes (a walk's dispatch per time step) notes which each is, for profiles and debuggers.
    for (let pass = 0; pass < passes; pass++) builder.add(kernel, resources, s.sizes(rows, steps, pass), passes > 1 ? passNote(pass, passes) : undefined);
  }
}

function checkSteps(rows: number, steps: number): void {
  if (!(Number.isInteger(steps) && steps >= 1 && rows % steps === 0)) throw new Error(`${rows} rows do not hold ${steps} time steps of whole sequences`);
}

const inputOf = (activations: Activations, i: number): Resource => (i === 0 ? activations.input : activations.outputs[i - 1]);

