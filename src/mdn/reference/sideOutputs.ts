// Float64 reference of the discrete side outputs (src/shaders/sideOutputs.wgsl.ts): each row's cross-entropy
// and its gradient at the side logits, and their probabilities. Bernoulli: softplus(z) − y·z (softplus(∓z)), gradient
// logistic(z) − y; categorical: log Σ e^z − z_y, gradient softmax(z) − onehot(y).
import { type SideOutputSpec, logitsOf } from '../heads/sideOutputs.js';
import { logSumExp } from './logSumExp.js';

/** Where the side outputs sit: their logits from `headOffset` in rows of `headStride`, targets from `targetOffset` in rows of `targetStride`. */
export interface SideLayout {
  readonly headOffset: number;
  readonly headStride: number;
  readonly targetOffset: number;
  readonly targetStride: number;
}

const softplus = (z: number) => Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
const logistic = (z: number) => (z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z)));

/** Per-row Σ cross-entropy, and its gradient at each side logit (rows x headStride, zero elsewhere; not divided by rows). */
export function sideOutputsNll(sides: readonly SideOutputSpec[], head: ArrayLike<number>, targets: ArrayLike<number>, rows: number, at: SideLayout): { sampleNll: Float64Array; headGrad: Float64Array } {
  const sampleNll = new Float64Array(rows);
  const headGrad = new Float64Array(rows * at.headStride);
  for (let r = 0; r < rows; r++) {
    let column = r * at.headStride + at.headOffset;
    sides.forEach((s, i) => {
      const y = targets[r * at.targetStride + at.targetOffset + i];
      const C = logitsOf(s);
      if (C === 1) {
        const z = head[column];
        sampleNll[r] += softplus(y ? -z : z);
        headGrad[column] = logistic(z) - y;
      } else {
        const lse = logSumExp(head, column, C);
        sampleNll[r] += lse - head[column + y];
        for (let j = 0; j < C; j++) headGrad[column + j] = Math.exp(head[column + j] - lse) - (j === y ? 1 : 0);
      }
      column += C;
    });
  }
  return { sampleNll, headGrad };
}

/** Per row, each side output's probabilities laid out like its logits: P(y = 1) for a Bernoulli output, the C class probabilities for a categorical one. */
export function sideProbabilities(sides: readonly SideOutputSpec[], head: ArrayLike<number>, rows: number, at: Pick<SideLayout, 'headOffset' | 'headStride'>): Float64Array {
  const width = sides.reduce((n, s) => n + logitsOf(s), 0);
  const out = new Float64Array(rows * width);
  for (let r = 0; r < rows; r++) {
    let column = r * at.headStride + at.headOffset;
    let o = r * width;
    for (const s of sides) {
      const C = logitsOf(s);
      if (C === 1) out[o] = logistic(head[column]);
      else {
        const lse = logSumExp(head, column, C);
        for (let j = 0; j < C; j++) out[o + j] = Math.exp(head[column + j] - lse);
      }
      column += C;
      o += C;
    }
  }
  return out;
}
