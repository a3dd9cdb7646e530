// Initial weights: each layer kind's own under the chosen scheme ('glorot': Glorot-uniform W and zero bias for
// dense layers, the Keras defaults; 'pytorch': W and b uniform in ±1/√fan_in, torch.nn.Linear's; γ = 1, β = 0
// for layerNorm either way), rounded to f32 so the GPU and the float64 reference start from identical values.
// Layers draw from one seeded generator in order.
import { type MdnArchitecture, networkLayers } from './architecture.js';
import { Random } from './random.js';
import type { InitScheme } from './layers/index.js';

/** One parameter block per layer, in layer order. */
export function initialParameters(arch: MdnArchitecture, seed: number, scheme: InitScheme = 'glorot'): Float64Array[] {
  const random = new Random(seed);
  return networkLayers(arch).map((layer) => layer.kind.initialParameters(layer, random, scheme));
}
