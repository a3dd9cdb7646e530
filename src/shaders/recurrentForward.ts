// The recurrent walk of an LSTM or GRU layer's forward pass (see recurrent.wgsl.ts for the layout). On entry
// `gates` holds each row's input part x·W_ihᵀ + b_ih; the walk adds h_{t−1}·W_hhᵀ + b_hh (`recurrent`, the
// (units + 1) x G·units block) and writes h_t to `output`. Kept for the backward pass: the activated gates (in
// place), `cells` (LSTM: c_t; GRU: h_{t−1}·W_hnᵀ + b_hn, what r multiplies) and, in training, h_{t−1} itself
// (`previous`, which the recurrent weight gradient reads as its input). The state lives in workgroup memory,
// twice: step t reads one copy and writes the other, so one barrier per step separates them. A workgroup may walk
// several sequences side by side (`sequences`): each weight it loads then serves all of them.
// Stateful windows (`carried`): each sequence starts from the state in `carry` (h, then the LSTM's c, per
// sequence) where `keep` is 1 and from zero where it is 0 (a new sequence), and its last step leaves its state
// there for the next window. The backward walk needs c_{−1} in the forget gate's gradient, which `carry` no
// longer holds by then: step 0 keeps c_{−1}·f·(1 − f) in place of f, the only use step 0's f has backward.
// Float64 reference: src/mdn/reference/recurrent.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { RECURRENT_STATE_FLOATS, RECURRENT_WORKGROUP, type RecurrentCell, RecurrentShape, type RecurrentSizes, checkLanes, laneElement, laneWgsl, sequenceWorkgroups, type SequencesPerWorkgroup } from './recurrent.wgsl.js';

export interface RecurrentForwardVariant {
  readonly cell: RecurrentCell;
  /** Training: keep the activated gates and h_{t−1} for the backward pass. */
  readonly save: boolean;
  /**
   * One step that continues the previous dispatch's (generation, one step at a time): the state starts from what
   * `previousOutput` (h_{t−1}) and `cells` hold, not from zero. Only with one step per call (rows = sequences).
   */
  readonly continued?: boolean;
  /** Units per invocation: 4 reads every buffer as vec4s (units % 4 == 0); default 1. */
  readonly lane?: 1 | 4;
  /** Sequences per workgroup (1, 2 or 4; sequences × units ≤ 2048); default 1. */
  readonly sequences?: SequencesPerWorkgroup;
  /** Stateful windows: start from `carry` (where `keep`) and leave the last step's state there. Not with `continued`. */
  readonly carried?: boolean;
}

/** Floats of a sequence's carried state: h, and the LSTM's c. */
export const carriedStateFloats = (cell: RecurrentCell, units: number): number => (cell === 'lstm' ? 2 : 1) * units;

const range = (n: number) => Array.from({ length: n }, (_, s) => s);
const gateNames = (cell: RecurrentCell) => (cell === 'lstm' ? ['i', 'f', 'g', 'o'] : ['r', 'z', 'n']);

// One step of the lane's units for each of the workgroup's sequences: the recurrent sums share every weight load,
// then each sequence's gates. Indices are in floats; `at(i)` turns one into the buffers' element index.
function stepSource(cell: RecurrentCell, save: boolean, continued: boolean, carried: boolean, sequences: number): string {
  const gates = gateNames(cell);
  const sums = range(sequences).flatMap((s) => gates.map((g, q) => `      var a${g}${s} = recurrent[at(hw + ${q}u * h + j)];`));
  const loads = gates.map((g, q) => `        let w${g} = recurrent[at(w0 + ${q}u * h)];`);
  const adds = range(sequences).flatMap((s) => [`        let h${s} = state[read + ${s}u * h + k];`, ...gates.map((g) => `        a${g}${s} += h${s} * w${g};`)]);
  const apply = range(sequences).map((s) => {
    const a = (g: string) => `a${g}${s}`;
    const body =
      cell === 'lstm'
        ? `
        let i = sigmoid(gates[at(g0)] + ${a('i')});
        let f = sigmoid(gates[at(g0 + h)] + ${a('f')});
        let g = tanhClamped(gates[at(g0 + 2u * h)] + ${a('g')});
        let o = sigmoid(gates[at(g0 + 3u * h)] + ${a('o')});
        var cPrevious = T(0.0);
        if (t > 0u) { cPrevious = cells[at((row - shape.batch) * h + j)]; }${continued ? `
        else { cPrevious = cells[at(row * h + j)]; }` : ''}${carried ? `
        else if (keep[b0 + ${s}u] > 0.5) { cPrevious = carry[at((b0 + ${s}u) * 2u * h + h + j)]; }` : ''}
        let c = f * cPrevious + i * g;
        let hNew = o * tanhClamped(c);
        cells[at(row * h + j)] = c;
        output[at(row * h + j)] = hNew;${carried ? `
        if (t + 1u == shape.steps) {
          carry[at((b0 + ${s}u) * 2u * h + j)] = hNew;
          carry[at((b0 + ${s}u) * 2u * h + h + j)] = c;
        }` : ''}${save ? `
        gates[at(g0)] = i;
        gates[at(g0 + h)] = ${carried ? 'select(f, cPrevious * f * (1.0 - f), t == 0u)' : 'f'};
        gates[at(g0 + 2u * h)] = g;
        gates[at(g0 + 3u * h)] = o;
        previous[at(row * h + j)] = lane(read + ${s}u * h + j);` : ''}`
        : `
        let r = sigmoid(gates[at(g0)] + ${a('r')});
        let z = sigmoid(gates[at(g0 + h)] + ${a('z')});
        let n = tanhClamped(gates[at(g0 + 2u * h)] + r * ${a('n')});
        let hNew = (1.0 - z) * n + z * lane(read + ${s}u * h + j);
        cells[at(row * h + j)] = ${a('n')};
        output[at(row * h + j)] = hNew;${carried ? `
        if (t + 1u == shape.steps) { carry[at((b0 + ${s}u) * h + j)] = hNew; }` : ''}${save ? `
        gates[at(g0)] = r;
        gates[at(g0 + h)] = z;
        gates[at(g0 + 2u * h)] = n;
        previous[at(row * h + j)] = lane(read + ${s}u * h + j);` : ''}`;
    return `
      if (b0 + ${s}u < shape.batch) {
        let row = t * shape.batch + b0 + ${s}u;
        let g0 = row * w + j;${body}
        setLane(write + ${s}u * h + j, hNew);
      }`;
  });
  return `
${sums.join('\n')}
      for (var k = 0u; k < h; k++) {
        let w0 = k * w + j;
${loads.join('\n')}
${adds.join('\n')}
      }${apply.join('')}`;
}

export const recurrentForward = defineKernel<RecurrentForwardVariant, RecurrentSizes>()({
  name: 'recurrentForward',
  bindings: ({ save, lane = 1, carried = false, continued = false }) => {
    const e = laneElement(lane);
    return [
      readWrite('gates', e),
      readOnly('recurrent', e),
      readWrite('cells', e),
      readWrite('output', e),
      ...(save ? [optional(readWrite('previous', e))] : []),
      ...(continued ? [optional(readOnly('previousOutput', e))] : []),
      ...(carried ? [optional(readWrite('carry', e)), optional(readOnly('keep'))] : []),
      uniform('shape', RecurrentShape),
    ];
  },
  source: ({ cell, save, continued = false, carried = false, lane = 1, sequences = 1 }) => `${laneWgsl(lane)}
// h_{t−1} of each of this workgroup's sequences, read by every invocation: two copies, read and written in turn.
var<workgroup> state: array<f32, ${RECURRENT_STATE_FLOATS}>;

fn at(i: u32) -> u32 { return i / L; }
// The lane's units of the state from float \`i\`, and their new values.
fn lane(i: u32) -> T {
  return T(${lane === 4 ? 'state[i], state[i + 1u], state[i + 2u], state[i + 3u]' : 'state[i]'});
}
fn setLane(i: u32, v: T) {
  ${lane === 4 ? 'for (var u = 0u; u < 4u; u++) { state[i + u] = v[u]; }' : 'state[i] = v;'}
}

@compute @workgroup_size(${RECURRENT_WORKGROUP})
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let b0 = wid.x * ${sequences}u;
  let h = shape.units;
  let w = ${cell === 'lstm' ? 4 : 3}u * h;
  let hw = h * w;
  for (var e = lid.x; e < ${sequences}u * h; e += ${RECURRENT_WORKGROUP}u) {
    let b = b0 + e / h;
    let j = e % h;
    var value = 0.0;
    if (b < shape.batch && shape.first > 0u) { value = ${lane === 4 ? 'output[((shape.first - 1u) * shape.batch + b) * h / 4u + j / 4u][j % 4u]' : 'output[((shape.first - 1u) * shape.batch + b) * h + j]'}; }${continued ? `
    else if (b < shape.batch) { value = ${lane === 4 ? 'previousOutput[b * h / 4u + j / 4u][j % 4u]' : 'previousOutput[b * h + j]'}; }` : ''}${carried ? `
    else if (b < shape.batch && keep[b] > 0.5) { value = ${lane === 4 ? `carry[(b * ${cell === 'lstm' ? 2 : 1}u * h + j) / 4u][j % 4u]` : `carry[b * ${cell === 'lstm' ? 2 : 1}u * h + j]`}; }` : ''}
    state[e] = value;
  }
  workgroupBarrier();${carried ? `
  // The last step overwrites \`carry\`, possibly from another invocation than the one that read it here.
  storageBarrier();` : ''}
  for (var s = 0u; s < shape.count; s++) {
    let t = shape.first + s;
    let read = (s % 2u) * ${sequences}u * h;
    let write = ${sequences}u * h - read;
    for (var j = lid.x * L; j < h; j += ${RECURRENT_WORKGROUP}u * L) {${stepSource(cell, save, continued, carried, sequences)}
    }
    // Step t + 1 reads the copy step t wrote, and writes the one step t read.
    workgroupBarrier();
  }
}
`,
  plan: (sizes, v) => {
    checkLanes('recurrentForward', sizes.units, v.lane ?? 1, v.sequences ?? 1);
    if (v.carried && v.continued) throw new Error('recurrentForward: a continued step does not also carry windows');
    return { uniforms: { ...sizes }, workgroups: sequenceWorkgroups(sizes.batch, v.sequences ?? 1) };
  },
});
