// How well a predicted distribution's uncertainty matches what happened, for one-dimensional targets: the
// continuous ranked probability score (CRPS), the coverage of central predictive intervals, and the PIT
// (probability integral transform) histogram, which is flat for calibrated predictions. Closed form for
// Gaussian mixtures; numerical integration of the CDF for the other families and for log-normal components.
import { InvalidArgumentError } from '../runtime/errors.js';
import { type Mixture, smallestDegreesOfFreedom, standardCdfsOf } from './mixture.js';
import { circularCdfOfRow, mixtureCdf, mixtureQuantile } from './distribution.js';
import { wrapAngle } from './vonMisesDensity.js';
import { normalCdf } from './normalCdf.js';

export interface Calibration {
  readonly rows: number;
  /** Mean CRPS per row, in the units of y (lower is better; 0 for a point mass at the truth). */
  readonly crps: number;
  /** For each level p, the fraction of rows whose y lies in the central p predictive interval (ideally p). */
  readonly coverage: readonly { readonly level: number; readonly fraction: number }[];
  /** Rows whose PIT value F(y | x) falls in each of `bins` equal bins of [0, 1] (ideally all equal). */
  readonly pit: readonly number[];
}

export interface CalibrationOptions {
  /** Central interval levels to check (default [0.5, 0.9]). */
  readonly levels?: readonly number[];
  /** Bins of the PIT histogram (default 10). */
  readonly bins?: number;
}

const phi = (z: number) => Math.exp(-0.5 * z * z) / Math.sqrt(2 * Math.PI);
// E|X − m| for X ~ N(0, s²) shifted by m: the building block of the Gaussian mixture's CRPS (Grimit et al. 2006).
const absMoment = (m: number, s: number) => 2 * s * phi(m / s) + m * (2 * normalCdf(m / s) - 1);

/** CRPS of each row's mixture at y: E|Y − y| − ½ E|Y − Y'|, in the units of y. */
export function mixtureCrps(m: Mixture, y: ArrayLike<number>): Float64Array {
  if (m.dims !== 1) throw new InvalidArgumentError(`the CRPS is computed for one-dimensional y; this model has outputDim ${m.dims}`);
  if (y.length !== m.rows) throw new InvalidArgumentError(`y must hold one value per row (${m.rows}), got ${y.length}`);
  const closedForm = (m.family ?? 'gaussian') === 'gaussian' && !m.logNormal;
  return Float64Array.from({ length: m.rows }, (_, r) => (closedForm ? gaussianCrps(m, r, y[r]) : integratedCrps(m, r, y[r])));
}

function gaussianCrps(m: Mixture, r: number, y: number): number {
  const K = m.components;
  const w = (k: number) => m.pi[r * K + k];
  const mu = (k: number) => m.mu[r * K + k];
  const s = (k: number) => m.sigma[r * K + k];
  let toTruth = 0;
  let spread = 0;
  for (let j = 0; j < K; j++) {
    toTruth += w(j) * absMoment(y - mu(j), s(j));
    for (let k = 0; k < K; k++) spread += w(j) * w(k) * absMoment(mu(j) - mu(k), Math.hypot(s(j), s(k)));
  }
  return toTruth - 0.5 * spread;
}

/**
 * ∫ (F(z) − 1{z ≥ y})² dz by Simpson's rule on pieces cut at each component's μ ± c·σ (c up to 40, 12 for
 * log-normal components, whose integrand carries e^t in t = log z) and at y, 32 panels each: fine where the
 * density changes, whatever the components' scales (within 1e-7 of the closed forms in test/unit/calibration.test.ts).
 */
const PANELS = 32;

// Von Mises components: ∫ (F − 1{z ≥ y})² over (−π, π], F their CDF on that interval, by Simpson's rule on
// pieces cut every π/16, at each component's μ ± c·σ inside it (σ = 1/√κ) and at y.
function circularCrps(m: Mixture, r: number, y: number): number {
  const K = m.components;
  const cdf = circularCdfOfRow(m, r);
  const target = wrapAngle(y);
  const cuts = new Set<number>([target, ...Array.from({ length: 33 }, (_, i) => -Math.PI + (i * Math.PI) / 16)]);
  for (let k = 0; k < K; k++) {
    for (const c of [0, 0.5, 1, 2, 4, 8]) {
      for (const sign of [-1, 1]) {
        const at = m.mu[r * K + k] + sign * c * m.sigma[r * K + k];
        if (Math.abs(at - m.mu[r * K + k]) < Math.PI) cuts.add(wrapAngle(at));
      }
    }
  }
  const points = [...cuts].sort((a, b) => a - b);
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    const below = b <= target;
    const miss = (t: number) => (below ? cdf(t) ** 2 : (1 - cdf(t)) ** 2);
    const h = (b - a) / PANELS;
    let sum = miss(a) + miss(b);
    for (let j = 1; j < PANELS; j++) sum += (j % 2 ? 4 : 2) * miss(a + j * h);
    total += (sum * h) / 3;
  }
  return total;
}

function integratedCrps(m: Mixture, r: number, y: number): number {
  if (m.family === 'von-mises') return circularCrps(m, r, y);
  const K = m.components;
  const cdfAt = standardCdfsOf(m);
  if (m.logNormal && !(y > 0)) y = Number.MIN_VALUE;
  const target = m.logNormal ? Math.log(y) : y;
  // Student-t tails fall as |u|^−ν: cut on out to where (1 − F)² is below 1e−16 of a scale, about 10^(16/(2ν − 1)).
  const far = m.family === 'student-t' ? [100, 1e3, 1e4, 1e5, 1e6].filter((c) => c < 10 * 10 ** (16 / (2 * smallestDegreesOfFreedom(m) - 1))) : [];
  const reach = m.logNormal ? [0, 0.5, 1, 2, 4, 8, 12] : [0, 0.5, 1, 2, 4, 8, 16, 40, ...far];
  const cuts = new Set<number>([target]);
  for (let k = 0; k < K; k++) for (const c of reach) for (const sign of [-1, 1]) cuts.add(m.mu[r * K + k] + sign * c * m.sigma[r * K + k]);
  const points = [...cuts].sort((a, b) => a - b);
  // Below the target the miss is F², above it (1 − F)²; a piece lies wholly on one side (the target is a cut).
  const integrand = (t: number, below: boolean) => {
    let p = 0;
    for (let k = 0; k < K; k++) p += m.pi[r * K + k] * cdfAt(r * K + k)((t - m.mu[r * K + k]) / m.sigma[r * K + k]);
    const miss = below ? p * p : (1 - p) * (1 - p);
    return m.logNormal ? miss * Math.exp(t) : miss;
  };
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const [a, b] = [points[i - 1], points[i]];
    const below = b <= target;
    const h = (b - a) / PANELS;
    let sum = integrand(a, below) + integrand(b, below);
    for (let j = 1; j < PANELS; j++) sum += (j % 2 ? 4 : 2) * integrand(a + j * h, below);
    total += (sum * h) / 3;
  }
  return total;
}

/**
 * CRPS, interval coverage and the PIT histogram of predicted mixtures against the truth y (one value per row).
 * @example
 * const { crps, coverage, pit } = calibrationOf(await model.predict(x), y);
 */
export function calibrationOf(m: Mixture, y: ArrayLike<number>, options: CalibrationOptions = {}): Calibration {
  const levels = options.levels ?? [0.5, 0.9];
  const bins = options.bins ?? 10;
  for (const level of levels) if (!(level > 0 && level < 1)) throw new InvalidArgumentError(`coverage levels must lie strictly between 0 and 1, got ${level}`);
  if (!(Number.isInteger(bins) && bins >= 1 && bins <= 1000)) throw new InvalidArgumentError(`bins must be an integer from 1 to 1000, got ${bins}`);
  const crps = mixtureCrps(m, y);
  const pitValues = mixtureCdf(m, y);
  const pit = new Array<number>(bins).fill(0);
  for (const p of pitValues) pit[Math.min(bins - 1, Math.floor(p * bins))]++;
  const coverage = levels.map((level) => {
    const low = mixtureQuantile(m, (1 - level) / 2);
    const high = mixtureQuantile(m, (1 + level) / 2);
    let inside = 0;
    for (let r = 0; r < m.rows; r++) if (y[r] >= low[r] && y[r] <= high[r]) inside++;
    return { level, fraction: inside / m.rows };
  });
  return { rows: m.rows, crps: crps.reduce((a, b) => a + b, 0) / m.rows, coverage, pit };
}
