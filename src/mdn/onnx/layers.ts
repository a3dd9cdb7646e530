// Each layer kind as ONNX operators, from its parameter block: the one list to extend when a layer kind should
// export (kept out of the layer kinds themselves so that nothing else bundles the exporter).
import type { PlacedLayer } from '../layers/index.js';
import type { GraphBuilder } from './graph.js';

export type OnnxLayer = (g: GraphBuilder, layer: PlacedLayer, block: Float32Array, input: string) => string;

/** The activations of dense layers, by mixden's names (elu with α = 1, as mixden's). */
export function activation(g: GraphBuilder, name: string, x: string): string {
  switch (name) {
    case 'identity':
      return x;
    case 'relu':
      return g.op('Relu', [x]);
    case 'tanh':
      return g.op('Tanh', [x]);
    case 'sigmoid':
      return g.op('Sigmoid', [x]);
    case 'elu':
      return g.op('Elu', [x], { alpha: { float: 1 } });
    default:
      throw new Error(`no ONNX operator for activation '${name}'`);
  }
}

export const ONNX_LAYERS: Record<string, OnnxLayer> = {
  // x·W + b, W the block's first inputs × outputs values (row-major [in, out]), b the last row.
  dense(g, { inputs, outputs, spec, index }, block, x) {
    const weight = g.floats(`layer${index}_weight`, block.subarray(0, inputs * outputs), [inputs, outputs]);
    const bias = g.floats(`layer${index}_bias`, block.subarray(inputs * outputs), [outputs]);
    return activation(g, spec.activation as string, g.op('Add', [g.op('MatMul', [x, weight]), bias]));
  },
  // LayerNormalization (opset 17) over the last axis: γ, then β, in the block.
  layerNorm(g, { inputs, spec, index }, block, x) {
    const gamma = g.floats(`layer${index}_gamma`, block.subarray(0, inputs));
    const beta = g.floats(`layer${index}_beta`, block.subarray(inputs));
    return g.op('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: { float: spec.epsilon as number } });
  },
};
