// One step of an LSTM or GRU layer for every sequence, when both products are already made: `gates` holds each
// row's input part x·W_ihᵀ + b_ih and `recurrentPart` its recurrent part h_{t−1}·W_hhᵀ + b_hh (one dense product
// over all sequences, as a GPU multiplies matrices best); this applies the gates and writes c_t (LSTM; the GRU
// keeps nothing) and h_t to `output` (the GRU reads h_{t−1} from `previousOutput`). Generation runs its steps so,
// one call each, on GPUs (recurrentStep.ts fuses the products and this on the software adapters; recurrentForward
// walks steps inside one dispatch). One invocation per (sequence, unit).
// Float64 reference: src/mdn/reference/recurrent.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';
import { type RecurrentCell, laneWgsl } from './recurrent.wgsl.js';

const WORKGROUP = 64;

export const RecurrentCellShape = defineUniformStruct('RecurrentCellShape', { rows: 'u32', units: 'u32' });

export const recurrentCell = defineKernel<{ cell: RecurrentCell }, UniformValues<typeof RecurrentCellShape>>()({
  name: 'recurrentCell',
  bindings: ({ cell }) => [
    readOnly('gates'),
    readOnly('recurrentPart'),
    readWrite('cells'),
    readWrite('output'),
    ...(cell === 'gru' ? [optional(readOnly('previousOutput'))] : []),
    uniform('shape', RecurrentCellShape),
  ],
  source: ({ cell }) => `${laneWgsl(1)}
${elementwiseEntry(
  WORKGROUP,
  'shape.rows * shape.units',
  `  let h = shape.units;
  let row = i / h;
  let j = i % h;
  let w = ${cell === 'lstm' ? 4 : 3}u * h;
  let g0 = row * w + j;${
    cell === 'lstm'
      ? `
  let ig = sigmoid(gates[g0] + recurrentPart[g0]);
  let f = sigmoid(gates[g0 + h] + recurrentPart[g0 + h]);
  let g = tanhClamped(gates[g0 + 2u * h] + recurrentPart[g0 + 2u * h]);
  let o = sigmoid(gates[g0 + 3u * h] + recurrentPart[g0 + 3u * h]);
  let c = f * cells[i] + ig * g;
  cells[i] = c;
  output[i] = o * tanhClamped(c);`
      : `
  let r = sigmoid(gates[g0] + recurrentPart[g0]);
  let z = sigmoid(gates[g0 + h] + recurrentPart[g0 + h]);
  let n = tanhClamped(gates[g0 + 2u * h] + r * recurrentPart[g0 + 2u * h]);
  output[i] = (1.0 - z) * n + z * previousOutput[i];`
  }`,
)}`,
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.rows * sizes.units, WORKGROUP) }),
});
