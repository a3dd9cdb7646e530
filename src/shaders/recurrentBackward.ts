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
import { RECURRENT_WORKGROUP, type RecurrentCell, RecurrentShape, type RecurrentSizes, checkLanes, laneElement, laneWgsl, sequenceWorkgroups, type SequencesPerWorkgroup } from './recurrent.wgsl.js';

export interface RecurrentBackwardVariant {
  readonly cell: RecurrentCell;
  /** Units per invocation: 4 reads every buffer as vec4s (units % 4 == 0); default 1. */
  readonly lane?: 1 | 4;
  /** Sequences per workgroup (1, 2 or 4), sharing each weight load; default 1. */
  readonly sequences?: SequencesPerWorkgroup;
  /**
   * Stateful windows (LSTM): step 0 started from a carried c_{−1}, and the forward walk left c_{−1}·f·(1 − f) in
   * step 0's f slot (see recurrentForward.ts). The GRU's walk reads h_{−1} from `previous` either way.
   */
  readonly carried?: boolean;
}

// Indices are in floats; `at(i)` turns one into the buffers' element index.
const lstmStep = (carried: boolean) => `
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
      gates[at(g0 + h)] = dc * ${carried ? 'select(f, cPrevious * f * (1.0 - f), t > 0u)' : 'cPrevious * f * (1.0 - f)'};
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

const range = (n: number) => Array.from({ length: n }, (_, s) => s);

// dh_t from step t + 1's gate gradients for each of the workgroup's sequences: Σ_m W_hhᵀ[unit, m]·dPre[m] for the
// lane's units, reading the block's row of each unit along m (as vec4s in vector lanes) once for all sequences.
// `next{s}` is sequence s's row t + 1, in floats; the sums land in `sum{s}`.
function recurrentSums(lane: 1 | 4, source: string, sequences: number): string {
  if (lane === 1) {
    return `
      for (var m = 0u; m < w; m++) {
        let wv = recurrent[j * w + m];
${range(sequences).map((s) => `        sum${s} += wv * ${source}[next${s} + m];`).join('\n')}
      }`;
  }
  return `
      for (var m = 0u; m < w; m += 4u) {
        let w0 = recurrent[(j * w + m) / 4u];
        let w1 = recurrent[((j + 1u) * w + m) / 4u];
        let w2 = recurrent[((j + 2u) * w + m) / 4u];
        let w3 = recurrent[((j + 3u) * w + m) / 4u];
${range(sequences)
  .map((s) => `        let d${s} = ${source}[(next${s} + m) / 4u];
        sum${s} += T(dot(w0, d${s}), dot(w1, d${s}), dot(w2, d${s}), dot(w3, d${s}));`)
  .join('\n')}
      }`;
}

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
  source: ({ cell, lane = 1, sequences = 1, carried = false }) => `${laneWgsl(lane)}
fn at(i: u32) -> u32 { return i / L; }

@compute @workgroup_size(${RECURRENT_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let b0 = wid.x * ${sequences}u;
  let h = shape.units;
  let w = ${cell === 'lstm' ? 4 : 3}u * h;
  for (var s = 0u; s < shape.count; s++) {
    let t = shape.first - s;
    for (var j = lid.x * L; j < h; j += ${RECURRENT_WORKGROUP}u * L) {
${range(sequences).map((q) => `      let next${q} = ((t + 1u) * shape.batch + min(b0 + ${q}u, shape.batch - 1u)) * w;`).join('\n')}
${range(sequences).map((q) => `      var sum${q} = T(0.0);`).join('\n')}
      if (t + 1u < shape.steps) {${recurrentSums(lane, cell === 'lstm' ? 'gates' : 'recurrentGates', sequences).replace(/\n/g, '\n  ')}
      }
${range(sequences)
  .map(
    (q) => `      if (b0 + ${q}u < shape.batch) {
        let row = t * shape.batch + b0 + ${q}u;
        var dh = outputGrad[at(row * h + j)];
        if (t + 1u < shape.steps) { dh += sum${q}${cell === 'gru' ? ' + cells[at((row + shape.batch) * h + j)]' : ''}; }${(cell === 'lstm' ? lstmStep(carried) : gruStep).replace(/\n/g, '\n  ')}
      }`,
  )
  .join('\n')}
    }
    // Step t's gradients, written by every invocation, are read by all at step t − 1.
    storageBarrier();
  }
}
`,
  plan: (sizes, v) => {
    checkLanes('recurrentBackward', sizes.units, v.lane ?? 1, v.sequences ?? 1);
    return { uniforms: { ...sizes }, workgroups: sequenceWorkgroups(sizes.batch, v.sequences ?? 1) };
  },
});
