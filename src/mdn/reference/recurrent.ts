// Float64 reference of the recurrent layers (LSTM and GRU cells, PyTorch's equations and gate order) and of
// back-propagation through time. Rows are time-major, row t·batch + b holding step t of sequence b, as on the
// GPU; every sequence starts from a zero state, or from a given one (stateful windows: the state a sequence's
// previous window left, held constant, so no gradient flows into it). Parameters: the input block
// (inputs + 1) x G·units (W_ihᵀ row by row, then b_ih) at 0, and the recurrent block (units + 1) x G·units
// (W_hhᵀ, then b_hh) at `recurrentOffset`.
import type { Activation } from '../../shaders/activation.wgsl.js';
import { activationGradFromOutput } from './activations.js';
import { gateCount } from '../../shaders/recurrent.wgsl.js';

export type RecurrentCell = 'lstm' | 'gru';


export interface RecurrentShape {
  readonly cell: RecurrentCell;
  readonly steps: number;
  readonly batch: number;
  readonly inputs: number;
  readonly units: number;
  /** Where the recurrent block starts in the parameters. */
  readonly recurrentOffset: number;
}

/** A state per sequence, batch × units each: h_{−1}, and for the LSTM c_{−1} (absent: zero). */
export interface RecurrentState {
  readonly h: ArrayLike<number>;
  readonly c?: ArrayLike<number>;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** h_{t−1} of sequence b, unit k, for the row `previous` before it: that row's output, or the initial state at t = 0 (previous < 0). */
const stateBefore = (output: Float64Array, units: number, initial: RecurrentState | undefined) => (previous: number, b: number, k: number) =>
  previous >= 0 ? output[previous * units + k] : (initial?.h[b * units + k] ?? 0);

/** One step's values per (sequence, unit), kept for the backward pass. */
interface Trace {
  /** Activated gates per row, G·units. */
  readonly gates: Float64Array;
  /** LSTM: the cell state c; GRU: W_hn·h + b_hn (the part r multiplies). */
  readonly cells: Float64Array;
  readonly output: Float64Array;
}

function run(x: ArrayLike<number>, params: ArrayLike<number>, shape: RecurrentShape, initial?: RecurrentState): Trace {
  const { cell, steps, batch, inputs, units: h, recurrentOffset: ro } = shape;
  const width = gateCount(cell) * h;
  const rows = steps * batch;
  const gates = new Float64Array(rows * width);
  const cells = new Float64Array(rows * h);
  const output = new Float64Array(rows * h);
  const pre = new Float64Array(width);
  const rec = new Float64Array(width);
  const hBefore = stateBefore(output, h, initial);
  for (let t = 0; t < steps; t++) {
    for (let b = 0; b < batch; b++) {
      const row = t * batch + b;
      const previous = t === 0 ? -1 : row - batch;
      for (let m = 0; m < width; m++) {
        let sx = params[inputs * width + m];
        for (let i = 0; i < inputs; i++) sx += x[row * inputs + i] * params[i * width + m];
        let sh = params[ro + h * width + m];
        for (let k = 0; k < h; k++) sh += hBefore(previous, b, k) * params[ro + k * width + m];
        pre[m] = sx;
        rec[m] = sh;
      }
      for (let j = 0; j < h; j++) {
        const hPrev = hBefore(previous, b, j);
        const g = row * width;
        if (cell === 'lstm') {
          const ig = sigmoid(pre[j] + rec[j]);
          const fg = sigmoid(pre[h + j] + rec[h + j]);
          const gg = Math.tanh(pre[2 * h + j] + rec[2 * h + j]);
          const og = sigmoid(pre[3 * h + j] + rec[3 * h + j]);
          const c = fg * (previous >= 0 ? cells[previous * h + j] : (initial?.c?.[b * h + j] ?? 0)) + ig * gg;
          gates[g + j] = ig;
          gates[g + h + j] = fg;
          gates[g + 2 * h + j] = gg;
          gates[g + 3 * h + j] = og;
          cells[row * h + j] = c;
          output[row * h + j] = og * Math.tanh(c);
        } else {
          const r = sigmoid(pre[j] + rec[j]);
          const z = sigmoid(pre[h + j] + rec[h + j]);
          const n = Math.tanh(pre[2 * h + j] + r * rec[2 * h + j]);
          gates[g + j] = r;
          gates[g + h + j] = z;
          gates[g + 2 * h + j] = n;
          cells[row * h + j] = rec[2 * h + j];
          output[row * h + j] = (1 - z) * n + z * hPrev;
        }
      }
    }
  }
  return { gates, cells, output };
}

/** Every step's output h, rows × units. */
export const recurrentForward = (x: ArrayLike<number>, params: ArrayLike<number>, shape: RecurrentShape, initial?: RecurrentState): Float64Array =>
  run(x, params, shape, initial).output;

/** The state after the last step of each sequence (what a stateful window carries to the next). */
export function recurrentFinalState(x: ArrayLike<number>, params: ArrayLike<number>, shape: RecurrentShape, initial?: RecurrentState): { h: Float64Array; c: Float64Array | undefined } {
  const { output, cells } = run(x, params, shape, initial);
  const last = (shape.steps - 1) * shape.batch * shape.units;
  return { h: output.slice(last), c: shape.cell === 'lstm' ? cells.slice(last) : undefined };
}

/**
 * Back-propagation through time from dL/dh at every step (`outputGrad`, rows × units): the parameter gradient
 * (laid out like the parameters, padding zero) and dL/dx, multiplied by `inputActivation`'s derivative at x.
 */
export function recurrentBackward(
  x: ArrayLike<number>,
  params: ArrayLike<number>,
  outputGrad: ArrayLike<number>,
  shape: RecurrentShape,
  parameterCount: number,
  inputActivation: Activation = 'identity',
  initial?: RecurrentState,
): { paramGrad: Float64Array; inputGrad: Float64Array } {
  const { cell, steps, batch, inputs, units: h, recurrentOffset: ro } = shape;
  const width = gateCount(cell) * h;
  const { gates, cells, output } = run(x, params, shape, initial);
  const hBefore = stateBefore(output, h, initial);
  const paramGrad = new Float64Array(parameterCount);
  const inputGrad = new Float64Array(steps * batch * inputs);
  // Gradients flowing back into step t − 1 from step t, per sequence: dh (all cells) and dc (LSTM).
  const dhCarry = new Float64Array(batch * h);
  const dcCarry = new Float64Array(batch * h);
  const dPreX = new Float64Array(width);
  const dPreH = new Float64Array(width);
  for (let t = steps - 1; t >= 0; t--) {
    for (let b = 0; b < batch; b++) {
      const row = t * batch + b;
      const previous = t === 0 ? -1 : row - batch;
      const g = row * width;
      const nextDh = new Float64Array(h);
      for (let j = 0; j < h; j++) {
        const dh = outputGrad[row * h + j] + dhCarry[b * h + j];
        const hPrev = hBefore(previous, b, j);
        if (cell === 'lstm') {
          const [ig, fg, gg, og] = [gates[g + j], gates[g + h + j], gates[g + 2 * h + j], gates[g + 3 * h + j]];
          const tc = Math.tanh(cells[row * h + j]);
          const dc = dcCarry[b * h + j] + dh * og * (1 - tc * tc);
          const cPrev = previous >= 0 ? cells[previous * h + j] : (initial?.c?.[b * h + j] ?? 0);
          dPreX[j] = dc * gg * ig * (1 - ig);
          dPreX[h + j] = dc * cPrev * fg * (1 - fg);
          dPreX[2 * h + j] = dc * ig * (1 - gg * gg);
          dPreX[3 * h + j] = dh * tc * og * (1 - og);
          dcCarry[b * h + j] = dc * fg;
          for (let q = 0; q < 4; q++) dPreH[q * h + j] = dPreX[q * h + j];
        } else {
          const [r, z, n] = [gates[g + j], gates[g + h + j], gates[g + 2 * h + j]];
          const dnPre = dh * (1 - z) * (1 - n * n);
          const dzPre = dh * (hPrev - n) * z * (1 - z);
          const drPre = dnPre * cells[row * h + j] * r * (1 - r);
          dPreX[j] = drPre;
          dPreX[h + j] = dzPre;
          dPreX[2 * h + j] = dnPre;
          dPreH[j] = drPre;
          dPreH[h + j] = dzPre;
          dPreH[2 * h + j] = dnPre * r;
          nextDh[j] = dh * z;
        }
      }
      for (let m = 0; m < width; m++) {
        paramGrad[inputs * width + m] += dPreX[m];
        for (let i = 0; i < inputs; i++) paramGrad[i * width + m] += x[row * inputs + i] * dPreX[m];
        paramGrad[ro + h * width + m] += dPreH[m];
        for (let k = 0; k < h; k++) paramGrad[ro + k * width + m] += hBefore(previous, b, k) * dPreH[m];
      }
      for (let i = 0; i < inputs; i++) {
        let s = 0;
        for (let m = 0; m < width; m++) s += dPreX[m] * params[i * width + m];
        inputGrad[row * inputs + i] = s * activationGradFromOutput(inputActivation, x[row * inputs + i]);
      }
      for (let k = 0; k < h; k++) {
        let s = nextDh[k];
        for (let m = 0; m < width; m++) s += dPreH[m] * params[ro + k * width + m];
        dhCarry[b * h + k] = s;
      }
    }
  }
  return { paramGrad, inputGrad };
}
