// The layout of a diagonal Gaussian head's row: K logits, K·D means, K·D σ pre-activations (and the mixture
// parameters predict returns: K weights, K·D means, K·D σ).

/** Floats per row of a K-component, D-dimensional diagonal Gaussian head: K(1 + 2D). */
export const headWidthOf = (components: number, dims: number): number => components * (1 + 2 * dims);
