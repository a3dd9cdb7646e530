// Register-blocked matmul C[M,N] = op(A)[M,K] · op(B)[K,N] shared by the dense kernels. Transposes are index
// arithmetic, never materialised. Each invocation keeps a block of C (up to 128 values) in vec4 registers and reads
// A and B straight from storage: no workgroup tiles and no barriers, which is what a software adapter
// (SwiftShader runs invocations 4 wide on CPU cores) executes fastest; the loops over the block are unrolled
// here in the generator because the adapter does not unroll them itself (measured: 4-8x slower when not).
// Edge blocks clamp their load indices instead of branching, and only the stores are bounds-checked.
// Every storage load is a gather on SwiftShader, so a bigger block does more multiply-adds per load: 16x8 was
// 12-19% faster than 8x8 on the benchmark's layers (5.3 multiply-adds per load against 4); in development runs
// 8x16 and 12x8 were about as fast, and 16x16, 24x8 and 32x4, whose accumulators no longer fit the CPU's
// registers, slower. The weight gradient's row count is a layer's inputs + 1, small and rarely a multiple of 8,
// so its block is fitted to it (fittedBlock): on the inverse-sine head, 25x72 over 1000 rows, 13x8 blocks took
// 1.70 ms against 2.23 in 8x16; its first layer, 2x24, 0.13 ms in 2x8 against 0.26 in 8x8. Figures from
// `npm run bench:kernels` (bench/results/kernel-variants-*.txt).
// (Writing the accumulation with fma() was tried too: no difference.)
// Workgroups are 16 invocations: the best or near-best size measured from 24 to 65,536 blocks, and small
// enough that a product with few blocks (a weight gradient: 18 blocks for the inverse-sine model's head) still fills
// both cores. Splitting K through workgroup memory was measured slower at every split on SwiftShader.
//
// Where a row-major B has a row stride that is a multiple of 4 (`vectorB`), each k reads B's 8 columns as two
// vec4s; loads past the right edge read neighbouring (or clamped) values that the stores discard. Measured on
// SwiftShader in 16x8 blocks: from 2% slower to 16% faster. Reading A as vec4s (along k, 4 k per iteration, or
// along m) was tried too: slower along k, no gain along m. SwiftShader spreads invocations over SIMD lanes, so a vec4 load
// with per-lane addresses is still four gathers, and the unrolled k adds register pressure.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type Activation, activateWgsl, activationGradWgsl } from './activation.wgsl.js';
import { defineUniformStruct } from '../runtime/uniforms.js';
import { indices } from './indices.js';
import { type Workgroups, elementwiseWorkgroups } from '../runtime/kernel.js';

/** Rows and columns of C per invocation (columns a multiple of 4: they are held as vec4s). */
export interface BlockShape {
  readonly rows: number;
  readonly cols: number;
}
/** For products with many rows: the forward pass and the input gradient. */
export const TALL_BLOCK: BlockShape = { rows: 16, cols: 8 };
/** Fewer accumulators: the forward pass on lavapipe (denseForward.ts says why). */
export const SQUARE_BLOCK: BlockShape = { rows: 8, cols: 8 };

const paddedSize = (m: number, n: number, b: BlockShape) => Math.ceil(m / b.rows) * b.rows * Math.ceil(n / b.cols) * b.cols;

/**
 * The block for an M x N product with few rows (a weight gradient): rows fitted to M so that 8- or 16-row
 * blocks lose nothing at the edge, 8 or 16 columns, at most 128 values; the least padded work wins, then the
 * larger block (more multiply-adds per load).
 */
export function fittedBlock(m: number, n: number): BlockShape {
  const candidates = [16, 8].flatMap((maxRows) => {
    const rows = Math.ceil(m / Math.ceil(m / maxRows));
    return [8, 16].filter((cols) => rows * cols <= 128).map((cols) => ({ rows, cols }));
  });
  return candidates.reduce((best, b) => {
    const [size, bestSize] = [paddedSize(m, n, b), paddedSize(m, n, best)];
    return size < bestSize || (size === bestSize && b.rows * b.cols > best.rows * best.cols) ? b : best;
  });
}
export const MATMUL_WORKGROUP = 16;

export const MatmulShape = defineUniformStruct('MatmulShape', {
  m: 'u32',
  n: 'u32',
  k: 'u32',
  /** Row stride of A as stored (its column count). */
  lda: 'u32',
  /** Row stride of B as stored. */
  ldb: 'u32',
});

export interface MatmulVariant {
  /** A is stored [K, M] and read transposed. */
  readonly transposeA: boolean;
  /** B is stored [N, K] and read transposed. */
  readonly transposeB: boolean;
  /** Logical A has an extra last column of ones: B's last row (a bias) starts every sum. */
  readonly onesColumnA: boolean;
  /** Logical A has an extra last row of ones: C's last row is the column sums of B. */
  readonly onesRowA: boolean;
  /** `activation`: C = act(A·B); `activationGrad`: C = (A·B) ⊙ act'(activationOutput). */
  readonly epilogue: 'activation' | 'activationGrad';
  readonly activation: Activation;
  /** B is row-major with a row stride (ldb) that is a multiple of 4: bind and read it as vec4s. */
  readonly vectorB: boolean;
  readonly block: BlockShape;
}

/** What each kernel calls A, B and C in its bindings (names that say what they hold). */
export interface MatmulNames {
  readonly a: string;
  readonly b: string;
  readonly c: string;
}

const lines = (xs: string[]) => xs.join('\n');

/** Vec4 number `index` of a vec4 binding, clamped into the array. */
const vec4At = (name: string, index: string) => `${name}[min(${index}, arrayLength(&${name}) - 1u)]`;

/** Throws for operand layouts the generators do not read: vec4s of a transposed B, or a bias row in one. */
export function checkOperands(v: Pick<MatmulVariant, 'vectorB' | 'transposeB' | 'onesColumnA'>): void {
  if (v.vectorB && v.transposeB) throw new Error('matmul: vectorB reads a row-major B only');
  if (v.onesColumnA && v.transposeB) throw new Error("matmul: the ones column (B's bias row) needs a row-major B");
}

/** `let c0 … c{cols − 1}`: each of an invocation's columns from col0, clamped to C's, as B indexes it (times ldb where B is read transposed). */
export const columnIndicesWgsl = (v: Pick<MatmulVariant, 'transposeB'>, cols: number): string =>
  indices(cols).map((j) => (v.transposeB ? `  let c${j} = min(col0 + ${j}u, lastCol) * shape.ldb;` : `  let c${j} = min(col0 + ${j}u, lastCol);`)).join('\n');

/**
 * B's values in an invocation's columns 4q … 4q + 3 as a vec4: from the row starting at float index `row` (its
 * columns c…, or col0 on as vec4s), or for a transposed B at k down those columns.
 */
export const bVectorWgsl = (v: Pick<MatmulVariant, 'vectorB' | 'transposeB'>, B: string, q: number, row: string): string =>
  v.vectorB
    ? vec4At(B, `(${row} + col0) / 4u + ${q}u`)
    : v.transposeB
      ? `vec4(${indices(4).map((j) => `${B}[c${4 * q + j} + k]`).join(', ')})`
      : `vec4(${indices(4).map((j) => `${B}[${row} + c${4 * q + j}]`).join(', ')})`;

/**
 * The epilogue every matmul variant ends with: `store(row, col, value)` writes four columns of C from `col`
 * (bounds-checked), through the activation or times the activation's derivative (activationGrad).
 */
export function matmulStoreWgsl(v: Pick<MatmulVariant, 'epilogue' | 'activation'>, C: string): string {
  return wgsl`
${v.epilogue === 'activation' ? activateWgsl(v.activation) : activationGradWgsl(v.activation)}

fn finish(value: vec4<f32>, base: u32, count: u32) -> vec4<f32> {
#if ${v.epilogue === 'activation'}
  return activate(value);
#else
  let last = base + count - 1u;
  let y = vec4(activationOutput[base], activationOutput[min(base + 1u, last)], activationOutput[min(base + 2u, last)], activationOutput[min(base + 3u, last)]);
  return value * activationGradFromOutput(y);
#endif
}

fn store(row: u32, col: u32, value: vec4<f32>) {
  if (row >= shape.m || col >= shape.n) { return; }
  let base = row * shape.n + col;
  let count = min(4u, shape.n - col);
  let out = finish(value, base, count);
  ${C}[base] = out.x;
  if (count > 1u) { ${C}[base + 1u] = out.y; }
  if (count > 2u) { ${C}[base + 2u] = out.z; }
  if (count > 3u) { ${C}[base + 3u] = out.w; }
}
`;
}

export function matmulSource(v: MatmulVariant, names: MatmulNames): string {
  checkOperands(v);
  const { a: A, b: B, c: C } = names;
  const ROWS = indices(v.block.rows);
  const VECS = indices(v.block.cols / 4);
  const aIndex = (i: number) => (v.transposeA ? `k * shape.lda + r${i}` : `r${i} + k`);
  const accumulate = ROWS.map((i) => {
    const load = v.onesRowA ? `select(${A}[${aIndex(i)}], 1.0, ones${i})` : `${A}[${aIndex(i)}]`;
    return `    { let av = ${load};${VECS.map((q) => ` acc${i}_${q} += av * bv${q};`).join('')} }`;
  });
  const bias = VECS.map((q) => `  let bias${q} = ${bVectorWgsl(v, B, q, 'biasRow')};`);
  return wgsl`${matmulStoreWgsl(v, C)}
@compute @workgroup_size(${MATMUL_WORKGROUP})
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let block = (wid.x + wid.y * groups.x) * ${MATMUL_WORKGROUP}u + lid.x;
  let colBlocks = (shape.n + ${v.block.cols - 1}u) / ${v.block.cols}u;
  let row0 = (block / colBlocks) * ${v.block.rows}u;
  let col0 = (block % colBlocks) * ${v.block.cols}u;
  if (row0 >= shape.m) { return; }
  let lastCol = shape.n - 1u;
${columnIndicesWgsl(v, v.block.cols)}
  // Rows of A actually stored (the ones row is implicit).
  let lastStoredRow = shape.m - ${v.onesRowA ? 2 : 1}u;
${lines(ROWS.map((i) => (v.transposeA ? `  let r${i} = min(row0 + ${i}u, lastStoredRow);` : `  let r${i} = min(row0 + ${i}u, lastStoredRow) * shape.lda;`)))}
#if ${v.onesRowA}
${lines(ROWS.map((i) => `  let ones${i} = row0 + ${i}u == shape.m - 1u;`))}
#endif
  let innerK = shape.k - ${v.onesColumnA ? 1 : 0}u;
#if ${v.onesColumnA}
  // The bias row of B starts every sum.
  let biasRow = innerK * shape.ldb;
${lines(bias)}
${lines(ROWS.flatMap((i) => VECS.map((q) => `  var acc${i}_${q} = bias${q};`)))}
#else
${lines(ROWS.flatMap((i) => VECS.map((q) => `  var acc${i}_${q} = vec4(0.0);`)))}
#endif
  for (var k = 0u; k < innerK; k++) {
    let bRow = k * shape.ldb;
${lines(VECS.map((q) => `    let bv${q} = ${bVectorWgsl(v, B, q, 'bRow')};`))}
${lines(accumulate)}
  }
${lines(ROWS.flatMap((i) => VECS.map((q) => `  store(row0 + ${i}u, col0 + ${4 * q}u, acc${i}_${q});`)))}
}
`;
}

/** Workgroups covering an M x N output in blocks of the given shape, one invocation each. */
export function matmulWorkgroups(m: number, n: number, block: BlockShape): Workgroups {
  return elementwiseWorkgroups(Math.ceil(m / block.rows) * Math.ceil(n / block.cols), MATMUL_WORKGROUP);
}

/** Refuses the vec4 variant for a stride that is not a multiple of 4 (it would read misaligned rows). */
export function checkVectorStride(kernel: string, vectorB: boolean, ldb: number): void {
  if (vectorB && ldb % 4 !== 0) throw new Error(`${kernel}: vectorB needs a row stride that is a multiple of 4, got ${ldb}`);
}
