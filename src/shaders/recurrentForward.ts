// The recurrent walk of an LSTM or GRU layer's forward pass (see recurrent.wgsl.ts for the layout). On entry
// `gates` holds each row's input part x·W_ihᵀ + b_ih; the walk adds h_{t−1}·W_hhᵀ + b_hh (`recurrent`, the
// (units + 1) x G·units block) and writes h_t to `output`. Kept for the backward pass: the activated gates (in
// place), `cells` (LSTM: c_t; GRU: h_{t−1}·W_hnᵀ + b_hn, what r multiplies) and, in training, h_{t−1} itself
// (`previous`, which the recurrent weight gradient reads as its input). The state lives in workgroup memory,
// twice: step t reads one copy and writes the other, so one barrier per step separates them.
// Float64 reference: src/mdn/reference/recurrent.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { MAX_RECURRENT_UNITS, RECURRENT_WORKGROUP, type RecurrentCell, RecurrentShape, type RecurrentSizes, laneElement, laneWgsl, sequenceWorkgroups } from './recurrent.wgsl.js';

export interface RecurrentForwardVariant {
  readonly cell: RecurrentCell;
  /** Training: keep the activated gates and h_{t−1} for the backward pass. */
  readonly save: boolean;
  /**
   * One step that continues the previous dispatch's (generation, one step at a time): the state starts from what
   * `output` and `cells` hold, not from zero. Only with one step per call (rows = sequences).
   */
  readonly continued?: boolean;
  /** Units per invocation: 4 reads every buffer as vec4s (units % 4 == 0); default 1. */
  readonly lane?: 1 | 4;
}

// Indices below are in floats; `at(i)` turns one into the buffers' element index.
const lstmStep = (save: boolean, continued: boolean) => `
      var ai = recurrent[at(hw + j)];
      var af = recurrent[at(hw + h + j)];
      var ag = recurrent[at(hw + 2u * h + j)];
      var ao = recurrent[at(hw + 3u * h + j)];
      for (var k = 0u; k < h; k++) {
        let hk = state[read + k];
        let w0 = k * w + j;
        ai += hk * recurrent[at(w0)];
        af += hk * recurrent[at(w0 + h)];
        ag += hk * recurrent[at(w0 + 2u * h)];
        ao += hk * recurrent[at(w0 + 3u * h)];
      }
      let g0 = row * w + j;
      let i = sigmoid(gates[at(g0)] + ai);
      let f = sigmoid(gates[at(g0 + h)] + af);
      let g = tanhClamped(gates[at(g0 + 2u * h)] + ag);
      let o = sigmoid(gates[at(g0 + 3u * h)] + ao);
      var cPrevious = T(0.0);
      if (t > 0u) { cPrevious = cells[at((row - shape.batch) * h + j)]; }${continued ? `
      else { cPrevious = cells[at(row * h + j)]; }` : ''}
      let c = f * cPrevious + i * g;
      let hNew = o * tanhClamped(c);
      cells[at(row * h + j)] = c;
      output[at(row * h + j)] = hNew;${save ? `
      gates[at(g0)] = i;
      gates[at(g0 + h)] = f;
      gates[at(g0 + 2u * h)] = g;
      gates[at(g0 + 3u * h)] = o;
      previous[at(row * h + j)] = lane(read + j);` : ''}`;

const gruStep = (save: boolean) => `
      var ar = recurrent[at(hw + j)];
      var az = recurrent[at(hw + h + j)];
      var an = recurrent[at(hw + 2u * h + j)];
      for (var k = 0u; k < h; k++) {
        let hk = state[read + k];
        let w0 = k * w + j;
        ar += hk * recurrent[at(w0)];
        az += hk * recurrent[at(w0 + h)];
        an += hk * recurrent[at(w0 + 2u * h)];
      }
      let g0 = row * w + j;
      let r = sigmoid(gates[at(g0)] + ar);
      let z = sigmoid(gates[at(g0 + h)] + az);
      let n = tanhClamped(gates[at(g0 + 2u * h)] + r * an);
      let hNew = (1.0 - z) * n + z * lane(read + j);
      cells[at(row * h + j)] = an;
      output[at(row * h + j)] = hNew;${save ? `
      gates[at(g0)] = r;
      gates[at(g0 + h)] = z;
      gates[at(g0 + 2u * h)] = n;
      previous[at(row * h + j)] = lane(read + j);` : ''}`;

export const recurrentForward = defineKernel<RecurrentForwardVariant, RecurrentSizes>()({
  name: 'recurrentForward',
  bindings: ({ save, lane = 1 }) => {
    const e = laneElement(lane);
    return [readWrite('gates', e), readOnly('recurrent', e), readWrite('cells', e), readWrite('output', e), ...(save ? [optional(readWrite('previous', e))] : []), uniform('shape', RecurrentShape)];
  },
  source: ({ cell, save, continued = false, lane = 1 }) => `${laneWgsl(lane)}
// h_{t−1} of this workgroup's sequence, read by every invocation: two copies, read and written in turn.
var<workgroup> state: array<f32, ${2 * MAX_RECURRENT_UNITS}>;

fn at(i: u32) -> u32 { return i / L; }
// The lane's units of the state from float \`i\`.
fn lane(i: u32) -> T {
  return T(${lane === 4 ? 'state[i], state[i + 1u], state[i + 2u], state[i + 3u]' : 'state[i]'});
}

@compute @workgroup_size(${RECURRENT_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.x;
  let h = shape.units;
  let w = ${cell === 'lstm' ? 4 : 3}u * h;
  let hw = h * w;
  for (var j = lid.x; j < h; j += ${RECURRENT_WORKGROUP}u) {
    var value = 0.0;
    if (shape.first > 0u) { value = ${lane === 4 ? 'output[((shape.first - 1u) * shape.batch + b) * h / 4u + j / 4u][j % 4u]' : 'output[((shape.first - 1u) * shape.batch + b) * h + j]'}; }${continued ? `
    else { value = ${lane === 4 ? 'output[b * h / 4u + j / 4u][j % 4u]' : 'output[b * h + j]'}; }` : ''}
    state[j] = value;
  }
  workgroupBarrier();
  for (var s = 0u; s < shape.count; s++) {
    let t = shape.first + s;
    let row = t * shape.batch + b;
    let read = (s % 2u) * h;
    let write = h - read;
    for (var j = lid.x * L; j < h; j += ${RECURRENT_WORKGROUP}u * L) {${cell === 'lstm' ? lstmStep(save, continued) : gruStep(save)}
      ${lane === 4 ? 'for (var u = 0u; u < 4u; u++) { state[write + j + u] = hNew[u]; }' : 'state[write + j] = hNew;'}
    }
    // Step t + 1 reads the copy step t wrote, and writes the one step t read.
    workgroupBarrier();
  }
}
`,
  plan: (sizes, v) => {
    if ((v.lane ?? 1) === 4 && sizes.units % 4 !== 0) throw new Error(`recurrentForward: vec4 lanes need units divisible by 4, got ${sizes.units}`);
    return { uniforms: { ...sizes }, workgroups: sequenceWorkgroups(sizes.batch) };
  },
});
