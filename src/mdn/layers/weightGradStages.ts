// A dense product's weight gradient as backward stages, for the layer kinds that have one (dense, and the
// recurrent layers' input and recurrent blocks): the product, and where its variant splits K over the rows
// (GPU-class training, denseWeightGrad.ts), splitKSum adding the slices' partial sums into the gradient. The
// partial sums live in a training workspace buffer of the layer's: splitKWorkspace says how wide.
import type { AdapterClass } from '../../runtime/device.js';
import type { Resource } from '../../runtime/program.js';
import type { DenseSizes } from '../../shaders/denseForward.js';
import { type DenseWeightGradVariant, denseWeightGrad, denseWeightGradVariant, splitKPartialsPerRow, weightGradSlices } from '../../shaders/denseWeightGrad.js';
import { splitKSum } from '../../shaders/splitKSum.js';
import { type BackwardIo, type Stage, stage } from './layerKind.js';

/** The training workspace the products' partial sums need: one buffer of this many floats per row, or none. */
export function splitKWorkspace(products: readonly { inputs: number; outputs: number }[], training: boolean, adapterClass?: AdapterClass): number[] {
  if (!training) return [];
  const widths = products.flatMap(({ inputs, outputs }) => {
    const { split } = denseWeightGradVariant({ inputs, outputs }, adapterClass);
    return split ? [splitKPartialsPerRow(inputs, outputs, split.rowsPerSlice)] : [];
  });
  return widths.length > 0 ? [Math.max(...widths)] : [];
}

interface WeightGradBuffers {
  readonly input: Resource;
  readonly outputGrad: Resource;
  readonly weightGrad: Resource;
  /** The workspace buffer splitKWorkspace sized (read only where the variant splits K). */
  readonly partials?: Resource;
}

/** The stages: the product, then (split K) the sum of its partial sums into the gradient. */
export function weightGradStages(variant: DenseWeightGradVariant, sizes: (rows: number) => DenseSizes, buffers: (io: BackwardIo) => WeightGradBuffers): Stage<BackwardIo>[] {
  const { split } = variant;
  const product = (io: BackwardIo) => {
    const { input, outputGrad, weightGrad } = buffers(io);
    return { input, outputGrad, weightGrad };
  };
  if (!split) return [stage(denseWeightGrad, variant, sizes, product)];
  const partialsOf = (io: BackwardIo) => {
    const { partials } = buffers(io);
    if (!partials) throw new Error('weightGradStages: a split weight gradient needs its partial sums buffer');
    return partials;
  };
  return [
    stage(denseWeightGrad, variant, sizes, (io: BackwardIo) => ({ ...product(io), partials: partialsOf(io) })),
    stage(
      splitKSum,
      {},
      (rows: number) => {
        const { inputs, outputs } = sizes(rows);
        return { count: (inputs + 1) * outputs, slices: weightGradSlices(rows, split.rowsPerSlice) };
      },
      (io: BackwardIo) => ({ partials: partialsOf(io), output: buffers(io).weightGrad }),
    ),
  ];
}
