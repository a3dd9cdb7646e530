// Which mixture heads are compiled with K and D as constants. On SwiftShader a dynamic loop iteration costs
// about as much as two storage loads (measured), and the mixture kernels loop over K and D at every step of
// their work; written out by the generator instead, with per-component values held in registers rather than
// stored and reloaded, the training kernel ran 2.1-2.8x faster on the benchmark's three heads
// (bench/results/kernel-variants-*.txt). Heads wider than MAX_UNROLLED_HEAD_WIDTH outputs per row keep the
// loops, bounding code size and compile time (which grows with the head: 0.4 s at 72 outputs, 3.6 s at 255).

export const MAX_UNROLLED_HEAD_WIDTH = 256;

export interface HeadShape {
  readonly components: number;
  readonly dims: number;
}

/** The head to unroll for K components over D dims, or null where it is too wide and loops are kept. */
export function unrolledHead(components: number, dims: number): HeadShape | null {
  return components * (1 + 2 * dims) <= MAX_UNROLLED_HEAD_WIDTH ? { components, dims } : null;
}

/** A kernel compiled for one head must be dispatched on that head only. */
export function checkHeadShape(kernel: string, unrolled: HeadShape | null, components: number, dims: number): void {
  if (unrolled && (unrolled.components !== components || unrolled.dims !== dims)) {
    throw new Error(`${kernel}: compiled for K=${unrolled.components}, D=${unrolled.dims} but dispatched with K=${components}, D=${dims}`);
  }
}
