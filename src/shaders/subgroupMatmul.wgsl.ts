// The matmul of matmul.wgsl.ts (same operands, transposes, ones row/column and epilogues) with A's loads shared
// through subgroups, for lavapipe. There every storage load an invocation makes is a per-lane fetch, the cost of a
// register-blocked product (with its loads replaced by arithmetic a 16x8 block took 8x less time,
// bench/results/kernel-variants-2026-11-30-lavapipe.txt), while a subgroup broadcast is a register shuffle. So a
// workgroup takes `rows` rows of C, all its invocations the same ones; at each k, lane l of a subgroup loads rows
// l, l + S, ... of A and subgroupBroadcast hands every value to every lane, and each invocation loads only its own
// `cols` columns of B: (rows / S + cols) loads per k for rows x cols multiply-adds, against rows + cols in
// register blocks. Measured (`npm run bench:kernels -- subgroups`): 1.2-3.4x the register blocks' speed on lavapipe
// over the benchmark's products (equal on the smallest); 0.3-1.4x on SwiftShader, which keeps register blocks. The
// sums run in the register blocks' order (k ascending, from the bias), so the rounding bounds of their tests hold.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import type { Workgroups } from '../runtime/kernel.js';
import { indices } from './indices.js';
import { type MatmulNames, type MatmulVariant, bVectorWgsl, checkOperands, columnIndicesWgsl, matmulStoreWgsl } from './matmul.wgsl.js';

/** A workgroup's share of C: `rows` rows (a multiple of the subgroup size) by `lanes` invocations x `cols` columns. */
export interface SubgroupBlock {
  readonly rows: number;
  /** Columns per invocation, a multiple of 4 (held as vec4s). */
  readonly cols: number;
  /** Invocations per workgroup, a multiple of the subgroup size. */
  readonly lanes: number;
  /** The adapter's subgroup size (GpuContext.subgroupSize) the broadcasts are written for. */
  readonly subgroupSize: number;
}

export type SubgroupMatmulVariant = Omit<MatmulVariant, 'block'> & { readonly block: SubgroupBlock };

/**
 * Rows of C per workgroup where M is the batch's rows (the forward product and the input gradient): 32 (4 loads per
 * lane per k for 128 multiply-adds, against 3 for 64 in 16). On lavapipe (`npm run bench:kernels -- subgroups`,
 * bench/results/kernel-variants-2026-12-01-lavapipe-subgroups.txt) the forward product took 0-14% less time than in
 * 16 rows on 9 of 11 shapes (8192 x 257 -> 256: 80 -> 70 ms; 65,536 x 257 -> 160: 408 -> 381 ms) and 9-18% more
 * on the two with fewest inputs (9 -> 256, 6 -> 512), the input gradient 0-37% less on all 11 (65,536 x 160 ->
 * 256: 596 -> 458 ms). The weight gradient, whose M is a layer's inputs + 1, keeps 16: there 32 was faster on
 * some layers and slower on others, and the order changed between two days' runs.
 */
export const BATCH_ROWS_PER_GROUP = 32;

/** The block for an M x N product: `rows` rows (default 16) by 4 columns per invocation, and as many invocations (up to 64) as N needs. */
export function subgroupBlockFor(n: number, subgroupSize: number, rows = 16): SubgroupBlock {
  rows = Math.max(rows, subgroupSize);
  const cols = 4;
  const lanes = Math.min(64, Math.max(subgroupSize, Math.ceil(Math.ceil(n / cols) / subgroupSize) * subgroupSize));
  return { rows, cols, lanes, subgroupSize };
}

export function checkSubgroupBlock({ rows, cols, lanes, subgroupSize }: SubgroupBlock): void {
  if (!(rows % subgroupSize === 0 && lanes % subgroupSize === 0 && cols % 4 === 0 && rows * cols <= 128)) {
    throw new Error(`subgroup matmul: rows ${rows} and lanes ${lanes} must be multiples of the subgroup size ${subgroupSize}, cols ${cols} of 4, rows x cols at most 128`);
  }
}

const lines = (xs: string[]) => xs.join('\n');

export function subgroupMatmulSource(v: SubgroupMatmulVariant, names: MatmulNames): string {
  checkOperands(v);
  checkSubgroupBlock(v.block);
  const { a: A, b: B, c: C } = names;
  const { rows, cols, lanes, subgroupSize: S } = v.block;
  const LOADS = indices(rows / S);
  const ROWS = indices(rows);
  const VECS = indices(cols / 4);
  const bVector = (q: number, row: string) => bVectorWgsl(v, B, q, row);
  const aLoad = (j: number) => {
    const load = `${A}[${v.transposeA ? `k * shape.lda + r${j}` : `r${j} + k`}]`;
    return `    let mine${j} = ${v.onesRowA ? `select(${load}, 1.0, ones${j})` : load};`;
  };
  return wgsl`${matmulStoreWgsl(v, C)}
@compute @workgroup_size(${lanes})
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
  @builtin(subgroup_invocation_id) lane: u32,
) {
  // Every invocation of the workgroup takes the same rows (so the broadcasts serve all) and its own columns.
  let row0 = (wid.y + wid.z * groups.y) * ${rows}u;
  let col0 = (wid.x * ${lanes}u + lid.x) * ${cols}u;
  let lastCol = shape.n - 1u;
${columnIndicesWgsl(v, cols)}
  // The rows of A this lane loads for its subgroup (the ones row is implicit).
  let lastStoredRow = shape.m - ${v.onesRowA ? 2 : 1}u;
${lines(LOADS.map((j) => (v.transposeA ? `  let r${j} = min(row0 + ${j * S}u + lane, lastStoredRow);` : `  let r${j} = min(row0 + ${j * S}u + lane, lastStoredRow) * shape.lda;`)))}
#if ${v.onesRowA}
${lines(LOADS.map((j) => `  let ones${j} = row0 + ${j * S}u + lane == shape.m - 1u;`))}
#endif
  let innerK = shape.k - ${v.onesColumnA ? 1 : 0}u;
#if ${v.onesColumnA}
  // The bias row of B starts every sum.
  let biasRow = innerK * shape.ldb;
${lines(VECS.map((q) => `  let bias${q} = ${bVector(q, 'biasRow')};`))}
${lines(ROWS.flatMap((i) => VECS.map((q) => `  var acc${i}_${q} = bias${q};`)))}
#else
${lines(ROWS.flatMap((i) => VECS.map((q) => `  var acc${i}_${q} = vec4(0.0);`)))}
#endif
  for (var k = 0u; k < innerK; k++) {
    let bRow = k * shape.ldb;
${lines(VECS.map((q) => `    let bv${q} = ${bVector(q, 'bRow')};`))}
${lines(LOADS.map(aLoad))}
${lines(ROWS.map((i) => `    { let av = subgroupBroadcast(mine${Math.floor(i / S)}, ${i % S}u);${VECS.map((q) => ` acc${i}_${q} += av * bv${q};`).join('')} }`))}
  }
${lines(ROWS.flatMap((i) => VECS.map((q) => `  store(row0 + ${i}u, col0 + ${4 * q}u, acc${i}_${q});`)))}
}
`;
}

/** Most workgroups along one dimension of a dispatch (WebGPU's default maxComputeWorkgroupsPerDimension). */
const MAX_GROUPS = 65_535;

/**
 * Workgroups covering an M x N output: N across in lanes x cols columns, M down in `rows` rows, folded into z past
 * 65,535 row groups (the workgroups past M then only skip their stores).
 */
export function subgroupMatmulWorkgroups(m: number, n: number, block: SubgroupBlock): Workgroups {
  const rowGroups = Math.ceil(m / block.rows);
  const down = Math.min(rowGroups, MAX_GROUPS);
  return [Math.ceil(n / (block.lanes * block.cols)), down, Math.ceil(rowGroups / down)];
}
