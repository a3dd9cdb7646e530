// The model file: a safetensors file (./modelFile/safetensors.ts) whose tensors are the model's parameters under
// the names and layouts of the PyTorch module in interop/pytorch (trunk layer i as `trunk.i.weight` [out, in]
// and `trunk.i.bias` [out] for a dense layer, as torch.nn.Linear holds them; the head's linear layer as
// `head.weight`, `head.bias`; a layerNorm's γ and β as `weight` and `bias`), and whose `__metadata__` holds
// `format: "pt"` and mixden's manifest as JSON text under `mixden` (./modelFile/manifest.ts). Files of the
// earlier "MIXDEN\0\1" format still load (./modelFile/legacy.ts). The same bytes in a page and in Node.
// Reading trusts nothing: every size is checked against the file before anything is allocated from it.
import { type MdnArchitecture, networkLayers } from './architecture.js';
import type { PlacedLayer } from './layers/index.js';
import type { ModelScaling, ScalingPlan } from './scaling.js';
import { ModelFormatError } from './modelFile/errors.js';
import { type DecodedModel, architectureOf, checkLayerEntry, decodedModel, layerEntry, manifestOf, parseManifest } from './modelFile/manifest.js';
import { decodeLegacyModel, isLegacyModelFile } from './modelFile/legacy.js';
import { type Tensor, decodeSafetensors, encodeSafetensors, looksLikeSafetensors } from './modelFile/safetensors.js';

export { ModelFormatError, type DecodedModel };

/** The manifest version inside a safetensors model file. */
const VERSION = 2;

/** The tensor-name prefix of a layer: `trunk.i` for trunk layer i, `head` for the head's linear layer. */
export const tensorPrefix = (layer: PlacedLayer, layerCount: number): string => (layer.index === layerCount - 1 ? 'head' : `trunk.${layer.index}`);

/** The full tensor names of a layer, in its kind's order. */
const tensorNames = (layer: PlacedLayer, layerCount: number): string[] => layer.kind.tensors(layer).map((t) => `${tensorPrefix(layer, layerCount)}.${t.name}`);

/**
 * Encodes an architecture and its per-layer weight blocks as a model file (safetensors).
 * @example
 * const bytes = encodeModel(arch, await trainer.readParameters());
 */
export function encodeModel(architecture: MdnArchitecture, blocks: readonly Float32Array[], metadata?: unknown, scaling?: ModelScaling, scalePlan?: ScalingPlan): Uint8Array {
  const layers = networkLayers(architecture);
  const tensors: Tensor[] = [];
  const entries = layers.map((l, i) => {
    const length = l.kind.parameterCount(l.spec, l.inputs);
    if (blocks[i]?.length !== length) throw new Error(`layer ${i} needs ${length} weights, got ${blocks[i]?.length}`);
    const names = tensorNames(l, layers.length);
    const values = l.kind.toTensors(l, blocks[i]);
    l.kind.tensors(l).forEach((t, j) => tensors.push({ name: names[j], shape: t.shape, data: values[j] }));
    return layerEntry(l, { tensors: names });
  });
  const manifest = manifestOf(VERSION, architecture, entries, { metadata, scaling, scalePlan });
  return encodeSafetensors({ format: 'pt', mixden: JSON.stringify(manifest) }, tensors);
}

/**
 * Decodes a model file (safetensors, or the earlier MIXDEN format); throws ModelFormatError naming the problem
 * for anything else.
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
  if (isLegacyModelFile(bytes)) return decodeLegacyModel(bytes);
  if (!looksLikeSafetensors(bytes)) throw new ModelFormatError('not a mixden model file (neither a safetensors file nor one starting with the MIXDEN signature)');
  const file = decodeSafetensors(bytes);
  if (file.metadata.mixden === undefined) throw new ModelFormatError('a safetensors file without a mixden manifest (__metadata__.mixden): not a mixden model');
  const manifest = parseManifest(file.metadata.mixden, VERSION);
  const { architecture, layers } = architectureOf(manifest, false);
  const expected = new Set(layers.flatMap((l) => tensorNames(l, layers.length)));
  const extra = [...file.tensors.keys()].filter((name) => !expected.has(name));
  if (extra.length) throw new ModelFormatError(`the file holds tensors its architecture has no place for: ${extra.slice(0, 5).join(', ')}${extra.length > 5 ? ', …' : ''}`);
  // Every tensor is present with its shape before any is read; then the size limit, now that the file holds them.
  for (const l of layers) {
    checkLayerEntry(manifest.layers[l.index], l);
    tensorNames(l, layers.length).forEach((name, j) => {
      const entry = file.tensors.get(name);
      const shape = l.kind.tensors(l)[j].shape;
      if (!entry) throw new ModelFormatError(`the file has no tensor '${name}' (${l.kind.describe(l)})`);
      if (entry.shape.length !== shape.length || entry.shape.some((d, k) => d !== shape[k])) {
        throw new ModelFormatError(`tensor '${name}' has shape [${entry.shape}]; the architecture needs [${shape}] (${l.kind.describe(l)})`);
      }
    });
  }
  architectureOf(manifest, true);
  const blocks = layers.map((l) => l.kind.fromTensors(l, tensorNames(l, layers.length).map((name) => file.tensors.get(name)!.read())));
  return decodedModel(manifest, architecture, blocks);
}
