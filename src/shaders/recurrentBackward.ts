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
import { GATE_FUNCTIONS, RECURRENT_WORKGROUP, type RecurrentCell, RecurrentShape, type RecurrentSizes, sequenceWorkgroups } from './recurrent.wgsl.js';

export interface RecurrentBackwardVariant {
  readonly cell: RecurrentCell;
}

const lstmStep = `
      let g0 = row * w + j;
      let i = gates[g0];
      let f = gates[g0 + h];
      let g = gates[g0 + 2u * h];
      let o = gates[g0 + 3u * h];
      let tc = tanhClamped(cells[row * h + j]);
      var dc = dh * o * (1.0 - tc * tc);
      if (t + 1u < shape.steps) { dc += cells[(row + shape.batch) * h + j]; }
      var cPrevious = 0.0;
      if (t > 0u) { cPrevious = cells[(row - shape.batch) * h + j]; }
      gates[g0] = dc * g * i * (1.0 - i);
      gates[g0 + h] = dc * cPrevious * f * (1.0 - f);
      gates[g0 + 2u * h] = dc * i * (1.0 - g * g);
      gates[g0 + 3u * h] = dh * tc * o * (1.0 - o);
      cells[row * h + j] = dc * f;`;

const gruStep = `
      let g0 = row * w + j;
      let r = gates[g0];
      let z = gates[g0 + h];
      let n = gates[g0 + 2u * h];
      let dnPre = dh * (1.0 - z) * (1.0 - n * n);
      let dzPre = dh * (previous[row * h + j] - n) * z * (1.0 - z);
      let drPre = dnPre * cells[row * h + j] * r * (1.0 - r);
      gates[g0] = drPre;
      gates[g0 + h] = dzPre;
      gates[g0 + 2u * h] = dnPre;
      recurrentGates[g0] = drPre;
      recurrentGates[g0 + h] = dzPre;
      recurrentGates[g0 + 2u * h] = dnPre * r;
      cells[row * h + j] = dh * z;`;

export const recurrentBackward = defineKernel<RecurrentBackwardVariant, RecurrentSizes>()({
  name: 'recurrentBackward',
  bindings: ({ cell }) => [
    readWrite('gates'),
    readOnly('recurrent'),
    readWrite('cells'),
    readOnly('outputGrad'),
    ...(cell === 'gru' ? [optional(readOnly('previous')), optional(readWrite('recurrentGates'))] : []),
    uniform('shape', RecurrentShape),
  ],
  // `first` is the latest step of the dispatch; it walks `count` steps down from there.
  source: ({ cell }) => `${GATE_FUNCTIONS}
@compute @workgroup_size(${RECURRENT_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let b = wid.x;
  let h = shape.units;
  let w = ${cell === 'lstm' ? 4 : 3}u * h;
  for (var s = 0u; s < shape.count; s++) {
    let t = shape.first - s;
    let row = t * shape.batch + b;
    for (var j = lid.x; j < h; j += ${RECURRENT_WORKGROUP}u) {
      var dh = outputGrad[row * h + j];
      if (t + 1u < shape.steps) {
        let next = (row + shape.batch) * w;
        var sum = 0.0;
        for (var m = 0u; m < w; m++) { sum += recurrent[j * w + m] * ${cell === 'lstm' ? 'gates' : 'recurrentGates'}[next + m]; }
        dh += sum${cell === 'gru' ? ' + cells[(row + shape.batch) * h + j]' : ''};
      }${cell === 'lstm' ? lstmStep : gruStep}
    }
    // Step t's gradients, written by every invocation, are read by all at step t − 1.
    storageBarrier();
  }
}
`,
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: sequenceWorkgroups(sizes.batch) }),
});
