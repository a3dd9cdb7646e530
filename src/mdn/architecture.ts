// The model description: the trunk, an ordered list of layers (dense, layerNorm, …; see ./layers), then a
// mixture head (see ./heads) read from a last linear layer the head sizes. `hidden` and `activation` are the
// shorthand for a trunk of dense layers, and what every file written before `layers` existed holds.
import { ACTIVATIONS, type Activation } from '../shaders/activation.wgsl.js';
import { SIGMA_ACTIVATIONS, type SigmaActivation } from '../shaders/sigma.wgsl.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { ArenaLayout } from '../runtime/arena.js';
import { type LayerSpec, type PlacedLayer, layerKindOf } from './layers/index.js';
import { type HeadFamily, headFamilyFor, headFamilyOf } from './heads/index.js';
import { type SideOutputSpec, modelHeadWidth, targetWidthOf, validateSideOutputs } from './heads/sideOutputs.js';

// The activation lists the API and the command line offer (their WGSL lives in src/shaders).
export { ACTIVATIONS, type Activation, SIGMA_ACTIVATIONS, type SigmaActivation };

export interface MdnArchitecture {
  readonly inputDim: number;
  readonly outputDim: number;
  /** Widths of the dense trunk layers (with `layers`: the widths of its dense layers, for display). */
  readonly hidden: readonly number[];
  /** Their activation (with `layers`: the first dense layer's, for display). */
  readonly activation: Activation;
  /** The trunk layer by layer; when present it is the trunk, and `hidden`/`activation` only summarise it. */
  readonly layers?: readonly LayerSpec[];
  readonly components: number;
  readonly sigma: SigmaActivation;
  /** ε added by the elu1 σ activation (keras-mdn's choice is 1e-7). */
  readonly sigmaEpsilon: number;
  /** The mixture's component family (see ./heads): absent means 'gaussian'. */
  readonly family?: string;
  /**
   * Student-t components' degrees of freedom ν (required with family 'student-t', and only there): a number, fixed,
   * or 'learned': per component and dimension from the head, in (1.5, 100).
   */
  readonly degreesOfFreedom?: number | 'learned';
  /**
   * Discrete outputs trained with the mixture (see ./heads/sideOutputs.ts): each takes a target column after the
   * outputDim continuous ones, a Bernoulli 0/1 or a categorical class 0..C−1. Absent: none.
   */
  readonly sideOutputs?: readonly SideOutputSpec[];
  /**
   * An autoregressive sequence model (see ./sequence): each step's input is the previous step's target row (zeros
   * before the first step), then `conditionDim` values held for the whole sequence; inputDim is their sum.
   * Absent: a model of independent rows.
   */
  readonly sequence?: { readonly conditionDim: number };
}

export interface DenseLayerShape {
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: Activation;
}

/** The head family of a model: its `family`, 'gaussian' by default (Student-t with learned ν its own). */
export const headOf = (arch: MdnArchitecture): HeadFamily => headFamilyFor(arch);

/**
 * Number of raw head outputs per sample (diagonal families: K logits, K·D means, K·D σ pre-activations), side
 * outputs' logits included; mixture parameter rows are as wide.
 */
export const headWidth = (arch: MdnArchitecture): number => modelHeadWidth(arch, headOf(arch));

/** Columns of a target row (and of one draw): outputDim, then one per side output. */
export const targetWidth = (arch: MdnArchitecture): number => targetWidthOf(arch);

/** The trunk as layer specs, from `layers` or from the `hidden`/`activation` shorthand. */
export function trunkOf(arch: MdnArchitecture): LayerSpec[] {
  return arch.layers ? [...arch.layers] : arch.hidden.map((units) => ({ kind: 'dense', units, activation: arch.activation }));
}

/** Every layer in order with its widths: the trunk, then the linear layer producing the raw head. */
export function networkLayers(arch: MdnArchitecture): PlacedLayer[] {
  const specs = [...trunkOf(arch), { kind: 'dense', units: headWidth(arch), activation: 'identity' }];
  let width = arch.inputDim;
  return specs.map((raw, index) => {
    const at = index < specs.length - 1 ? `layers[${index}]` : 'the head layer';
    const kind = layerKindOf(raw, at);
    const spec = kind.normalise(raw, at);
    const layer = { kind, spec, index, inputs: width, outputs: kind.outputs(spec, width) };
    width = layer.outputs;
    return layer;
  });
}

/** The activation that produced layer i's input (undefined for the first layer, whose input is the data). */
export const inputActivationOf = (layers: readonly PlacedLayer[], i: number): Activation | undefined =>
  i === 0 ? undefined : layers[i - 1].kind.outputActivation(layers[i - 1].spec);

/** The layers of a model made of dense layers only (the hidden ones, then the head's); see networkLayers for any model. */
export function denseLayers(arch: MdnArchitecture): DenseLayerShape[] {
  return networkLayers(arch).map((l) => {
    if (l.spec.kind !== 'dense') throw new InvalidArgumentError(`layer ${l.index} is a ${l.spec.kind} layer: use networkLayers for models with non-dense layers`);
    return { inputs: l.inputs, outputs: l.outputs, activation: l.spec.activation as Activation };
  });
}

/** Parameter arena layout: one slice `layer<i>` per layer, holding that layer's parameter block. */
export function parameterLayout(arch: MdnArchitecture): ArenaLayout {
  return ArenaLayout.build(networkLayers(arch).map((l) => ({ name: `layer${l.index}`, length: l.kind.parameterCount(l.spec, l.inputs) })));
}

/** The per-layer parameter blocks packed into one float32 array in the layout of parameterLayout. */
export function packParameters(arch: MdnArchitecture, blocks: readonly ArrayLike<number>[]): Float32Array {
  return parameterLayout(arch).pack(Object.fromEntries(blocks.map((b, i) => [`layer${i}`, b])));
}

const positiveInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Most parameters a model may have: 2^28 floats, 1 GiB of float32 (checked before anything is allocated). */
export const MAX_PARAMETERS = 2 ** 28;

/** Most trunk layers: each is a few pipelines to compile and dispatches per step. */
export const MAX_LAYERS = 1024;

/**
 * Throws an InvalidArgumentError naming the first bad field. `checkSize: false` leaves out the parameter limit
 * (a file reader compares the sizes with the file's first, which names the problem better).
 */
export function validateArchitecture(arch: MdnArchitecture, { checkSize = true } = {}): void {
  if (!positiveInteger(arch.inputDim)) throw new InvalidArgumentError(`inputDim must be an integer >= 1, got ${arch.inputDim}`);
  if (!positiveInteger(arch.outputDim)) throw new InvalidArgumentError(`outputDim must be an integer >= 1, got ${arch.outputDim}`);
  if (!positiveInteger(arch.components)) throw new InvalidArgumentError(`components must be an integer >= 1, got ${arch.components}`);
  if (!Array.isArray(arch.hidden) || !arch.hidden.every(positiveInteger)) {
    throw new InvalidArgumentError(`hidden must be a list of layer widths (integers >= 1) or one width, got ${JSON.stringify(arch.hidden)}`);
  }
  if (!ACTIVATIONS.includes(arch.activation)) {
    throw new InvalidArgumentError(`activation must be one of ${ACTIVATIONS.join(', ')}, got '${arch.activation}'`);
  }
  // Each spec is checked by its kind when networkLayers places it, below.
  if (arch.layers !== undefined) checkLayerList(arch.layers);
  if (!SIGMA_ACTIVATIONS.includes(arch.sigma)) {
    throw new InvalidArgumentError(`sigma must be one of ${SIGMA_ACTIVATIONS.join(', ')}, got '${arch.sigma}'`);
  }
  if (arch.family !== undefined) headFamilyOf(arch.family).validate?.(arch);
  validateSideOutputs(arch.sideOutputs);
  if (arch.sequence !== undefined) {
    const c = arch.sequence?.conditionDim;
    if (!(typeof c === 'number' && Number.isInteger(c) && c >= 0)) throw new InvalidArgumentError(`sequence.conditionDim must be an integer >= 0, got ${JSON.stringify(c)}`);
    if (arch.inputDim !== targetWidthOf(arch) + c) {
      throw new InvalidArgumentError(`a sequence model's inputDim is its target width (${targetWidthOf(arch)}) plus conditionDim (${c}), got ${arch.inputDim}`);
    }
  }
  if (arch.family === 'student-t') {
    // Above 1 the mean and the CRPS exist; past 1e6 the components are Gaussian to f32 precision.
    const nu = arch.degreesOfFreedom;
    if (!(nu === 'learned' || (typeof nu === 'number' && nu > 1 && nu <= 1e6))) {
      throw new InvalidArgumentError(`degreesOfFreedom must be 'learned' or a number above 1 and at most 1e6 for family 'student-t', got ${JSON.stringify(nu)}`);
    }
  } else if (arch.degreesOfFreedom !== undefined) {
    throw new InvalidArgumentError(`degreesOfFreedom is for family 'student-t', not '${arch.family ?? 'gaussian'}'`);
  }
  // Beyond 1 the floor it puts under σ is no longer small, and past float32's range σ is infinite.
  if (!(typeof arch.sigmaEpsilon === 'number' && arch.sigmaEpsilon >= 0 && arch.sigmaEpsilon <= 1)) {
    throw new InvalidArgumentError(`sigmaEpsilon must be a number in [0, 1], got ${arch.sigmaEpsilon}`);
  }
  const parameters = networkLayers(arch).reduce((n, l) => n + l.kind.parameterCount(l.spec, l.inputs), 0);
  if (checkSize && parameters > MAX_PARAMETERS) {
    throw new InvalidArgumentError(`this architecture has ${parameters.toLocaleString('en')} parameters (${((4 * parameters) / 2 ** 30).toFixed(1)} GiB); the limit is ${MAX_PARAMETERS.toLocaleString('en')} (1 GiB of float32)`);
  }
}

// A trunk's layer list: a list, and not longer than MAX_LAYERS.
function checkLayerList(layers: unknown): void {
  if (!Array.isArray(layers)) throw new InvalidArgumentError(`layers must be a list of layer descriptions, got ${JSON.stringify(layers)}`);
  if (layers.length > MAX_LAYERS) throw new InvalidArgumentError(`layers lists ${layers.length} layers; the limit is ${MAX_LAYERS}`);
}

/** An architecture whose trunk is given layer by layer; `hidden` and `activation` are filled in to summarise it. */
export function withLayers(base: Omit<MdnArchitecture, 'hidden' | 'activation' | 'layers'>, layers: readonly LayerSpec[]): MdnArchitecture {
  checkLayerList(layers);
  const normalised = layers.map((spec, i) => layerKindOf(spec, `layers[${i}]`).normalise(spec, `layers[${i}]`));
  const denses = normalised.filter((l) => l.kind === 'dense');
  return { ...base, hidden: denses.map((l) => l.units as number), activation: (denses[0]?.activation as Activation) ?? 'tanh', layers: normalised };
}
