// A model's own scaling: the per-column values the GPU kernels read (emulated here in float64 with the
// kernels' formulas) against the scalers' float64 reference, log-normal mixtures' moments and quantiles against
// numerical integration, and scalers in the model file (new files, and files of release 0.1.0's command line).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyScaler, fitScaler, invertScaler, logJacobianOf } from '../../src/mdn/data/scaler.js';
import { checkScaling, jacobianColumns, mixtureColumns, sampleColumns, scalingColumns, scalingPlanOf } from '../../src/mdn/scaling.js';
import { mixtureMean, mixtureVariance } from '../../src/mdn/mixture.js';
import { mixtureCdf, mixtureMode, mixtureQuantile } from '../../src/mdn/distribution.js';
import type { Mixture } from '../../src/mdn/mixture.js';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { initialParameters } from '../../src/mdn/init.js';
import type { MdnArchitecture } from '../../src/mdn/architecture.js';
import { loadInferenceKernel } from '../../src/inference.js';

// The kernels' formulas (shaders/scaleColumns.ts), in float64.
const scaleColumnsCpu = (values: number[], columns: Float32Array) => {
  const width = columns.length / 4;
  return values.map((v, i) => {
    const [a, b, pre, post] = columns.subarray((i % width) * 4, (i % width) * 4 + 4);
    const t = a * (pre ? Math.log(v) : v) + b;
    return post ? Math.exp(t) : t;
  });
};

const x = [3, 7, -1, 12, 5, 5.5, 0.2, 9];
const y = [120, 0.5, 3000, 45, 800, 2.5, 61, 7];

describe('scaling columns', () => {
  const sx = fitScaler(x, 2, 'zscore');
  const sy = fitScaler(y, 2, 'minmax', { log: true });
  // f32 column values: relative 1e-6 of the values' size.
  const close = (got: number[], want: ArrayLike<number>) => got.forEach((v, i) => expect(Math.abs(v - want[i])).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want[i]))));

  it('scale inputs and log-transformed targets as applyScaler does', () => {
    close(scaleColumnsCpu(x, scalingColumns(sx)), applyScaler(sx, x));
    close(scaleColumnsCpu(y, scalingColumns(sy)), applyScaler(sy, y));
  });

  it('take samples back as invertScaler does (exp for log targets)', () => {
    const scaled = Array.from(applyScaler(sy, y));
    close(scaleColumnsCpu(scaled, sampleColumns(sy)), invertScaler(sy, scaled));
  });

  it('take mixture parameters to original units: π unchanged, μ · s + shift, σ · s', () => {
    const K = 2;
    const row = [0.3, 0.7, /* μ */ 0.1, -0.2, 1.5, 0.4, /* σ */ 0.5, 2, 0.25, 1];
    const out = scaleColumnsCpu(row, mixtureColumns(sy, K));
    close(out.slice(0, 2), [0.3, 0.7]);
    close(out.slice(2, 6), row.slice(2, 6).map((v, i) => v * sy.scale[i % 2] + sy.shift[i % 2]));
    close(out.slice(6), row.slice(6).map((v, i) => v * sy.scale[i % 2]));
  });

  it('give the log-Jacobian of logJacobianOf from the scaled targets', () => {
    const { columns, base } = jacobianColumns(sy);
    const scaled = Array.from(applyScaler(sy, y));
    const expected = logJacobianOf(sy, y);
    for (let r = 0; r < 4; r++) {
      let j = base;
      for (let d = 0; d < 2; d++) if (columns[d * 4 + 2]) j -= scaled[r * 2 + d] * columns[d * 4] + columns[d * 4 + 1];
      expect(Math.abs(j - expected[r])).toBeLessThan(1e-5 * (1 + Math.abs(expected[r])));
    }
  });

  it('plans: a kind for both, each its own, or nothing', () => {
    expect(scalingPlanOf('zscore')).toEqual({ x: 'zscore', y: 'zscore', logY: false });
    expect(scalingPlanOf({ y: 'minmax', logY: true })).toEqual({ x: 'none', y: 'minmax', logY: true });
    expect(scalingPlanOf('none')).toBeUndefined();
    expect(() => scalingPlanOf('z-score' as never)).toThrow(/scale.x must be one of zscore, minmax, none/);
    expect(() => scalingPlanOf({ logy: true } as never)).toThrow(/scale has no option 'logy'/);
  });

  it('refuses scalers that are not', () => {
    expect(() => checkScaling({ x: { kind: 'zscore', log: false, shift: [0], scale: [0] }, y: sy }, 1, 2)).toThrow(/scaling.x.scale must be 1 finite float32 numbers > 0/);
    expect(() => checkScaling({ x: sx }, 2, 2)).toThrow(/scaling.y is missing/);
  });
});

describe('log-normal mixtures (log-transformed targets)', () => {
  const m: Mixture = { rows: 1, components: 2, dims: 1, pi: Float32Array.of(0.4, 0.6), mu: Float32Array.of(1, 2.5), sigma: Float32Array.of(0.3, 0.5), logNormal: true };
  const pdf = (v: number) => [0, 1].reduce((s, k) => s + (m.pi[k] * Math.exp(-0.5 * ((Math.log(v) - m.mu[k]) / m.sigma[k]) ** 2)) / (v * m.sigma[k] * Math.sqrt(2 * Math.PI)), 0);
  // Midpoint rule on (0, 200] with 400,000 panels; the density is negligible beyond.
  const integral = (f: (v: number) => number, upper = 200, n = 400_000) => {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const v = ((i + 0.5) * upper) / n;
      s += f(v) * pdf(v);
    }
    return (s * upper) / n;
  };

  it('mean and variance in closed form equal the integrals', () => {
    const mean = integral((v) => v);
    expect(mixtureMean(m)[0]).toBeCloseTo(mean, 4);
    expect(mixtureVariance(m)[0]).toBeCloseTo(integral((v) => (v - mean) ** 2), 2);
  });

  it('cdf and quantile in y, and 0 below 0', () => {
    const median = mixtureQuantile(m, 0.5)[0];
    expect(mixtureCdf(m, [median])[0]).toBeCloseTo(0.5, 9);
    expect(integral((v) => (v <= median ? 1 : 0))).toBeCloseTo(0.5, 4);
    expect(mixtureCdf(m, [-1])[0]).toBe(0);
  });

  it('the mode is the highest point of the density of y, not exp of the mode of log y', () => {
    const mode = mixtureMode(m)[0];
    let best = 0;
    for (let v = 0.01; v < 40; v += 0.001) if (pdf(v) > pdf(best || 0.01)) best = v;
    expect(Math.abs(mode - best)).toBeLessThan(2e-3);
  });
});

describe('scalers in the model file', () => {
  const arch: MdnArchitecture = { inputDim: 2, outputDim: 2, hidden: [3], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 };
  const blocks = initialParameters(arch, 1).map((b) => Float32Array.from(b));
  const scaling = { x: fitScaler(x, 2, 'zscore'), y: fitScaler(y, 2, 'minmax', { log: true }) };

  it('round-trip', () => {
    expect(decodeModel(encodeModel(arch, blocks, undefined, scaling)).scaling).toEqual(scaling);
    expect(decodeModel(encodeModel(arch, blocks)).scaling).toBeUndefined();
  });

  it('keep a model saved before its first fit scaling at that fit (the plan is saved until scalers are)', () => {
    const plan = { x: 'zscore' as const, y: 'minmax' as const, logY: true };
    expect(decodeModel(encodeModel(arch, blocks, undefined, undefined, plan)).scalePlan).toEqual(plan);
    // Fitted scalers replace the plan.
    expect(decodeModel(encodeModel(arch, blocks, undefined, scaling, plan)).scalePlan).toBeUndefined();
    const bad = encodeModel(arch, blocks, undefined, undefined, { ...plan, y: 'robust' as never });
    expect(() => decodeModel(bad)).toThrow(/the manifest's scalePlan is invalid: scale.y must be one of zscore, minmax, none/);
  });

  it("of release 0.1.0's command line, kept in the metadata, are applied", () => {
    const legacy = decodeModel(readFileSync('test/fixtures/cli-0.1.0.mixden'));
    const meta = legacy.metadata as { xScaler: unknown; yScaler: unknown };
    expect(legacy.scaling).toEqual({ x: meta.xScaler, y: meta.yScaler });
  });

  it('that are invalid make the file invalid, before anything is allocated', () => {
    const bad = encodeModel(arch, blocks, undefined, { ...scaling, y: { ...scaling.y, scale: [1, -1] } });
    expect(() => decodeModel(bad)).toThrow(ModelFormatError);
    expect(() => decodeModel(bad)).toThrow(/the model's scalers are invalid: scaling.y.scale/);
  });

  it('a path instead of bytes, and metadata nested past what can be saved again, are refused', () => {
    expect(() => decodeModel('model.mixden' as never)).toThrow(/read from its bytes, not from a path \('model.mixden'\)/);
    let deep: unknown = 1;
    for (let i = 0; i < 100; i++) deep = [deep];
    expect(() => decodeModel(encodeModel(arch, blocks, deep))).toThrow(/nests deeper than 64 levels/);
  });
});

describe('loading a model for inference is bounded before anything is allocated', () => {
  const device = {} as GPUDevice; // never reached: the limits refuse first
  const manyLayers: MdnArchitecture = { inputDim: 1, outputDim: 1, hidden: Array(12_000).fill(1), activation: 'tanh', components: 1, sigma: 'softplus', sigmaEpsilon: 1e-7 };
  const wideHead: MdnArchitecture = { inputDim: 1, outputDim: 1, hidden: [1], activation: 'tanh', components: 1_000_000, sigma: 'softplus', sigmaEpsilon: 1e-7 };
  const bytesOf = (a: MdnArchitecture) => encodeModel(a, initialParameters(a, 0).map((b) => Float32Array.from(b)));

  it('refuses 12,000 one-wide layers (a 1 MB file) past maxLayers, at once', async () => {
    const started = performance.now();
    await expect(loadInferenceKernel(device, bytesOf(manyLayers))).rejects.toThrow(/the model has 12001 layers; loadInferenceKernel takes up to 256 \(raise it with the maxLayers option\)/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses K = 1,000,000 where one row needs more than memoryLimit, naming what to raise', async () => {
    // 24 MB of parameters and 36 MB per row: within the default 256 MiB only 5 rows per chunk fit; under 32 MiB none.
    await expect(loadInferenceKernel(device, bytesOf(wideHead), { memoryLimit: 32 * 2 ** 20 })).rejects.toThrow(
      /needs at least 89.3 MiB of GPU memory \(22.9 MiB of parameters, 36000016 bytes per row\); memoryLimit is 32.0 MiB \(raise it with the memoryLimit option\)/,
    );
  });

  it('refuses unknown options with the nearest valid one', async () => {
    await expect(loadInferenceKernel(device, bytesOf(manyLayers), { maxRow: 16 } as never)).rejects.toThrow(/has no option 'maxRow'; did you mean 'maxRows'\?/);
  });
});
