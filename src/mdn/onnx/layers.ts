// Each layer kind as ONNX operators, from its parameter block: the one list to extend when a layer kind should
// export (kept out of the layer kinds themselves so that nothing else bundles the exporter).
import type { PlacedLayer } from '../layers/index.js';
import { type RecurrentSpec, recurrentOffsetOf } from '../layers/recurrent.js';
import type { RecurrentCell } from '../reference/recurrent.js';
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
  lstm: (g, layer, block, x) => recurrent(g, layer, block, x, 'lstm'),
  gru: (g, layer, block, x) => recurrent(g, layer, block, x, 'gru'),
};

// ONNX's gate order, as PyTorch's gate index: LSTM i, o, f, c (PyTorch i, f, g, o); GRU z, r, h (PyTorch r, z, n).
const ONNX_GATES: Record<RecurrentCell, readonly number[]> = { lstm: [0, 3, 1, 2], gru: [1, 0, 2] };

// The LSTM or GRU operator (GRU with linear_before_reset = 1, PyTorch's form) on each row as a one-step sequence
// from a zero state, as a model of independent rows runs its recurrent layers: x [rows, in] becomes [1, rows, in].
function recurrent(g: GraphBuilder, layer: PlacedLayer, block: Float32Array, x: string, cell: RecurrentCell): string {
  const { inputs, index } = layer;
  const units = layer.outputs;
  const gates = ONNX_GATES[cell];
  const width = gates.length * units;
  const offset = recurrentOffsetOf(layer as unknown as PlacedLayer<RecurrentSpec>);
  // [1, G·units, n] from a block stored nᵀ row by row (k·width + m), gates reordered.
  const matrix = (at: number, n: number) => {
    const out = new Float32Array(width * n);
    gates.forEach((pg, q) => {
      for (let j = 0; j < units; j++) for (let k = 0; k < n; k++) out[(q * units + j) * n + k] = block[at + k * width + pg * units + j];
    });
    return out;
  };
  const biases = new Float32Array(2 * width);
  gates.forEach((pg, q) => {
    for (let j = 0; j < units; j++) {
      biases[q * units + j] = block[inputs * width + pg * units + j];
      biases[width + q * units + j] = block[offset + units * width + pg * units + j];
    }
  });
  const w = g.floats(`layer${index}_W`, matrix(0, inputs), [1, width, inputs]);
  const r = g.floats(`layer${index}_R`, matrix(offset, units), [1, width, units]);
  const b = g.floats(`layer${index}_B`, biases, [1, 2 * width]);
  const sequence = g.op('Unsqueeze', [x, g.ints('axes', [0])]);
  const y = g.op(cell === 'lstm' ? 'LSTM' : 'GRU', [sequence, w, r, b], { hidden_size: units, ...(cell === 'gru' ? { linear_before_reset: 1 } : {}) });
  return g.op('Reshape', [y, g.ints('shape', [-1, units])]);
}
