// Register-tiled matmul C[M,N] = op(A)[M,K] · op(B)[K,N] shared by the dense kernels. Transposes are
// index arithmetic, never materialised. A 8x8 workgroup computes a 32x32 tile of C, each thread a 4x4 block
// held in registers, with 16-deep slices of A and B staged in workgroup memory as vec4s.
// Tile sizes are consts, not overrides: WGSL needs const sizes for the per-thread register arrays.
import { wgsl } from 'wgsl-preprocessor/wgsl-preprocessor.js';
import { type Activation, activateWgsl, activationGradWgsl } from './activation.wgsl.js';
import { defineUniformStruct } from '../runtime/uniforms.js';
import type { Workgroups } from '../runtime/kernel.js';

export const TILE_M = 32;
export const TILE_N = 32;

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
  /** Logical A has an extra last column of ones (folds a bias row of B into the product). */
  readonly onesColumnA: boolean;
  /** Logical A has an extra last row of ones (yields the column sums of B as C's last row). */
  readonly onesRowA: boolean;
  /** `activation`: C = act(A·B); `activationGrad`: C = (A·B) ⊙ act'(activationOutput). */
  readonly epilogue: 'activation' | 'activationGrad';
  readonly activation: Activation;
}

export function tiledMatmulSource(v: MatmulVariant): string {
  return wgsl`
const TILE_M = 32u;
const TILE_N = 32u;
const TILE_K = 16u;
// Tiles are stored k-major as vec4 along m (A) and n (B): element (kk, i) sits at [kk * 8 + i / 4][i % 4].
var<workgroup> tileA: array<vec4<f32>, 128>;
var<workgroup> tileB: array<vec4<f32>, 128>;

fn loadA(m: u32, k: u32) -> f32 {
  if (m >= shape.m || k >= shape.k) { return 0.0; }
#if ${v.onesColumnA}
  if (k == shape.k - 1u) { return 1.0; }
#endif
#if ${v.onesRowA}
  if (m == shape.m - 1u) { return 1.0; }
#endif
#if ${v.transposeA}
  return a[k * shape.lda + m];
#else
  return a[m * shape.lda + k];
#endif
}

fn loadB(k: u32, n: u32) -> f32 {
  if (k >= shape.k || n >= shape.n) { return 0.0; }
#if ${v.transposeB}
  return b[n * shape.ldb + k];
#else
  return b[k * shape.ldb + n];
#endif
}

${v.epilogue === 'activation' ? activateWgsl(v.activation) : activationGradWgsl(v.activation)}

fn epilogue(value: f32, index: u32) -> f32 {
#if ${v.epilogue === 'activation'}
  return activate(value);
#else
  return value * activationGradFromOutput(activationOutput[index]);
#endif
}

@compute @workgroup_size(8, 8)
fn main(@builtin(local_invocation_id) lid: vec3<u32>, @builtin(workgroup_id) wid: vec3<u32>) {
  let thread = lid.y * 8u + lid.x;
  let rowBase = wid.y * TILE_M;
  let colBase = wid.x * TILE_N;
  var acc: array<vec4<f32>, 4>;
  for (var k0 = 0u; k0 < shape.k; k0 += TILE_K) {
    for (var e = 0u; e < 8u; e++) {
      let i = e * 64u + thread;
      let ka = i / TILE_M;
      let ma = i % TILE_M;
      tileA[ka * 8u + ma / 4u][ma % 4u] = loadA(rowBase + ma, k0 + ka);
      let kb = i / TILE_N;
      let nb = i % TILE_N;
      tileB[kb * 8u + nb / 4u][nb % 4u] = loadB(k0 + kb, colBase + nb);
    }
    workgroupBarrier();
    for (var kk = 0u; kk < TILE_K; kk++) {
      let a4 = tileA[kk * 8u + lid.y];
      let b4 = tileB[kk * 8u + lid.x];
      acc[0] += a4.x * b4;
      acc[1] += a4.y * b4;
      acc[2] += a4.z * b4;
      acc[3] += a4.w * b4;
    }
    workgroupBarrier();
  }
  let col = colBase + lid.x * 4u;
  for (var i = 0u; i < 4u; i++) {
    let row = rowBase + lid.y * 4u + i;
    if (row >= shape.m) { break; }
    for (var j = 0u; j < 4u; j++) {
      if (col + j < shape.n) {
        let index = row * shape.n + col + j;
        c[index] = epilogue(acc[i][j], index);
      }
    }
  }
}
`;
}

/** Workgroups covering an M x N output. */
export function matmulWorkgroups(m: number, n: number): Workgroups {
  return [Math.ceil(n / TILE_N), Math.ceil(m / TILE_M), 1];
}
