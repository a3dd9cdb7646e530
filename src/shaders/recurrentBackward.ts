// The recurrent walk of an LSTM or GRU layer's backward pass, back through time (see recurrent.wgsl.ts). From
// dL/dh_t (`outputGrad`) and what the forward walk kept, it leaves in `gates` the gradient at each gate's
// pre-activation for the input product (dense weight and input gradients follow over all rows), and for the GRU
// in `recurrentGates` the one for the recurrent product (r scales the n gate's recurrent part; for the LSTM both
// are `gates`). What flows on to step t − 1 is read from step t's results: dh_{t−1} = dPre_t·W_hh (+ z_t·dh_t for
// the GRU), and the LSTM's dc_t·f_t; both are left in `cells` at row t once step t has read its own cell values.
// So a dispatch may start at any step: the walk needs no state beyond the buffers.
// Float64 reference: src/mdn/reference/recurrent.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { RECURRENT_WORKGROUP, type RecurrentCell, RecurrentShape, type RecurrentSizes, laneElement, laneWgsl, sequenceWorkgroups } from './recurrent.wgsl.js';

export interface RecurrentBackwardVariant {
  readonly cell: RecurrentCell;
  /** Units per invocation: 4 reads every buffer as vec4s (units % 4 == 0); default 1. */
  readonly lane?: 1 | 4;
}

// Indices are in floats; `at(i)` turns one into the buffers' element index.
const lstmStep = `
      let g0 = row * w + j;
      let i = gates[at(g0)];
      let f = gates[at(g0 + h)];
      let g = gates[at(g0 + 2u * h)];
      let o = gates[at(g0 + 3u * h)];
      let tc = tanhClamped(cells[at(row * h + j)]);
      var dc = dh * o * (1.0 - tc * tc);
      if (t + 1u < shape.steps) { dc += cells[at((row + shape.batch) * h + j)]; }
      var cPrevious = T(0.0);
      if (t > 0u) { cPrevious = cells[at((row - shape.batch) * h + j)]; }
      gates[at(g0)] = dc * g * i * (1.0 - i);
      gates[at(g0 + h)] = dc * cPrevious * f * (1.0 - f);
      gates[at(g0 + 2u * h)] = dc * i * (1.0 - g * g);
      gates[at(g0 + 3u * h)] = dh * tc * o * (1.0 - o);
      cells[at(row * h + j)] = dc * f;`;

const gruStep = `
      let g0 = row * w + j;
      let r = gates[at(g0)];
      let z = gates[at(g0 + h)];
      let n = gates[at(g0 + 2u * h)];
      let dnPre = dh * (1.0 - z) * (1.0 - n * n);
      let dzPre = dh * (previous[at(row * h + j)] - n) * z * (1.0 - z);
      let drPre = dnPre * cells[at(row * h + j)] * r * (1.0 - r);
      gates[at(g0)] = drPre;
      gates[at(g0 + h)] = dzPre;
      gates[at(g0 + 2u * h)] = dnPre;
      recurrentGates[at(g0)] = drPre;
      recurrentGates[at(g0 + h)] = dzPre;
      recurrentGates[at(g0 + 2u * h)] = dnPre * r;
      cells[at(row * h + j)] = dh * z;`;

// dh_{t} from step t + 1's gate gradients (row `next`, in floats): Σ_m W_hhᵀ[unit, m]·dPre[m] for the lane's units,
// reading the block's row of each unit along m (as vec4s in vector lanes).
const recurrentSum = (lane: 1 | 4, source: string) =>
  lane === 4
    ? `fn recurrentSum(j: u32, next: u32, w: u32) -> T {
  var sum = T(0.0);
  for (var m = 0u; m < w; m += 4u) {
    let d = ${source}[(next + m) / 4u];
    sum += T(dot(recurrent[(j * w + m) / 4u], d), dot(recurrent[((j + 1u) * w + m) / 4u], d), dot(recurrent[((j + 2u) * w + m) / 4u], d), dot(recurrent[((j + 3u) * w + m) / 4u], d));
  }
  return sum;
}`
    : `fn recurrentSum(j: u32, next: u32, w: u32) -> T {
  var sum = 0.0;
  for (var m = 0u; m < w; m++) { sum += recurrent[j * w + m] * ${source}[next + m]; }
  return sum;
}`;

export const recurrentBackward = defineKernel<RecurrentBackwardVariant, RecurrentSizes>()({
  name: 'recurrentBackward',
  bindings: ({ cell, lane = 1 }) => {
    const e = laneElement(lane);
    return [
      readWrite('gates', e),
      readOnly('recurrent', e),
      readWrite('cells', e),
      readOnly('outputGrad', e),
      ...(cell === 'gru' ? [optional(readOnly('previous', e)), optional(readWrite('recurrentGates', e))] : []),
      uniform('shape', RecurrentShape),
    ];
  },
  // `first` is the latest step of the dispatch; it walks `count` steps down from there.
  source: ({ cell, lane = 1 }) => `${laneWgsl(lane)}
fn at(i: u32) -> u32 { return i / L; }
${recurrentSum(lane, cell === 'lstm' ? 'gates' : 'recurrentGates')}

@compute @workgroup_size(${RECURRENT_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.x;
  let h = shape.units;
  let w = ${cell === 'lstm' ? 4 : 3}u * h;
  for (var s = 0u; s < shape.count; s++) {
    let t = shape.first - s;
    let row = t * shape.batch + b;
    for (var j = lid.x * L; j < h; j += ${RECURRENT_WORKGROUP}u * L) {
      var dh = outputGrad[at(row * h + j)];
      if (t + 1u < shape.steps) {
        dh += recurrentSum(j, (row + shape.batch) * w, w)${cell === 'gru' ? ' + cells[at((row + shape.batch) * h + j)]' : ''};
      }${cell === 'lstm' ? lstmStep : gruStep}
    }
    // Step t's gradients, written by every invocation, are read by all at step t − 1.
    storageBarrier();
  }
}
`,
  plan: (sizes, v) => {
    if ((v.lane ?? 1) === 4 && sizes.units % 4 !== 0) throw new Error(`recurrentBackward: vec4 lanes need units divisible by 4, got ${sizes.units}`);
    return { uniforms: { ...sizes }, workgroups: sequenceWorkgroups(sizes.batch) };
  },
});
