// Hand-written one-row mixtures of one-dimensional y, for the distribution and calibration tests.
import type { Mixture } from '../../src/mdn/mixture.js';

/** One row of K components with these weights, means and scales (`extra`: family, ν, log-normal). */
export const oneRowMixture = (pi: number[], mu: number[], sigma: number[], extra: Partial<Mixture> = {}): Mixture => ({
  rows: 1,
  components: pi.length,
  dims: 1,
  pi: Float32Array.from(pi),
  mu: Float32Array.from(mu),
  sigma: Float32Array.from(sigma),
  ...extra,
});
