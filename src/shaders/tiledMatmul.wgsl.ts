// A workgroup-tiled matmul for the dense products with many rows: the forward product, C[M,N] = act([A | 1] · B)
// with B's last row the bias, the input gradient, C = (A · Bᵀ) ⊙ act'(activationOutput), and the weight
// gradient, C = [A | 1]ᵀ · B over the rows (K = rows; the ones give the bias row): the way GPUs are fast. Each
// workgroup of 16 x 16 invocations computes a 64 x 64
// tile of C, each invocation a 4 x 4 block of it in vec4 registers; the K dimension goes through workgroup
// memory 16 at a time, each invocation loading four values of A and four of B per step (coalesced along rows),
// then 16 steps of 4 x 4 multiply-adds from workgroup memory between two barriers. Loads past the edges read
// zero (A's ones column is written where k is the last), only stores are bounds-checked. Used where
// `npm run bench:kernels` measured it faster (denseForward.ts); tested on both software adapters against the
// float64 reference like the register-blocked kernel (test/gpu/dense.test.ts).
import { type Activation, activateWgsl, activationGradWgsl } from './activation.wgsl.js';

/**
 * Which product: the forward one (bias row, activation), the input gradient (B transposed, activation
 * derivative) or the weight gradient (A transposed with a ones row last, no epilogue).
 */
export type TiledProduct = 'forward' | 'inputGrad' | 'weightGrad';

/** Outputs per workgroup side, invocations per side, K per step. */
export const TILE = 64;
export const TILE_THREADS = 16;
export const TILE_K = 16;

// The four values of a row of a 4 x 4 block, those inside C's columns.
const storeFour = (buffer: string, at: string) => `  ${buffer}[${at}] = out.x;
  if (col + 1u < shape.n) { ${buffer}[${at} + 1u] = out.y; }
  if (col + 2u < shape.n) { ${buffer}[${at} + 2u] = out.z; }
  if (col + 3u < shape.n) { ${buffer}[${at} + 3u] = out.w; }`;

/**
 * `partials` (the weight gradient only): split K over the workgroups' z: workgroup z sums its own run of the rows,
 * a multiple of TILE_K, and writes its tile to `partials` at z·M·N, for splitKSum.ts to add up; with one
 * workgroup in z it writes C itself. A GPU then runs tiles × slices workgroups where the tiles alone are few.
 */
export function tiledMatmulSource(product: TiledProduct, activation: Activation, names: { a: string; b: string; c: string; partials?: string }): string {
  const { a: A, b: B, c: C, partials } = names;
  if (partials && product !== 'weightGrad') throw new Error('tiledMatmulSource: only the weight gradient splits K');
  const forward = product === 'forward';
  const weightGrad = product === 'weightGrad';
  // A's ones column (forward) sits at k = K − 1; the weight gradient reads A transposed, its ones row at
  // m = M − 1 (the bias); B is read transposed for the input gradient.
  const aLoad = forward
    ? `select(${A}[row * shape.lda + min(k, innerK - 1u)], 1.0, k == innerK)`
    : weightGrad
      ? `select(${A}[k * shape.lda + min(row, shape.m - 2u)], 1.0, row == shape.m - 1u)`
      : `${A}[row * shape.lda + k]`;
  const bLoad = product === 'inputGrad' ? `${B}[min(col, shape.n - 1u) * shape.ldb + min(k, shape.k - 1u)]` : `${B}[min(k, shape.k - 1u) * shape.ldb + min(col, shape.n - 1u)]`;
  const finish = forward
    ? `fn finish(value: vec4<f32>, base: u32) -> vec4<f32> { return activate(value); }`
    : weightGrad
      ? `fn finish(value: vec4<f32>, base: u32) -> vec4<f32> { return value; }`
      : `fn finish(value: vec4<f32>, base: u32) -> vec4<f32> {
  let last = arrayLength(&activationOutput) - 1u;
  let y = vec4(activationOutput[base], activationOutput[min(base + 1u, last)], activationOutput[min(base + 2u, last)], activationOutput[min(base + 3u, last)]);
  return value * activationGradFromOutput(y);
}`;
  return `
${forward ? activateWgsl(activation) : weightGrad ? '' : activationGradWgsl(activation)}
${finish}

var<workgroup> tileA: array<f32, ${TILE_K * TILE}>;
var<workgroup> tileB: array<f32, ${TILE_K * TILE}>;

@compute @workgroup_size(${TILE_THREADS}, ${TILE_THREADS})
fn main(
  @builtin(local_invocation_id) lid: vec3<u32>,
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) groups: vec3<u32>,
) {
  let row0 = wid.y * ${TILE}u;
  let col0 = wid.x * ${TILE}u;
  let flat = lid.y * ${TILE_THREADS}u + lid.x;
  // The invocation's 4 x 4 block of the tile: rows ty*4.., columns tx*4...
  let ty = lid.y * 4u;
  let tx = lid.x * 4u;
  let innerK = shape.k - ${forward ? 1 : 0}u;
  // The run of K this workgroup sums: all of it, or with split K its slice (whole tiles of K).
  let span = ${partials ? `(((shape.k + groups.z - 1u) / groups.z + ${TILE_K - 1}u) / ${TILE_K}u) * ${TILE_K}u` : 'shape.k'};
  let kBegin = ${partials ? 'wid.z * span' : '0u'};
  let kEnd = min(shape.k, kBegin + span);
  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var k0 = kBegin; k0 < kEnd; k0 += ${TILE_K}u) {
    // A: 64 rows x 16 k = 1024 values, 4 per invocation (tileA is [k][row]): neighbouring invocations read
    // neighbouring values of A, along k (A's rows), or along the rows of C for the transposed A.
    for (var i = 0u; i < 4u; i++) {
      let e = ${weightGrad ? `i * ${TILE_THREADS * TILE_THREADS}u + flat` : 'flat * 4u + i'};
      let r = e ${weightGrad ? `% ${TILE}u` : `/ ${TILE_K}u`};
      let kk = e ${weightGrad ? `/ ${TILE}u` : `% ${TILE_K}u`};
      let row = row0 + r;
      let k = k0 + kk;
      var value = 0.0;
      if (row < shape.m && k < kEnd) {
        value = ${aLoad};
      }
      tileA[kk * ${TILE}u + r] = value;
    }
    // B: 16 k x 64 columns, 4 per invocation along a row of B.
    for (var i = 0u; i < 4u; i++) {
      let e = flat * 4u + i;
      let kk = e / ${TILE}u;
      let c = e % ${TILE}u;
      let k = k0 + kk;
      let col = col0 + c;
      tileB[kk * ${TILE}u + c] = select(0.0, ${bLoad}, k < kEnd && col < shape.n);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < ${TILE_K}u; kk++) {
      let a = vec4<f32>(tileA[kk * ${TILE}u + ty], tileA[kk * ${TILE}u + ty + 1u], tileA[kk * ${TILE}u + ty + 2u], tileA[kk * ${TILE}u + ty + 3u]);
      let b = vec4<f32>(tileB[kk * ${TILE}u + tx], tileB[kk * ${TILE}u + tx + 1u], tileB[kk * ${TILE}u + tx + 2u], tileB[kk * ${TILE}u + tx + 3u]);
      acc0 += a.x * b;
      acc1 += a.y * b;
      acc2 += a.z * b;
      acc3 += a.w * b;
    }
    workgroupBarrier();
  }
  let slice = ${partials ? 'select(wid.z + 1u, 0u, groups.z == 1u)' : '0u'};
  store(row0 + ty, col0 + tx, acc0, slice);
  store(row0 + ty + 1u, col0 + tx, acc1, slice);
  store(row0 + ty + 2u, col0 + tx, acc2, slice);
  store(row0 + ty + 3u, col0 + tx, acc3, slice);
}

// slice 0: C itself; slice z + 1: the partial sums of workgroup z.
fn store(row: u32, col: u32, value: vec4<f32>, slice: u32) {
  if (row >= shape.m || col >= shape.n) { return; }
  let base = row * shape.n + col;
  let out = finish(value, base);
  ${partials ? `if (slice == 0u) {
${storeFour(C, 'base')}
  } else {
    let at = (slice - 1u) * shape.m * shape.n + base;
${storeFour(partials, 'at')}
  }` : storeFour(C, 'base')}
}
`;
}
