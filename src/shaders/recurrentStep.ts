// One step of an LSTM or GRU layer for every sequence in one dispatch, the step's products register-blocked over
// all sequences with the gates after them, so the gates never leave registers: generation's continued step (both
// products, x_t·W_ihᵀ + b_ih and h_{t−1}·W_hhᵀ + b_hh), or in walk mode one step of a training or scoring walk
// ('blockedSteps': the input part made beforehand for every row, one dispatch per step). Each invocation owns a
// block of `rows` rows by one unit or 4 consecutive units (`lane`) and keeps all of those units' gates: their
// columns in the layer's gate-major blocks (gate q of unit j at column q·units + j) are read as one value (or
// vec4) per gate; vec4 lanes need the units to divide by 4. The GRU keeps the candidate gate's two parts apart,
// n = tanh(x·W_in + b_in + r ⊙ (h·W_hn + b_hn)): its four accumulators are r, z and the two parts of n.
// Generation reads h_{t−1} from `previousOutput` and writes h_t to `output`, two buffers, as a step's invocations
// write h_t while others still read h_{t−1} (it alternates two sets of outputs); a walk's steps are rows of its
// own output. The LSTM's c_t goes to `cells` (generation: in place, each element read and written by the same
// invocation). On lavapipe and SwiftShader (`subgroupSize`), the rows' loads are shared through subgroup
// broadcasts as in subgroupMatmul.wgsl.ts: all invocations of a workgroup take the same rows, lane l loading rows
// l, l + S, ... (recurrentBlocks.ts shares out the blocks).
// Float64 reference: src/mdn/reference/recurrent.ts (a continued step is one step of its walk).
import { optional, readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel } from '../runtime/kernel.js';
import { type UniformValues, defineUniformStruct } from '../runtime/uniforms.js';
import type { AdapterClass } from '../runtime/device.js';
import { indices } from './indices.js';
import { BLOCK_WORKGROUP, blockBuiltins, blockOfInvocation, blockWorkgroups, checkSubgroupRows, stepLanes } from './recurrentBlocks.js';
import { type RecurrentCell, gateCount, laneElement, laneWgsl } from './recurrent.wgsl.js';

/** `rows`: the sequences; `step`: the walk's step t (its rows are time-major, t·rows + b). */
export const RecurrentStepShape = defineUniformStruct('RecurrentStepShape', { rows: 'u32', inputs: 'u32', units: 'u32', recurrentOffset: 'u32', step: 'u32' });
export type RecurrentStepSizes = UniformValues<typeof RecurrentStepShape>;

export interface RecurrentStepVariant {
  readonly cell: RecurrentCell;
  /** Rows per invocation's block (4 accumulators a row, of `lane` units each). */
  readonly rows: number;
  /** Units per invocation: 4 (each gate's columns read as vec4s; units % 4 == 0) or 1; default 4. */
  readonly lane?: 1 | 4;
  /** Share x's and h's loads through subgroups of this size (rows must be a multiple of it)... */
  readonly subgroupSize?: number;
  /** ...in workgroups of this many invocations (stepLanes of the units). */
  readonly lanes?: number;
  /**
   * A step of a training or scoring walk (one dispatch per step, `step` counting up) instead of generation's: the
   * input part of the gates comes from `gates` (x·W_ihᵀ + b_ih of every row, one dense product before the walk),
   * h_{t−1} from `output` at step t − 1, and `cells` keeps each step's c_t (GRU: its h_{t−1}·W_hnᵀ + b_hn); with
   * `save`, the activated gates replace the input part and `previous` gets h_{t−1}, as the looped walk leaves them
   * for the backward pass (recurrentForward.ts).
   */
  readonly walk?: {
    readonly save: boolean;
    /**
     * Stateful windows: step 0 starts from `carry` (h, then the LSTM's c, per sequence) where `keep` is 1, and
     * with `save` the LSTM keeps c_{−1}·f·(1 − f) in step 0's f slot (what the backward pass needs of c_{−1}, as
     * recurrentForward.ts does). The state the window leaves is written by recurrentCarryOut after the walk.
     */
    readonly carried?: boolean;
  };
}

const lines = (xs: string[]) => xs.join('\n');

/** Accumulator of each weight column group: the input block's gate q, then the recurrent block's. */
const accumulators = (cell: RecurrentCell) =>
  cell === 'lstm'
    ? { input: [0, 1, 2, 3], recurrent: [0, 1, 2, 3] }
    : // GRU: r and z sum both parts; the candidate's input part in 2, its recurrent part in 3.
      { input: [0, 1, 2], recurrent: [0, 1, 3] };

export function checkStepVariant(units: number, v: RecurrentStepVariant): void {
  if (units % (v.lane ?? 4) !== 0) throw new Error(`recurrentStep: vec4 lanes need units divisible by 4, got ${units}`);
  checkSubgroupRows('recurrentStep', v.rows, v.subgroupSize, v.lanes);
}

function source({ cell, rows, lane = 4, subgroupSize: S, lanes, walk }: RecurrentStepVariant): string {
  const ROWS = indices(rows);
  const GATES = indices(gateCount(cell));
  const ACCS = indices(4);
  const acc = accumulators(cell);
  const LOADS = S ? indices(rows / S) : [];
  // h_{t−1}: generation's other output buffer, or the walk's own output at step t − 1.
  const hSource = walk ? 'output' : 'previousOutput';
  const carried = walk?.carried ?? false;
  // Operands: x ('x'), h_{t−1} ('p'), and a carried window's h_{−1} ('s', times the row's keep flag).
  type Operand = 'x' | 'p' | 's';
  const load = (operand: Operand, row: string) =>
    operand === 'x' ? `input[x${row} + k]` : operand === 'p' ? `${hSource}[p${row} + k]` : `carry[s${row} + k] * keep${row}`;
  // Row i's value of `operand` at k: its own load, or a lane's load broadcast through the subgroup.
  const value = (operand: Operand, i: number) => (S ? `subgroupBroadcast(${operand}Mine${Math.floor(i / S)}, ${i % S}u)` : load(operand, `${i}`));
  const loop = (operand: Operand, targets: number[]) => [
    ...GATES.map((q) => `    let bv${q} = weights[bRow + c${q}];`),
    ...(S ? LOADS.map((j) => `    let ${operand}Mine${j} = ${load(operand, `${j}`)};`) : []),
    ...ROWS.map((i) => `    { let av = ${value(operand, i)};${GATES.map((q) => ` acc${i}_${targets[q]} += av * bv${q};`).join('')} }`),
  ];
  // Where each loaded row starts: x's row, and h_{t−1}'s (the walk's at step t − 1: `before` rows on).
  const starts = (name: string, row: string) =>
    walk
      ? [
          `  let p${name} = (min(${row}, lastRow) + before) * h;`,
          ...(carried ? [`  let s${name} = min(${row}, lastRow) * ${cell === 'lstm' ? 2 : 1}u * h;`, `  let keep${name} = keep[min(${row}, lastRow)];`] : []),
        ]
      : [`  let x${name} = min(${row}, lastRow) * shape.inputs;`, `  let p${name} = min(${row}, lastRow) * h;`];
  const rowStarts = S ? LOADS.flatMap((j) => starts(`${j}`, `row0 + ${j * S}u + lane`)) : ROWS.flatMap((i) => starts(`${i}`, `row0 + ${i}u`));
  // The starting sums: the recurrent bias, and the input part (generation: its bias, then the x loop; the walk: each
  // row's x·W_ihᵀ + b_ih from `gates`, made by one dense product over all steps).
  const biasLines =
    cell === 'lstm'
      ? ACCS.map((a) => `  let bias${a} = ${walk ? '' : `weights[inputBias + c${a}] + `}weights[recurrentBias + c${a}];`)
      : walk
        ? ['  let bias0 = weights[recurrentBias + c0];', '  let bias1 = weights[recurrentBias + c1];', '  let bias2 = T(0.0);', '  let bias3 = weights[recurrentBias + c2];']
        : [
            '  let bias0 = weights[inputBias + c0] + weights[recurrentBias + c0];',
            '  let bias1 = weights[inputBias + c1] + weights[recurrentBias + c1];',
            '  let bias2 = weights[inputBias + c2];',
            '  let bias3 = weights[recurrentBias + c2];',
          ];
  const initial = (i: number, a: number) => {
    const inputGate = acc.input.indexOf(a);
    return walk && inputGate >= 0 ? `bias${a} + gates[(min(row0 + ${i}u, lastRow) + now) * w4 + c${inputGate}]` : `bias${a}`;
  };
  // The lane's units of h_{t−1} in row `row` (generation) or `row` − batch (the walk; zero at step 0).
  const lanesOf = (buffer: string, at: string) => (lane === 4 ? `T(${buffer}[${at}], ${buffer}[${at} + 1u], ${buffer}[${at} + 2u], ${buffer}[${at} + 3u])` : `${buffer}[${at}]`);
  const hPrevious = (at: string) => lanesOf(hSource, at);
  const carryLanes = (at: string) => lanesOf('carry', at);
  const apply = (i: number) => {
    const header = walk
      ? `
      let r_ = row + now;
      let at = r_ * unitGroups + u4;
      let g0 = r_ * w4 + u4;
      var hBefore = T(0.0);
      if (shape.step > 0u) { hBefore = ${hPrevious('(r_ - shape.rows) * h + u4 * L')}; }${
        carried
          ? `
      else if (keep[row] > 0.5) { hBefore = ${carryLanes(`row * ${cell === 'lstm' ? 2 : 1}u * h + u4 * L`)}; }`
          : ''
      }`
      : `
      let at = row * unitGroups + u4;`;
    const store = (value: string) =>
      walk ? (lane === 4 ? indices(4).map((j) => `\n      output[r_ * h + u4 * 4u + ${j}u] = ${value}[${j}];`).join('') : `\n      output[r_ * h + u4] = ${value};`) : `\n      output[at] = ${value};`;
    if (cell === 'lstm') {
      const cBefore = walk
        ? `var cBefore = T(0.0);\n      if (shape.step > 0u) { cBefore = cells[at - shape.rows * unitGroups]; }${carried ? `\n      else if (keep[row] > 0.5) { cBefore = ${carryLanes('row * 2u * h + h + u4 * L')}; }` : ''}`
        : 'let cBefore = cells[at];';
      return `${header}
      let ig = sigmoid(acc${i}_0);
      let f = sigmoid(acc${i}_1);
      let g = tanhClamped(acc${i}_2);
      let o = sigmoid(acc${i}_3);
      ${cBefore}
      let c = f * cBefore + ig * g;
      cells[at] = c;
      let hNew = o * tanhClamped(c);${store('hNew')}${
        walk?.save
          ? `
      gates[g0] = ig;
      gates[g0 + unitGroups] = ${carried ? 'select(f, cBefore * f * (1.0 - f), shape.step == 0u)' : 'f'};
      gates[g0 + 2u * unitGroups] = g;
      gates[g0 + 3u * unitGroups] = o;
      previous[at] = hBefore;`
          : ''
      }`;
    }
    return `${header}
      let r = sigmoid(acc${i}_0);
      let z = sigmoid(acc${i}_1);
      let n = tanhClamped(acc${i}_2 + r * acc${i}_3);${
        walk
          ? `
      cells[at] = acc${i}_3;`
          : `
      let hBefore = ${hPrevious('row * h + u4 * L')};`
      }
      let hNew = (1.0 - z) * n + z * hBefore;${store('hNew')}${
        walk?.save
          ? `
      gates[g0] = r;
      gates[g0 + unitGroups] = z;
      gates[g0 + 2u * unitGroups] = n;
      previous[at] = hBefore;`
          : ''
      }`;
  };
  return `${laneWgsl(lane)}
@compute @workgroup_size(${S ? lanes : BLOCK_WORKGROUP})
fn main(${blockBuiltins(S !== undefined)}
) {
  let h = shape.units;
  // Lanes of L units per row, and per row of a weight block (gate-major columns), in elements of T.
  let unitGroups = h / L;
  let w4 = ${gateCount(cell)}u * unitGroups;${blockOfInvocation(rows, S && lanes, 'shape.rows')}
  let lastRow = shape.rows - 1u;${
    walk
      ? `
  // The walk's rows are time-major: step t of sequence b is row t·rows + b. Step 0 starts from h = 0, c = 0.
  let now = shape.step * shape.rows;
  let before = select(0u, now - shape.rows, shape.step > 0u);
  let recurrentK = select(0u, h, shape.step > 0u);`
      : `
  let recurrentK = h;`
  }
${lines(rowStarts)}
  // Gate q of the invocation's units, as a column of T in either block.
${lines(GATES.map((q) => `  let c${q} = ${q}u * unitGroups + u4;`))}
  let inputBias = shape.inputs * w4;
  let recurrent = shape.recurrentOffset / L;
  let recurrentBias = recurrent + h * w4;
${lines(biasLines)}
${lines(ROWS.flatMap((i) => ACCS.map((a) => `  var acc${i}_${a} = ${initial(i, a)};`)))}${
    walk
      ? ''
      : `
  for (var k = 0u; k < shape.inputs; k++) {
    let bRow = k * w4;
${lines(loop('x', acc.input))}
  }`
  }
  for (var k = 0u; k < recurrentK; k++) {
    let bRow = recurrent + k * w4;
${lines(loop('p', acc.recurrent))}
  }${
    carried
      ? `
  // Step 0 of a window that continues its sequence's last: h_{−1} from the carried state (zero where not kept).
  for (var k = 0u; k < select(0u, h, shape.step == 0u); k++) {
    let bRow = recurrent + k * w4;
${lines(loop('s', acc.recurrent))}
  }`
      : ''
  }
${lines(
  ROWS.map(
    (i) => `  {
    let row = row0 + ${i}u;
    if (ownsUnits && row < shape.rows) {${apply(i)}
    }
  }`,
  ),
)}
}
`;
}

export const recurrentStep = defineKernel<RecurrentStepVariant, RecurrentStepSizes>()({
  name: 'recurrentStep',
  bindings: ({ cell, lane = 4, walk }) => {
    const e = laneElement(lane);
    // (optional: each mode binds its own.)
    const own = walk
      ? [
          optional(readWrite('gates', e)),
          readOnly('weights', e),
          optional(readWrite('cells', e)),
          readWrite('output', 'f32'),
          ...(walk.save ? [optional(readWrite('previous', e))] : []),
          ...(walk.carried ? [optional(readOnly('carry')), optional(readOnly('keep'))] : []),
        ]
      : [optional(readOnly('input')), optional(readOnly('previousOutput')), readOnly('weights', e), ...(cell === 'lstm' ? [optional(readWrite('cells', e))] : []), readWrite('output', e)];
    return [...own, uniform('shape', RecurrentStepShape)];
  },
  enables: (v) => (v.subgroupSize ? ['subgroups'] : []),
  source,
  plan: (sizes, v) => {
    checkStepVariant(sizes.units, v);
    return { uniforms: { ...sizes }, workgroups: blockWorkgroups(sizes.rows, sizes.units / (v.lane ?? 4), v.rows, v.subgroupSize && v.lanes) };
  },
});

/**
 * The variant each adapter class runs, by wall time per step of 100 generated steps of the sequence benchmark's
 * LSTM (128 units, 256 sequences; `node bench/recurrent-variants.mjs --generation`, three runs each,
 * bench/results/recurrent-variants-2026-12-01-*-generation.txt): on lavapipe one unit a lane, 32 rows shared
 * through subgroups (2.07-2.28 ms, against 2.32-2.55 in vec4 lanes of 8 rows, 3.9-4.5 in register blocks); on
 * SwiftShader vec4 lanes of 8 rows through subgroups (13.9-14.7 ms, register blocks 15.0-16.6). Where the
 * adapter offers no subgroups (or the rows do not divide by their size), register blocks; one unit a lane where
 * the units do not divide by 4 (16 rows: 64 accumulators).
 */
export function recurrentStepVariant(cell: RecurrentCell, units: number, adapterClass?: AdapterClass, subgroupSize?: number): RecurrentStepVariant {
  const lane: 1 | 4 = adapterClass === 'lavapipe' || units % 4 !== 0 ? 1 : 4;
  const rows = lane === 4 ? 8 : adapterClass === 'lavapipe' ? 32 : 16;
  const shared = subgroupSize !== undefined && rows % subgroupSize === 0 && (adapterClass === 'lavapipe' || adapterClass === 'swiftshader');
  return { cell, rows, ...(lane === 1 ? { lane } : {}), ...(shared ? { subgroupSize, lanes: stepLanes(units, subgroupSize, lane) } : {}) };
}
