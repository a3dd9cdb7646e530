// Initial weights: Glorot-uniform W and zero bias (the Keras defaults Keras uses),
// rounded to f32 so the GPU and the float64 reference start from identical values.
import { type MdnArchitecture, denseLayers } from './architecture.js';
import { Random } from './random.js';

/** One (inputs + 1) x outputs block per dense layer. */
export function initialParameters(arch: MdnArchitecture, seed: number): Float64Array[] {
  const random = new Random(seed);
  return denseLayers(arch).map(({ inputs, outputs }) => {
    const limit = Math.sqrt(6 / (inputs + outputs));
    const block = new Float64Array((inputs + 1) * outputs);
    for (let i = 0; i < inputs * outputs; i++) block[i] = Math.fround(random.range(-limit, limit));
    return block;
  });
}
