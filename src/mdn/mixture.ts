// A predicted mixture per row, and its moments. The moments are closed-form sums over the components, done
// on the CPU from parameters the GPU predicted (O(rows·K·D), small beside the network that produced them).
import type { ComponentDensity } from '../shaders/componentDensity.wgsl.js';
import { type StandardDensity, standardDensityOf } from './heads/standardDensity.js';
import { standardCdfOf } from './heads/standardCdf.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { type SideOutputSpec, logitsOf } from './heads/sideOutputs.js';
import { circularMean, circularVariance } from './vonMisesDensity.js';

/** The family of a mixture's components as the CPU functions read it (full covariance is 'gaussian' with `lower`). */
export type MixtureFamily = ComponentDensity | 'von-mises';

/** One discrete side output's predicted probabilities (createMdn's `sideOutputs`). */
export interface SideOutputProbabilities {
  readonly kind: SideOutputSpec['kind'];
  readonly name?: string;
  /** Classes: 2 for a Bernoulli output, C for a categorical one. */
  readonly classes: number;
  /** rows x 1 P(y = 1) for a Bernoulli output; rows x C class probabilities (each row sums to 1) for a categorical one. */
  readonly probabilities: Float32Array;
}

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
   * 'student-t' (location μ, scale σ, `degreesOfFreedom` ν, or `nu` where it is learned), or 'von-mises' (angles
   * in radians: mean direction μ, concentration κ = 1/σ²).
   */
  readonly family?: MixtureFamily;
  /** Student-t components' degrees of freedom, where fixed. */
  readonly degreesOfFreedom?: number;
  /** Student-t components' learned degrees of freedom, rows x K x D (degreesOfFreedom: 'learned'). */
  readonly nu?: Float32Array;
  /**
   * Full covariance (family 'gaussian-full'): rows x K x D(D−1)/2, each component's Cholesky factor L below its
   * diagonal, row by row ((1,0), (2,0), (2,1), …); `sigma` holds L's diagonal, and the covariance is L Lᵀ.
   */
  readonly lower?: Float32Array;
  /**
   * True where the model log-transforms its targets (`scale: { logY: true }`): μ and σ are then those of log y,
   * and each component is log-normal in y. mean, variance, mode, cdf and quantile account for it.
   */
  readonly logNormal?: boolean;
  /** The side outputs' probabilities, in the order of the model's `sideOutputs` (absent where it has none). */
  readonly sideOutputs?: readonly SideOutputProbabilities[];
}

/** How splitMixture reads a row: what the model's head and scaling make of it. */
export interface SplitOptions {
  readonly logNormal?: boolean;
  readonly family?: MixtureFamily;
  readonly degreesOfFreedom?: number;
  /** Entries of each component's Cholesky factor below its diagonal, after the scales (full covariance). */
  readonly lowerPerComponent?: number;
  /** Student-t ν per component and dimension after the scales (learned degrees of freedom). */
  readonly learnedDegreesOfFreedom?: boolean;
  /** The model's side outputs, whose probabilities follow the family's values in each row. */
  readonly sideOutputs?: readonly SideOutputSpec[];
}

/**
 * Splits kernel output rows [π (K) | μ (K·D) | σ (K·D) | (full covariance) L below its diagonal | side outputs'
 * probabilities] into a Mixture.
 * The fifth argument may also be `logNormal` alone, as before.
 */
export function splitMixture(params: Float32Array, rows: number, components: number, dims: number, options: SplitOptions | boolean = {}): Mixture {
  const { logNormal = false, family = 'gaussian', degreesOfFreedom, lowerPerComponent = 0, learnedDegreesOfFreedom = false, sideOutputs = [] } = typeof options === 'boolean' ? { logNormal: options } : options;
  const K = components;
  const KD = K * dims;
  const KL = K * (learnedDegreesOfFreedom ? dims : lowerPerComponent);
  const own = K + 2 * KD + KL;
  const width = own + sideOutputs.reduce((n, s) => n + logitsOf(s), 0);
  const pi = new Float32Array(rows * K);
  const mu = new Float32Array(rows * KD);
  const sigma = new Float32Array(rows * KD);
  const lower = new Float32Array(rows * KL);
  for (let r = 0; r < rows; r++) {
    pi.set(params.subarray(r * width, r * width + K), r * K);
    mu.set(params.subarray(r * width + K, r * width + K + KD), r * KD);
    sigma.set(params.subarray(r * width + K + KD, r * width + K + 2 * KD), r * KD);
    lower.set(params.subarray(r * width + K + 2 * KD, r * width + own), r * KL);
  }
  let column = own;
  const sides = sideOutputs.map((s): SideOutputProbabilities => {
    const C = logitsOf(s);
    const probabilities = new Float32Array(rows * C);
    for (let r = 0; r < rows; r++) probabilities.set(params.subarray(r * width + column, r * width + column + C), r * C);
    column += C;
    return { kind: s.kind, ...(s.name === undefined ? {} : { name: s.name }), classes: s.kind === 'bernoulli' ? 2 : C, probabilities };
  });
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
    ...(lowerPerComponent > 0 && !learnedDegreesOfFreedom ? { lower } : {}),
    ...(learnedDegreesOfFreedom ? { nu: lower } : {}),
    ...(sides.length > 0 ? { sideOutputs: sides } : {}),
  };
}

// (L Lᵀ)_dd = L_dd² + Σ_{j<d} L_dj² for the value at i = (row · K + k) · D + d.
function fullVariance(m: Mixture, i: number): number {
  const D = m.dims;
  const d = i % D;
  const start = ((i - d) / D) * ((D * (D - 1)) / 2) + (d * (d - 1)) / 2;
  let sum = m.sigma[i] ** 2;
  for (let j = 0; j < d; j++) sum += m.lower![start + j] ** 2;
  return sum;
}

// The location-scale view of a mixture: von Mises components have none (see ./vonMisesDensity.ts).
function locationScale(m: Mixture): Mixture & { family?: ComponentDensity } {
  if (m.family === 'von-mises') throw new Error('von Mises components are not a location-scale family');
  return m as Mixture & { family?: ComponentDensity };
}

/** The standard density of the component value at i = (row · K + k) · D + d: learned ν gives each its own. */
export function standardAt(m: Mixture, i: number): StandardDensity {
  return m.nu ? standardDensityOf({ family: 'student-t', degreesOfFreedom: m.nu[i] }) : standardDensityOf(locationScale(m));
}

/** The standard CDF of each component value (i as for standardAt); one function for the mixture unless ν is learned. */
export function standardCdfsOf(m: Mixture): (i: number) => (u: number) => number {
  if (!m.nu) {
    const cdf = standardCdfOf(locationScale(m));
    return () => cdf;
  }
  const nu = m.nu;
  return (i) => standardCdfOf({ family: 'student-t', degreesOfFreedom: nu[i] });
}

/** The smallest degrees of freedom of Student-t components (fixed or learned): their heaviest tail. */
export function smallestDegreesOfFreedom(m: Mixture): number {
  return m.nu ? m.nu.reduce((a, b) => Math.min(a, b), Infinity) : (m.degreesOfFreedom ?? Infinity);
}

// A component's mean and variance in y: μ and v·σ² (v the standard density's variance: 1 Gaussian, 2 Laplace,
// ν/(ν − 2) Student-t, Infinity for ν <= 2; full covariance: the diagonal of L Lᵀ),
// or for a log-normal component exp(μ + σ²/2) and (e^{σ²} − 1) e^{2μ + σ²}.
function componentMoments(m: Mixture, i: number): [number, number] {
  const mu = m.mu[i];
  const s2 = m.lower ? fullVariance(m, i) : standardAt(m, i).variance * m.sigma[i] ** 2;
  if (!m.logNormal) return [mu, s2];
  return [Math.exp(mu + s2 / 2), Math.expm1(s2) * Math.exp(2 * mu + s2)];
}

/**
 * E[y | x] = Σ_k π_k μ_k (log-normal components: Σ_k π_k exp(μ_k + σ_k²/2)), rows x D; for von Mises
 * components the circular mean direction (vonMisesDensity.ts).
 * @example
 * const m = mixtureMean(await model.predict(x));
 */
export function mixtureMean(m: Mixture): Float64Array {
  if (m.family === 'von-mises') return circularMean(m);
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
 * Var[y_d | x] by the law of total variance (von Mises components: the circular variance 1 − R, in [0, 1]), Σ_k π_k (v σ_k² + (μ_k − mean)²), rows x D (the diagonal; the
 * deviation form has no cancellation, unlike Σ π (σ² + μ²) − mean²).
 * @example
 * const v = mixtureVariance(await model.predict(x));
 */
export function mixtureVariance(m: Mixture): Float64Array {
  if (m.family === 'von-mises') return circularVariance(m);
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

/** Component c's (c = row · K + k) covariance, D x D row-major: L Lᵀ, or diag(v σ²) for the diagonal families. */
export function componentCovariance(m: Mixture, c: number): Float64Array {
  if (m.family === 'von-mises') throw new InvalidArgumentError('covariance: von Mises components are angles; variance gives their circular variance');
  const D = m.dims;
  const L = new Float64Array(D * D);
  const lowerPerComponent = (D * (D - 1)) / 2;
  for (let i = 0; i < D; i++) {
    L[i * D + i] = (m.lower ? 1 : Math.sqrt(standardAt(m, c * D + i).variance)) * m.sigma[c * D + i];
    if (m.lower) for (let j = 0; j < i; j++) L[i * D + j] = m.lower[c * lowerPerComponent + (i * (i - 1)) / 2 + j];
  }
  const covariance = new Float64Array(D * D);
  for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) for (let t = 0; t <= Math.min(i, j); t++) covariance[i * D + j] += L[i * D + t] * L[j * D + t];
  return covariance;
}

/**
 * Cov[y | x] by the law of total covariance, Σ_k π_k (Σ_k + (μ_k − mean)(μ_k − mean)ᵀ): rows x D x D. Diagonal
 * families give diagonal component covariances; the mixture's is full all the same where the means spread.
 * Log-normal components are not covered (their covariance is not the one of log y): refused.
 * @example
 * const c = mixtureCovariance(await model.predict(x)); // c[(r * D + i) * D + j]
 */
export function mixtureCovariance(m: Mixture): Float64Array {
  if (m.logNormal) throw new InvalidArgumentError('mixtureCovariance: log-normal components are not covered (mixtureVariance gives the variances in y)');
  if (m.family === 'von-mises') throw new InvalidArgumentError('covariance: von Mises components are angles; variance gives their circular variance');
  const { rows, components: K, dims: D } = m;
  const mean = mixtureMean(m);
  const out = new Float64Array(rows * D * D);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      const w = m.pi[r * K + k];
      const c = componentCovariance(m, r * K + k);
      for (let i = 0; i < D; i++) {
        const di = m.mu[(r * K + k) * D + i] - mean[r * D + i];
        for (let j = 0; j < D; j++) out[(r * D + i) * D + j] += w * (c[i * D + j] + di * (m.mu[(r * K + k) * D + j] - mean[r * D + j]));
      }
    }
  }
  return out;
}
