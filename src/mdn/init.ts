// Initial weights: each layer kind's own (Glorot-uniform W and zero bias for dense layers, the Keras
// defaults; γ = 1, β = 0 for layerNorm), rounded to f32 so the GPU and the float64 reference start from
// identical values. Layers draw from one seeded generator in order.
import { type MdnArchitecture, networkLayers } from './architecture.js';
import { Random } from './random.js';

/** One parameter block per layer, in layer order. */
export function initialParameters(arch: MdnArchitecture, seed: number): Float64Array[] {
  const random = new Random(seed);
  return networkLayers(arch).map((layer) => layer.kind.initialParameters(layer, random));
}
