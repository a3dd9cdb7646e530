// Every trunk layer kind, by name: the one list to extend when a kind is added (see docs/architecture.md).
import { InvalidArgumentError } from '../../runtime/errors.js';
import { dense } from './dense.js';
import { layerNorm } from './layerNorm.js';
import type { LayerKind, LayerSpec } from './layerKind.js';

export type { LayerKind, LayerSpec, PlacedLayer, Stage, ForwardIo, BackwardIo } from './layerKind.js';
export type { DenseSpec } from './dense.js';
export type { LayerNormSpec } from './layerNorm.js';

const KINDS: readonly LayerKind[] = [dense as unknown as LayerKind, layerNorm as unknown as LayerKind];

/** Names of the layer kinds, for messages and the command line. */
export const LAYER_KINDS: readonly string[] = KINDS.map((k) => k.kind);

/** The kind of a layer spec; throws InvalidArgumentError naming `at` for an unknown one. */
export function layerKindOf(spec: LayerSpec, at: string): LayerKind {
  const kind = KINDS.find((k) => k.kind === spec?.kind);
  if (!kind) throw new InvalidArgumentError(`${at}.kind must be one of ${LAYER_KINDS.join(', ')}, got ${JSON.stringify(spec?.kind)}`);
  return kind;
}
