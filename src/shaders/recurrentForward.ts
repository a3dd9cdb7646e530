// The recurrent walk of an LSTM or GRU layer's forward pass (see recurrent.wgsl.ts for the layout). On entry
// `gates` holds each row's input part x·W_ihᵀ + b_ih; the walk adds h_{t−1}·W_hhᵀ + b_hh (`recurrent`, the
// (units + 1) x G·units block) and writes h_t to `output`. Kept for the backward pass: the activated gates (in
// place), `cells` (LSTM: c_t; GRU: h_{t−1}·W_hnᵀ + b_hn, what r multiplies) and, in training, h_{t−1} itself
// (`previous`, which the recurrent weight gradient reads as its input).
// Float64 reference: src/mdn/reference/recurrent.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { GATE_FUNCTIONS, MAX_RECURRENT_UNITS, RECURRENT_WORKGROUP, type RecurrentCell, RecurrentShape, type RecurrentSizes, sequenceWorkgroups } from './recurrent.wgsl.js';

export interface RecurrentForwardVariant {
  readonly cell: RecurrentCell;
  /** Training: keep the activated gates and h_{t−1} for the backward pass. */
  readonly save: boolean;
  /**
   * One step that continues the previous dispatch's (generation, one step at a time): the state starts from what
   * `output` and `cells` hold, not from zero. Only with one step per call (rows = sequences).
   */
  readonly continued?: boolean;
}

const lstmStep = (save: boolean, continued: boolean) => `
      var ai = recurrent[hw + j];
      var af = recurrent[hw + h + j];
      var ag = recurrent[hw + 2u * h + j];
      var ao = recurrent[hw + 3u * h + j];
      for (var k = 0u; k < h; k++) {
        let hk = state[k];
        let at = k * w + j;
        ai += hk * recurrent[at];
        af += hk * recurrent[at + h];
        ag += hk * recurrent[at + 2u * h];
        ao += hk * recurrent[at + 3u * h];
      }
      let g0 = row * w + j;
      let i = sigmoid(gates[g0] + ai);
      let f = sigmoid(gates[g0 + h] + af);
      let g = tanhClamped(gates[g0 + 2u * h] + ag);
      let o = sigmoid(gates[g0 + 3u * h] + ao);
      var cPrevious = 0.0;
      if (t > 0u) { cPrevious = cells[(row - shape.batch) * h + j]; }${continued ? `
      else { cPrevious = cells[row * h + j]; }` : ''}
      let c = f * cPrevious + i * g;
      cells[row * h + j] = c;
      output[row * h + j] = o * tanhClamped(c);${save ? `
      gates[g0] = i;
      gates[g0 + h] = f;
      gates[g0 + 2u * h] = g;
      gates[g0 + 3u * h] = o;
      previous[row * h + j] = state[j];` : ''}`;

const gruStep = (save: boolean) => `
      var ar = recurrent[hw + j];
      var az = recurrent[hw + h + j];
      var an = recurrent[hw + 2u * h + j];
      for (var k = 0u; k < h; k++) {
        let hk = state[k];
        let at = k * w + j;
        ar += hk * recurrent[at];
        az += hk * recurrent[at + h];
        an += hk * recurrent[at + 2u * h];
      }
      let g0 = row * w + j;
      let r = sigmoid(gates[g0] + ar);
      let z = sigmoid(gates[g0 + h] + az);
      let n = tanhClamped(gates[g0 + 2u * h] + r * an);
      cells[row * h + j] = an;
      output[row * h + j] = (1.0 - z) * n + z * state[j];${save ? `
      gates[g0] = r;
      gates[g0 + h] = z;
      gates[g0 + 2u * h] = n;
      previous[row * h + j] = state[j];` : ''}`;

export const recurrentForward = defineKernel<RecurrentForwardVariant, RecurrentSizes>()({
  name: 'recurrentForward',
  bindings: ({ save }) => [readWrite('gates'), readOnly('recurrent'), readWrite('cells'), readWrite('output'), ...(save ? [optional(readWrite('previous'))] : []), uniform('shape', RecurrentShape)],
  source: ({ cell, save, continued = false }) => `${GATE_FUNCTIONS}
// h_{t−1} of this workgroup's sequence, read by every invocation.
var<workgroup> state: array<f32, ${MAX_RECURRENT_UNITS}>;

@compute @workgroup_size(${RECURRENT_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.x;
  let h = shape.units;
  let w = ${cell === 'lstm' ? 4 : 3}u * h;
  let hw = h * w;
  for (var j = lid.x; j < h; j += ${RECURRENT_WORKGROUP}u) {
    var value = 0.0;
    if (shape.first > 0u) { value = output[((shape.first - 1u) * shape.batch + b) * h + j]; }${continued ? `
    else { value = output[b * h + j]; }` : ''}
    state[j] = value;
  }
  workgroupBarrier();
  for (var s = 0u; s < shape.count; s++) {
    let t = shape.first + s;
    let row = t * shape.batch + b;
    for (var j = lid.x; j < h; j += ${RECURRENT_WORKGROUP}u) {${cell === 'lstm' ? lstmStep(save, continued) : gruStep(save)}
    }
    // Every invocation has read h_{t−1} before any overwrites it with h_t (its own writes, read back in order).
    workgroupBarrier();
    for (var j = lid.x; j < h; j += ${RECURRENT_WORKGROUP}u) { state[j] = output[row * h + j]; }
    workgroupBarrier();
  }
}
`,
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: sequenceWorkgroups(sizes.batch) }),
});
