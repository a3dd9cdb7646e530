// The model file: one binary that carries a JSON manifest and the float32 weights, the same in a page and in
// Node. Layout: the 8 bytes "MIXDEN\0\1", the manifest's byte length (u32, little-endian), the manifest as UTF-8
// JSON, zero padding to a multiple of 4, then every layer's parameter block (a dense layer's (inputs + 1) x
// outputs weights), little-endian.
// Reading trusts nothing: every size is checked against the file before anything is allocated from it.
import { MixdenError } from '../runtime/errors.js';
import { type MdnArchitecture, networkLayers, validateArchitecture } from './architecture.js';
import { type ModelScaling, type ScalingPlan, checkScaling, scalingPlanOf } from './scaling.js';

const MAGIC = [0x4d, 0x49, 0x58, 0x44, 0x45, 0x4e, 0x00, 0x01]; // "MIXDEN", 0, format version 1
const FORMAT = 'mixden-model';
const VERSION = 1;
const MAX_MANIFEST_BYTES = 1 << 20;
// Deeper JSON parses, but saving it again would overflow JSON.stringify's stack.
const MAX_NESTING = 64;

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

/** A model file that cannot be read: the message says what is wrong with it. */
export class ModelFormatError extends MixdenError {}

interface Manifest {
  format: string;
  version: number;
  architecture: MdnArchitecture;
  /** Per layer: a dense layer's widths and activation, or another kind's `kind` and widths; where its block starts. */
  layers: { kind?: string; inputs: number; outputs: number; activation?: string; offset: number; length: number }[];
  weightCount: number;
  /** The model's fitted input and target scalers (absent: unscaled). */
  scaling?: ModelScaling;
  /** Scalers to fit at the first fit, for a model saved before it was fitted. */
  scalePlan?: ScalingPlan;
  /** Whatever JSON the application stores beside the model (the command line keeps column names and scalers). */
  metadata?: unknown;
}

// The architecture's fields in one order, so a file read and written again is the same bytes.
const canonical = (a: MdnArchitecture): MdnArchitecture => ({
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
});

/**
 * Encodes an architecture and its per-layer weight blocks as a model file.
 * @example
 * const bytes = encodeModel(arch, await trainer.readParameters());
 */
export function encodeModel(architecture: MdnArchitecture, blocks: readonly Float32Array[], metadata?: unknown, scaling?: ModelScaling, scalePlan?: ScalingPlan): Uint8Array {
  const layers = networkLayers(architecture);
  let offset = 0;
  const manifest: Manifest = {
    format: FORMAT,
    version: VERSION,
    architecture: canonical(architecture),
    layers: layers.map((l, i) => {
      const length = l.kind.parameterCount(l.spec, l.inputs);
      if (blocks[i]?.length !== length) throw new Error(`layer ${i} needs ${length} weights, got ${blocks[i]?.length}`);
      // Dense entries are written as before layer kinds existed, so older readers still read dense models.
      const entry =
        l.spec.kind === 'dense'
          ? { inputs: l.inputs, outputs: l.outputs, activation: l.spec.activation as string, offset, length }
          : { kind: l.spec.kind, inputs: l.inputs, outputs: l.outputs, offset, length };
      offset += length;
      return entry;
    }),
    weightCount: offset,
    ...(scaling === undefined ? {} : { scaling }),
    ...(scaling === undefined && scalePlan !== undefined ? { scalePlan } : {}),
    ...(metadata === undefined ? {} : { metadata }),
  };
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const weightsStart = Math.ceil((12 + json.length) / 4) * 4;
  const bytes = new Uint8Array(weightsStart + offset * 4);
  bytes.set(MAGIC, 0);
  new DataView(bytes.buffer).setUint32(8, json.length, true);
  bytes.set(json, 12);
  const view = new DataView(bytes.buffer, weightsStart);
  let at = 0;
  for (const block of blocks) for (const v of block) view.setFloat32(4 * at++, v, true);
  return bytes;
}

/**
 * Decodes a model file; throws ModelFormatError naming the problem for anything else.
 * @example
 * const { architecture, blocks } = decodeModel(new Uint8Array(await file.arrayBuffer()));
 */
export function decodeModel(input: ArrayBuffer | Uint8Array): DecodedModel {
  if (typeof input === 'string') {
    throw new ModelFormatError(`a model is read from its bytes, not from a path ('${(input as string).slice(0, 80)}'): in Node, loadMdnFile(path) from 'mixden/node', or loadMdn(readFileSync(path))`);
  }
  if (!(input instanceof Uint8Array) && !(input instanceof ArrayBuffer)) {
    throw new ModelFormatError(`a model is read from its bytes (a Uint8Array or ArrayBuffer), got ${input === null ? 'null' : typeof input}`);
  }
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input);
  if (bytes.length < 12 || MAGIC.slice(0, 6).some((b, i) => bytes[i] !== b)) {
    throw new ModelFormatError('not a mixden model file (it does not start with the MIXDEN signature)');
  }
  if (bytes[6] !== 0 || bytes[7] !== VERSION) {
    throw new ModelFormatError(`unsupported mixden model format version ${bytes[7]} (this version reads ${VERSION})`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonLength = view.getUint32(8, true);
  if (jsonLength > MAX_MANIFEST_BYTES || 12 + jsonLength > bytes.length) {
    throw new ModelFormatError(`the manifest claims ${jsonLength} bytes, but the file has ${bytes.length - 12} after its header`);
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(12, 12 + jsonLength)));
  } catch (cause) {
    throw new ModelFormatError(`the manifest is not valid UTF-8 JSON: ${(cause as Error).message}`);
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== FORMAT || manifest.version !== VERSION) {
    throw new ModelFormatError(`the manifest is not a ${FORMAT} version ${VERSION} manifest`);
  }
  if (nestingDepth(manifest) > MAX_NESTING) throw new ModelFormatError(`the manifest nests deeper than ${MAX_NESTING} levels`);
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
  };
  try {
    validateArchitecture(architecture, { checkSize: false });
  } catch (cause) {
    throw new ModelFormatError(`the manifest's architecture is invalid: ${(cause as Error).message}`);
  }
  const layers = networkLayers(architecture);
  // The layer specs as normalised, not as the file spelt them (unknown fields are dropped).
  if (architecture.layers) architecture = { ...architecture, layers: layers.slice(0, -1).map((l) => l.spec) };
  const expected = layers.reduce((n, l) => n + l.kind.parameterCount(l.spec, l.inputs), 0);
  if (manifest.weightCount !== expected || !Array.isArray(manifest.layers) || manifest.layers.length !== layers.length) {
    throw new ModelFormatError(`the manifest lists ${manifest.weightCount} weights in ${manifest.layers?.length} layers; its architecture needs ${expected} in ${layers.length} layers`);
  }
  const weightsStart = Math.ceil((12 + jsonLength) / 4) * 4;
  if (bytes.length !== weightsStart + expected * 4) {
    throw new ModelFormatError(`the file holds ${Math.max(0, bytes.length - weightsStart)} bytes of weights; the manifest needs ${expected * 4}`);
  }
  try {
    validateArchitecture(architecture);
  } catch (cause) {
    throw new ModelFormatError(`the manifest's architecture is invalid: ${(cause as Error).message}`);
  }
  let offset = 0;
  const blocks = layers.map((l, i) => {
    const entry = manifest.layers[i];
    const length = l.kind.parameterCount(l.spec, l.inputs);
    if (entry?.inputs !== l.inputs || entry.outputs !== l.outputs || entry.offset !== offset || entry.length !== length || (entry.kind ?? 'dense') !== l.spec.kind) {
      throw new ModelFormatError(`layer ${i} in the manifest does not match the architecture (${l.kind.describe(l)})`);
    }
    const block = new Float32Array(length);
    for (let j = 0; j < length; j++) {
      const v = view.getFloat32(weightsStart + 4 * (offset + j), true);
      if (!Number.isFinite(v)) throw new ModelFormatError(`layer ${i} has a non-finite weight (${v}) at index ${j}`);
      block[j] = v;
    }
    offset += length;
    return block;
  });
  let scalePlan: ScalingPlan | undefined;
  try {
    scalePlan = manifest.scalePlan === undefined ? undefined : scalingPlanOf(manifest.scalePlan);
  } catch (cause) {
    throw new ModelFormatError(`the manifest's scalePlan is invalid: ${(cause as Error).message}`);
  }
  const scaling = scalingOf(manifest, architecture);
  if ((scaling?.y.log || scalePlan?.logY) && (architecture.family ?? 'gaussian') !== 'gaussian') {
    throw new ModelFormatError(`a model of family '${architecture.family}' cannot log-transform its targets (log-normal components are Gaussian)`);
  }
  return { architecture, blocks, metadata: manifest.metadata, scaling, scalePlan };
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
