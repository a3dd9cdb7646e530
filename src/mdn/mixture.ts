// A predicted mixture per row, and its moments. The moments are closed-form sums over the components, done
// on the CPU from parameters the GPU predicted (O(rows·K·D), small beside the network that produced them).
import type { ComponentDensity } from '../shaders/componentDensity.wgsl.js';
import { standardDensityOf } from './heads/standardDensity.js';

export interface Mixture {
  readonly rows: number;
  readonly components: number;
  readonly dims: number;
  /** rows x K mixing weights (each row sums to 1). */
  readonly pi: Float32Array;
  /** rows x K x D component means. */
  readonly mu: Float32Array;
  /** rows x K x D component scales (diagonal): the standard deviations of Gaussian components, b of Laplace ones. */
  readonly sigma: Float32Array;
  /**
   * The components' family, where it is not 'gaussian': 'laplace' (density e^{−|y−μ|/b} / 2b per dimension) or
   * 'student-t' (location μ, scale σ, `degreesOfFreedom` ν).
   */
  readonly family?: ComponentDensity;
  /** Student-t components' degrees of freedom. */
  readonly degreesOfFreedom?: number;
  /**
   * True where the model log-transforms its targets (`scale: { logY: true }`): μ and σ are then those of log y,
   * and each component is log-normal in y. mean, variance, mode, cdf and quantile account for it.
   */
  readonly logNormal?: boolean;
}

/** Splits kernel output rows [π (K) | μ (K·D) | σ (K·D)] into a Mixture. */
export function splitMixture(
  params: Float32Array,
  rows: number,
  components: number,
  dims: number,
  logNormal = false,
  family: ComponentDensity = 'gaussian',
  degreesOfFreedom?: number,
): Mixture {
  const K = components;
  const KD = K * dims;
  const width = K + 2 * KD;
  const pi = new Float32Array(rows * K);
  const mu = new Float32Array(rows * KD);
  const sigma = new Float32Array(rows * KD);
  for (let r = 0; r < rows; r++) {
    pi.set(params.subarray(r * width, r * width + K), r * K);
    mu.set(params.subarray(r * width + K, r * width + K + KD), r * KD);
    sigma.set(params.subarray(r * width + K + KD, (r + 1) * width), r * KD);
  }
  return {
    rows,
    components,
    dims,
    pi,
    mu,
    sigma,
    ...(logNormal ? { logNormal } : {}),
    ...(family === 'gaussian' ? {} : { family }),
    ...(degreesOfFreedom === undefined ? {} : { degreesOfFreedom }),
  };
}

// A component's mean and variance in y: μ and v·σ² (v the standard density's variance: 1 Gaussian, 2 Laplace,
// ν/(ν − 2) Student-t, Infinity for ν <= 2),
// or for a log-normal component exp(μ + σ²/2) and (e^{σ²} − 1) e^{2μ + σ²}.
function componentMoments(m: Mixture, i: number): [number, number] {
  const mu = m.mu[i];
  const s2 = standardDensityOf(m).variance * m.sigma[i] ** 2;
  if (!m.logNormal) return [mu, s2];
  return [Math.exp(mu + s2 / 2), Math.expm1(s2) * Math.exp(2 * mu + s2)];
}

/**
 * E[y | x] = Σ_k π_k μ_k (log-normal components: Σ_k π_k exp(μ_k + σ_k²/2)), rows x D.
 * @example
 * const m = mixtureMean(await model.predict(x));
 */
export function mixtureMean(m: Mixture): Float64Array {
  const { rows, components: K, dims: D } = m;
  const mean = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      const w = m.pi[r * K + k];
      for (let d = 0; d < D; d++) mean[r * D + d] += w * componentMoments(m, (r * K + k) * D + d)[0];
    }
  }
  return mean;
}

/**
 * Var[y_d | x] by the law of total variance, Σ_k π_k (v σ_k² + (μ_k − mean)²), rows x D (the diagonal; the
 * deviation form has no cancellation, unlike Σ π (σ² + μ²) − mean²).
 * @example
 * const v = mixtureVariance(await model.predict(x));
 */
export function mixtureVariance(m: Mixture): Float64Array {
  const { rows, components: K, dims: D } = m;
  const mean = mixtureMean(m);
  const variance = new Float64Array(rows * D);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      const w = m.pi[r * K + k];
      for (let d = 0; d < D; d++) {
        const [componentMean, componentVariance] = componentMoments(m, (r * K + k) * D + d);
        variance[r * D + d] += w * (componentVariance + (componentMean - mean[r * D + d]) ** 2);
      }
    }
  }
  return variance;
}
