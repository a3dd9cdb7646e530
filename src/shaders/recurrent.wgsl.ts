// What the recurrent kernels share (src/shaders/recurrentForward.ts, recurrentBackward.ts): their uniform struct,
// the gate nonlinearities, the limit on units that workgroup memory sets, and the lane type.
//
// Layout: rows are time-major (row t·batch + b is step t of sequence b). One workgroup owns one sequence and
// walks its steps in order, its invocations sharing the units; `first` and `count` say which steps a dispatch
// walks, so the same kernel runs the whole sequence in one dispatch (a barrier between steps) or one step per
// dispatch (the dispatch boundary between steps). The input part of every gate, x·W_ihᵀ + b_ih, comes from one
// dense product over all rows before the walk, as it does not depend on the state.
//
// Vector kernels (units % 4 == 0): each invocation owns four consecutive units and reads every buffer as vec4s,
// a quarter of the load instructions per multiply-add: loads are most of a walk's time on lavapipe
// (bench/results/recurrent-variants-*.txt).
import { defineUniformStruct, type UniformValues } from '../runtime/uniforms.js';
import type { StorageElement } from '../runtime/bindings.js';
import type { RecurrentCell } from '../mdn/reference/recurrent.js';

export type { RecurrentCell };

/** Most units a recurrent layer may have: the forward walk keeps the state in workgroup memory (twice 4 KiB). */
export const MAX_RECURRENT_UNITS = 1024;

/** Floats of the forward walk's workgroup state: two copies of sequences × units ≤ 2048 (16 KiB, every adapter's minimum). */
export const RECURRENT_STATE_FLOATS = 4096;

/** Invocations per workgroup (one workgroup per sequence; units are shared out among them). */
export const RECURRENT_WORKGROUP = 64;

export const RecurrentShape = defineUniformStruct('RecurrentShape', { batch: 'u32', units: 'u32', steps: 'u32', first: 'u32', count: 'u32' });
export type RecurrentSizes = UniformValues<typeof RecurrentShape>;

/** The gates per unit of a cell: LSTM i, f, g, o; GRU r, z, n (PyTorch's order). */
export const gateCount = (cell: RecurrentCell): number => (cell === 'lstm' ? 4 : 3);

/** Units per invocation: 4 (vec4 lanes) where the units divide by 4, else 1. */
export const laneUnits = (units: number): 1 | 4 => (units % 4 === 0 ? 4 : 1);

/** The storage element of a kernel's buffers for lanes of `lane` units. */
export const laneElement = (lane: 1 | 4): StorageElement => (lane === 4 ? 'vec4<f32>' : 'f32');

/** `alias T` (a lane's values: f32 or vec4<f32>), `L` (units per lane), and the gate functions on T. */
export const laneWgsl = (lane: 1 | 4): string => `
alias T = ${lane === 4 ? 'vec4<f32>' : 'f32'};
const L = ${lane}u;
fn sigmoid(x: T) -> T { return 1.0 / (1.0 + exp(-x)); }
// tanh(15) rounds to 1 in f32; the clamp keeps platforms that expand tanh through exp() from giving Inf/Inf.
fn tanhClamped(x: T) -> T { return tanh(clamp(x, T(-15.0), T(15.0))); }
`;

/** One workgroup per `sequences` sequences. */
export const sequenceWorkgroups = (batch: number, sequences = 1) => [Math.ceil(batch / sequences), 1, 1] as const;

/** Sequences one workgroup walks side by side. */
export type SequencesPerWorkgroup = 1 | 2 | 4 | 8;

/** Most sequences (up to `most`) a workgroup may walk side by side with this many units: its state must fit workgroup memory. */
export const maxSequencesPerWorkgroup = (units: number, most: 4 | 8 = 4): SequencesPerWorkgroup =>
  ([8, 4, 2] as const).find((s) => s <= most && s * units <= RECURRENT_STATE_FLOATS / 2) ?? 1;

/** Throws where a variant cannot run these units. */
export function checkLanes(kernel: string, units: number, lane: 1 | 4, sequences: SequencesPerWorkgroup): void {
  if (lane === 4 && units % 4 !== 0) throw new Error(`${kernel}: vec4 lanes need units divisible by 4, got ${units}`);
  if (sequences * units > RECURRENT_STATE_FLOATS / 2) throw new Error(`${kernel}: ${sequences} sequences of ${units} units do not fit one workgroup's state`);
}
