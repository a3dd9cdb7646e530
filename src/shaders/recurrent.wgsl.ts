// What the recurrent kernels share (src/shaders/recurrentForward.ts, recurrentBackward.ts): their uniform struct,
// the gate nonlinearities, and the limit on units that workgroup memory sets.
//
// Layout: rows are time-major (row t·batch + b is step t of sequence b). One workgroup owns one sequence and
// walks its steps in order, its invocations sharing the units; `first` and `count` say which steps a dispatch
// walks, so the same kernel runs the whole sequence in one dispatch (a barrier between steps) or one step per
// dispatch (the dispatch boundary between steps). The input part of every gate, x·W_ihᵀ + b_ih, comes from one
// dense product over all rows before the walk, as it does not depend on the state.
import { defineUniformStruct, type UniformValues } from '../runtime/uniforms.js';
import type { RecurrentCell } from '../mdn/reference/recurrent.js';

export type { RecurrentCell };

/** Most units a recurrent layer may have: the forward walk keeps the previous state in workgroup memory (4 KiB). */
export const MAX_RECURRENT_UNITS = 1024;

/** Invocations per workgroup (one workgroup per sequence; units are shared out among them). */
export const RECURRENT_WORKGROUP = 64;

export const RecurrentShape = defineUniformStruct('RecurrentShape', { batch: 'u32', units: 'u32', steps: 'u32', first: 'u32', count: 'u32' });
export type RecurrentSizes = UniformValues<typeof RecurrentShape>;

/** The gates per unit of a cell: LSTM i, f, g, o; GRU r, z, n (PyTorch's order). */
export const gateCount = (cell: RecurrentCell): number => (cell === 'lstm' ? 4 : 3);

export const GATE_FUNCTIONS = `
fn sigmoid(x: f32) -> f32 { return 1.0 / (1.0 + exp(-x)); }
// tanh(15) rounds to 1 in f32; the clamp keeps platforms that expand tanh through exp() from giving Inf/Inf.
fn tanhClamped(x: f32) -> f32 { return tanh(clamp(x, -15.0, 15.0)); }
`;

/** One workgroup per sequence. */
export const sequenceWorkgroups = (batch: number) => [batch, 1, 1] as const;
