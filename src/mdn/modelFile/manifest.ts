// The manifest of a model file: what the model is (architecture, layer table, scalers, the application's
// metadata), as JSON. Both containers carry it (./safetensors.ts in `__metadata__`, ./legacy.ts after its
// signature), and it is read the same way from either: checked field by field, nothing in it evaluated.
import { type MdnArchitecture, networkLayers, validateArchitecture } from '../architecture.js';
import type { PlacedLayer } from '../layers/index.js';
import { type ModelScaling, type ScalingPlan, checkScaling, scalingPlanOf } from '../scaling.js';
import { ModelFormatError } from './errors.js';

export const FORMAT = 'mixden-model';
// Deeper JSON parses, but saving it again would overflow JSON.stringify's stack.
const MAX_NESTING = 64;

/** One entry of the layer table: its kind (absent: dense), widths, a dense layer's activation, and where its parameters are. */
export interface LayerEntry {
  kind?: string;
  inputs: number;
  outputs: number;
  activation?: string;
  /** Legacy container: where the block starts among the weights, and its length. */
  offset?: number;
  length?: number;
  /** Safetensors container: the names of the layer's tensors. */
  tensors?: string[];
}

export interface Manifest {
  format: string;
  version: number;
  architecture: MdnArchitecture;
  layers: LayerEntry[];
  /** Legacy container: the number of weights. */
  weightCount?: number;
  /** The model's fitted input and target scalers (absent: unscaled). */
  scaling?: ModelScaling;
  /** Scalers to fit at the first fit, for a model saved before it was fitted. */
  scalePlan?: ScalingPlan;
  /** Whatever JSON the application stores beside the model (the command line keeps column names and scalers). */
  metadata?: unknown;
}

/** What a model file holds. */
export interface DecodedModel {
  readonly architecture: MdnArchitecture;
  readonly blocks: Float32Array[];
  readonly metadata?: unknown;
  readonly scaling?: ModelScaling;
  /** Scalers the model fits at its first fit (a model saved before fitting them). */
  readonly scalePlan?: ScalingPlan;
}

/** The architecture's fields in one order, so a file read and written again is the same bytes. */
export const canonical = (a: MdnArchitecture): MdnArchitecture => ({
  inputDim: a.inputDim,
  outputDim: a.outputDim,
  hidden: [...a.hidden],
  activation: a.activation,
  ...(a.layers ? { layers: a.layers.map((l) => ({ ...l })) } : {}),
  components: a.components,
  sigma: a.sigma,
  sigmaEpsilon: a.sigmaEpsilon,
  ...(a.family === undefined ? {} : { family: a.family }),
  ...(a.degreesOfFreedom === undefined ? {} : { degreesOfFreedom: a.degreesOfFreedom }),
  ...(a.sideOutputs === undefined ? {} : { sideOutputs: a.sideOutputs.map((s) => ({ kind: s.kind, ...(s.classes === undefined ? {} : { classes: s.classes }), ...(s.name === undefined ? {} : { name: s.name }) })) }),
  ...(a.sequence === undefined ? {} : { sequence: { conditionDim: a.sequence.conditionDim } }),
});

/** A dense entry as written before layer kinds existed (so older readers still read dense models); other kinds with their kind. */
export function layerEntry(l: PlacedLayer, where: Pick<LayerEntry, 'offset' | 'length' | 'tensors'>): LayerEntry {
  return l.spec.kind === 'dense'
    ? { inputs: l.inputs, outputs: l.outputs, activation: l.spec.activation as string, ...where }
    : { kind: l.spec.kind, inputs: l.inputs, outputs: l.outputs, ...where };
}

// Depth of nested arrays and objects, counted without recursion.
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > MAX_NESTING) return deepest;
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Parses manifest JSON text; throws ModelFormatError unless it is a manifest of `version`. */
export function parseManifest(text: Uint8Array | string, version: number): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(typeof text === 'string' ? text : new TextDecoder('utf-8', { fatal: true }).decode(text));
  } catch (cause) {
    throw new ModelFormatError(`the manifest is not valid UTF-8 JSON: ${(cause as Error).message}`);
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== FORMAT || manifest.version !== version) {
    throw new ModelFormatError(`the manifest is not a ${FORMAT} version ${version} manifest`);
  }
  if (nestingDepth(manifest) > MAX_NESTING) throw new ModelFormatError(`the manifest nests deeper than ${MAX_NESTING} levels`);
  return manifest;
}

/**
 * The manifest's architecture, checked, and its layers placed; throws ModelFormatError naming the problem.
 * `checkSize` leaves the parameter limit to the caller, who compares sizes with the file's first.
 */
export function architectureOf(manifest: Manifest, checkSize: boolean): { architecture: MdnArchitecture; layers: PlacedLayer[] } {
  const a = manifest.architecture;
  let architecture: MdnArchitecture = {
    inputDim: a?.inputDim,
    outputDim: a?.outputDim,
    hidden: Array.isArray(a?.hidden) ? [...a.hidden] : (a?.hidden as never),
    activation: a?.activation,
    ...(a?.layers === undefined ? {} : { layers: a.layers }),
    components: a?.components,
    sigma: a?.sigma,
    sigmaEpsilon: a?.sigmaEpsilon,
    ...(a?.family === undefined ? {} : { family: a.family }),
    ...(a?.degreesOfFreedom === undefined ? {} : { degreesOfFreedom: a.degreesOfFreedom }),
    ...(a?.sideOutputs === undefined ? {} : { sideOutputs: a.sideOutputs }),
    ...(a?.sequence === undefined ? {} : { sequence: a.sequence }),
  };
  try {
    validateArchitecture(architecture, { checkSize });
  } catch (cause) {
    throw new ModelFormatError(`the manifest's architecture is invalid: ${(cause as Error).message}`);
  }
  const layers = networkLayers(architecture);
  // The layer specs as normalised, not as the file spelt them (unknown fields are dropped).
  if (architecture.layers) architecture = { ...architecture, layers: layers.slice(0, -1).map((l) => l.spec) };
  if (!Array.isArray(manifest.layers) || manifest.layers.length !== layers.length) {
    throw new ModelFormatError(`the manifest lists ${manifest.layers?.length} layers; its architecture has ${layers.length}`);
  }
  return { architecture, layers };
}

/** Throws unless layer entry i agrees with the placed layer (kind and widths). */
export function checkLayerEntry(entry: LayerEntry | undefined, l: PlacedLayer): void {
  if (entry?.inputs !== l.inputs || entry.outputs !== l.outputs || (entry.kind ?? 'dense') !== l.spec.kind) {
    throw new ModelFormatError(`layer ${l.index} in the manifest does not match the architecture (${l.kind.describe(l)})`);
  }
}

/** The rest of a decoded model: scalers (checked), the scale plan, the metadata. */
export function decodedModel(manifest: Manifest, architecture: MdnArchitecture, blocks: Float32Array[]): DecodedModel {
  let scalePlan: ScalingPlan | undefined;
  try {
    scalePlan = manifest.scalePlan === undefined ? undefined : scalingPlanOf(manifest.scalePlan);
  } catch (cause) {
    throw new ModelFormatError(`the manifest's scalePlan is invalid: ${(cause as Error).message}`);
  }
  const scaling = scalingOf(manifest, architecture);
  const yScaled = (scaling && !(scaling.y.shift.every((v) => v === 0) && scaling.y.scale.every((v) => v === 1) && !scaling.y.log)) || (scalePlan && scalePlan.y !== 'none');
  if (architecture.family === 'von-mises' && yScaled) throw new ModelFormatError("a model of family 'von-mises' cannot scale its targets (angles)");
  if ((scaling?.y.log || scalePlan?.logY) && (architecture.family ?? 'gaussian') !== 'gaussian') {
    throw new ModelFormatError(`a model of family '${architecture.family}' cannot log-transform its targets (log-normal components are Gaussian)`);
  }
  return { architecture, blocks, metadata: manifest.metadata, scaling, scalePlan };
}

// The manifest's scalers; files written by the command line before scaling belonged to the model keep theirs
// in the metadata (xScaler, yScaler), and are read with them applied.
function scalingOf(manifest: Manifest, architecture: MdnArchitecture): ModelScaling | undefined {
  const legacy = manifest.metadata as { xScaler?: unknown; yScaler?: unknown } | null | undefined;
  const stored = manifest.scaling ?? (legacy && typeof legacy === 'object' && legacy.xScaler && legacy.yScaler ? { x: legacy.xScaler, y: legacy.yScaler } : undefined);
  if (stored === undefined) return undefined;
  try {
    return checkScaling(stored, architecture.inputDim, architecture.outputDim);
  } catch (cause) {
    throw new ModelFormatError(`the model's scalers are invalid: ${(cause as Error).message}`);
  }
}

/** A manifest for a model: everything but where the parameters are, which each container adds to `layers`. */
export function manifestOf(version: number, architecture: MdnArchitecture, layers: LayerEntry[], extra: { metadata?: unknown; scaling?: ModelScaling; scalePlan?: ScalingPlan; weightCount?: number }): Manifest {
  return {
    format: FORMAT,
    version,
    architecture: canonical(architecture),
    layers,
    ...(extra.weightCount === undefined ? {} : { weightCount: extra.weightCount }),
    ...(extra.scaling === undefined ? {} : { scaling: extra.scaling }),
    ...(extra.scaling === undefined && extra.scalePlan !== undefined ? { scalePlan: extra.scalePlan } : {}),
    ...(extra.metadata === undefined ? {} : { metadata: extra.metadata }),
  };
}
