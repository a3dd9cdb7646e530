// One step of an LSTM or GRU layer's backward walk for every sequence in one dispatch (the 'blockedSteps' design:
// a dispatch per step, t counting down), the step's recurrent product register-blocked over all sequences: each
// invocation owns a block of `rows` sequences by 4 consecutive units, sums dh_t = dPre_{t+1}·W_hh for them (A's
// and W_hh's rows read as vec4s along the gates, as the looped walk reads them), then applies the gate gradients
// of recurrentBackward.ts to its own units. Buffers and what they hold before and after are the looped walk's
// (recurrentBackward.ts): each dispatch reads step t + 1's results, which the previous dispatch left, and writes
// step t's. On lavapipe and SwiftShader the rows' loads go through subgroup broadcasts, as in recurrentStep.ts.
// Units must divide by 4. Float64 reference: src/mdn/reference/recurrent.ts.
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import type { AdapterClass } from '../runtime/device.js';
import { indices } from './indices.js';
import { type RecurrentCell, RecurrentShape, type RecurrentSizes, gateCount, laneWgsl } from './recurrent.wgsl.js';
import { BLOCK_WORKGROUP, blockBuiltins, blockOfInvocation, blockWorkgroups, checkSubgroupRows, stepLanes } from './recurrentBlocks.js';

export interface RecurrentBackwardStepVariant {
  readonly cell: RecurrentCell;
  /** Sequences per invocation's block (one vec4 accumulator each). */
  readonly rows: number;
  /** Share the rows' loads through subgroups of this size (rows a multiple of it), in workgroups of `lanes`. */
  readonly subgroupSize?: number;
  readonly lanes?: number;
  /** Stateful windows (LSTM): step 0's f slot holds c_{−1}·f·(1 − f) (recurrentStep.ts's walk keeps it there). */
  readonly carried?: boolean;
}

const lines = (xs: string[]) => xs.join('\n');

export function checkBackwardStepVariant(units: number, v: RecurrentBackwardStepVariant): void {
  if (units % 4 !== 0) throw new Error(`recurrentBackwardStep: units must divide by 4, got ${units}`);
  checkSubgroupRows('recurrentBackwardStep', v.rows, v.subgroupSize, v.lanes);
}

// The gate gradients of the invocation's units at row `at` (in vec4s), as recurrentBackward.ts computes them.
const lstmGradients = (carried: boolean) => `
      let i = gates[g0];
      let f = gates[g0 + unitGroups];
      let g = gates[g0 + 2u * unitGroups];
      let o = gates[g0 + 3u * unitGroups];
      let tc = tanhClamped(cells[at]);
      var dc = dh * o * (1.0 - tc * tc);
      if (hasNext) { dc += cells[at + stride]; }
      var cPrevious = T(0.0);
      if (t > 0u) { cPrevious = cells[at - stride]; }
      gates[g0] = dc * g * i * (1.0 - i);
      gates[g0 + unitGroups] = dc * ${carried ? 'select(f, cPrevious * f * (1.0 - f), t > 0u)' : 'cPrevious * f * (1.0 - f)'};
      gates[g0 + 2u * unitGroups] = dc * i * (1.0 - g * g);
      gates[g0 + 3u * unitGroups] = dh * tc * o * (1.0 - o);
      cells[at] = dc * f;`;

const gruGradients = `
      let r = gates[g0];
      let z = gates[g0 + unitGroups];
      let n = gates[g0 + 2u * unitGroups];
      let dnPre = dh * (1.0 - z) * (1.0 - n * n);
      let dzPre = dh * (previous[at] - n) * z * (1.0 - z);
      let drPre = dnPre * cells[at] * r * (1.0 - r);
      gates[g0] = drPre;
      gates[g0 + unitGroups] = dzPre;
      gates[g0 + 2u * unitGroups] = dnPre;
      recurrentGates[g0] = drPre;
      recurrentGates[g0 + unitGroups] = dzPre;
      recurrentGates[g0 + 2u * unitGroups] = dnPre * r;
      cells[at] = dh * z;`;

function source({ cell, rows, subgroupSize: S, lanes, carried = false }: RecurrentBackwardStepVariant): string {
  const ROWS = indices(rows);
  const LOADS = S ? indices(rows / S) : [];
  // dPre_{t+1} as the recurrent product reads it: the LSTM's gates, the GRU's recurrent gates.
  const A = cell === 'lstm' ? 'gates' : 'recurrentGates';
  const value = (i: number) => (S ? `subgroupBroadcast(mine${Math.floor(i / S)}, ${i % S}u)` : `${A}[a${i} + m]`);
  const starts = S ? LOADS.map((j) => `  let a${j} = (min(row0 + ${j * S}u + lane, lastRow) + next) * w4;`) : ROWS.map((i) => `  let a${i} = (min(row0 + ${i}u, lastRow) + next) * w4;`);
  return `${laneWgsl(4)}
@compute @workgroup_size(${S ? lanes : BLOCK_WORKGROUP})
fn main(${blockBuiltins(S !== undefined)}
) {
  let h = shape.units;
  let unitGroups = h / 4u;
  // vec4s per row of the gates (gate-major columns).
  let w4 = ${gateCount(cell)}u * unitGroups;${blockOfInvocation(rows, S && lanes, 'shape.batch')}
  let t = shape.first;
  let hasNext = t + 1u < shape.steps;
  // Rows are time-major (step t of sequence b is row t·batch + b); \`stride\` is one step, in vec4s of units.
  let stride = shape.batch * unitGroups;
  let next = (t + 1u) * shape.batch;
  let lastRow = shape.batch - 1u;
${lines(starts)}
  // W_hh's rows of the invocation's four units (the block is units + 1 rows of gate-major columns).
${lines(indices(4).map((q) => `  let w${q}Row = (u4 * 4u + ${q}u) * w4;`))}
${lines(ROWS.map((i) => `  var sum${i} = T(0.0);`))}
  for (var m = 0u; m < select(0u, w4, hasNext); m++) {
${lines(indices(4).map((q) => `    let w${q} = recurrent[w${q}Row + m];`))}${S ? `\n${lines(LOADS.map((j) => `    let mine${j} = ${A}[a${j} + m];`))}` : ''}
${lines(ROWS.map((i) => `    { let d = ${value(i)}; sum${i} += T(dot(w0, d), dot(w1, d), dot(w2, d), dot(w3, d)); }`))}
  }
${lines(
  ROWS.map(
    (i) => `  {
    let row = row0 + ${i}u;
    if (ownsUnits && row < shape.batch) {
      let at = (t * shape.batch + row) * unitGroups + u4;
      let g0 = (t * shape.batch + row) * w4 + u4;
      var dh = outputGrad[at];
      if (hasNext) { dh += sum${i}${cell === 'gru' ? ' + cells[at + stride]' : ''}; }${cell === 'lstm' ? lstmGradients(carried) : gruGradients}
    }
  }`,
  ),
)}
}
`;
}

export const recurrentBackwardStep = defineKernel<RecurrentBackwardStepVariant, RecurrentSizes>()({
  name: 'recurrentBackwardStep',
  bindings: ({ cell }) => [
    readWrite('gates', 'vec4<f32>'),
    readOnly('recurrent', 'vec4<f32>'),
    readWrite('cells', 'vec4<f32>'),
    readOnly('outputGrad', 'vec4<f32>'),
    ...(cell === 'gru' ? [optional(readOnly('previous', 'vec4<f32>')), optional(readWrite('recurrentGates', 'vec4<f32>'))] : []),
    uniform('shape', RecurrentShape),
  ],
  enables: (v) => (v.subgroupSize ? ['subgroups'] : []),
  source,
  plan: (sizes, v) => {
    checkBackwardStepVariant(sizes.units, v);
    if (sizes.count !== 1) throw new Error('recurrentBackwardStep: one step per dispatch');
    return { uniforms: { ...sizes }, workgroups: blockWorkgroups(sizes.batch, sizes.units / 4, v.rows, v.subgroupSize && v.lanes) };
  },
});

/**
 * The variant each adapter class runs, by wall time of a whole backward walk (LSTM 128, 64 steps, 32 sequences;
 * `node bench/recurrent-variants.mjs --designs`, one run each, bench/results/recurrent-variants-2026-12-01-*-designs.txt):
 * on lavapipe 32 sequences through subgroups (32.0 ms; 16: 32.3, 8: 44.3, register blocks of 8: 114.2); on
 * SwiftShader 8 through subgroups (146.8 ms; 16: 145.9, within noise; 32: 164.6; register blocks of 8: 196.3).
 * Register blocks of 8 where there are no subgroups.
 */
export function recurrentBackwardStepVariant(cell: RecurrentCell, units: number, adapterClass?: AdapterClass, subgroupSize?: number): RecurrentBackwardStepVariant {
  const rows = adapterClass === 'lavapipe' ? 32 : 8;
  const shared = subgroupSize !== undefined && rows % subgroupSize === 0 && (adapterClass === 'lavapipe' || adapterClass === 'swiftshader');
  return { cell, rows, ...(shared ? { subgroupSize, lanes: stepLanes(units, subgroupSize) } : {}) };
}
