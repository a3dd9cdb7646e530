// Every trunk layer kind, by name: the one list to extend when a kind is added (see docs/architecture.md).
import { InvalidArgumentError } from '../../runtime/errors.js';
import { dense } from './dense.js';
import { layerNorm } from './layerNorm.js';
import { gru, lstm } from './recurrent.js';
import type { LayerKind, LayerSpec } from './layerKind.js';

export type { LayerKind, LayerSpec, PlacedLayer, Stage, ForwardIo, ForwardOptions, KernelOptions, PassOptions, BackwardIo, InitScheme, TensorShape } from './layerKind.js';

/** The initialisation schemes, for messages and the command line. */
export const INIT_SCHEMES = ['glorot', 'pytorch'] as const;
export type { DenseSpec } from './dense.js';
export type { LayerNormSpec } from './layerNorm.js';
export type { RecurrentSpec } from './recurrent.js';

const KINDS: readonly LayerKind[] = [dense, layerNorm, lstm, gru] as unknown as LayerKind[];

/** Names of the layer kinds, for messages and the command line. */
export const LAYER_KINDS: readonly string[] = KINDS.map((k) => k.kind);

/** The kind of a layer spec; throws InvalidArgumentError naming `at` for a spec that is not one or an unknown kind. */
export function layerKindOf(spec: LayerSpec, at: string): LayerKind {
  if (spec === null || typeof spec !== 'object') throw new InvalidArgumentError(`${at} must be an object such as { kind: 'dense', units: 32 }, got ${JSON.stringify(spec)}`);
  const kind = KINDS.find((k) => k.kind === spec.kind);
  if (!kind) throw new InvalidArgumentError(`${at}.kind must be one of ${LAYER_KINDS.join(', ')}, got ${JSON.stringify(spec.kind)}`);
  return kind;
}

/** The short forms of every kind, for usage lines: "dense:UNITS[:ACTIVATION],layerNorm[:EPSILON]". */
export const LAYER_TEXT_FORMS: readonly string[] = KINDS.map((k) => k.textForm);

/**
 * A trunk from its short form: comma-separated layers, each `kind:field:field` (see LAYER_TEXT_FORMS), or a
 * JSON list of layer specs.
 * @example
 * layersFromText('dense:64:relu,layerNorm,dense:64:relu');
 */
export function layersFromText(text: string): LayerSpec[] {
  if (text.trim().startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (cause) {
      throw new InvalidArgumentError(`layers as JSON did not parse: ${(cause as Error).message}`);
    }
    if (!Array.isArray(parsed)) throw new InvalidArgumentError('layers as JSON must be a list of layer specs');
    return parsed.map((spec, i) => layerKindOf(spec, `layers[${i}]`).normalise(spec, `layers[${i}]`));
  }
  return text.split(',').map((item, i) => {
    const [kind, ...fields] = item.trim().split(':');
    const at = `layers[${i}] ('${item.trim()}')`;
    return layerKindOf({ kind }, at).fromText(fields, at);
  });
}
