// Architecture, initialisation, data helpers and option validation.
import { describe, expect, it } from 'vitest';
import { type MdnArchitecture, denseLayers, headWidth, parameterLayout, validateArchitecture } from '../../src/mdn/architecture.js';
import { initialParameters } from '../../src/mdn/init.js';
import { inverseSine, logJacobian, noisySpiral, standardize } from '../../src/mdn/datasets.js';
import { resolveOptimizer } from '../../src/mdn/optimizerOptions.js';
import { Random } from '../../src/mdn/random.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';

const arch: MdnArchitecture = { inputDim: 1, outputDim: 2, hidden: [24, 8], activation: 'tanh', components: 5, sigma: 'exp', sigmaEpsilon: 1e-7 };

describe('architecture', () => {
  it('lays out hidden layers then a linear head of K(1 + 2D) outputs', () => {
    expect(headWidth(arch)).toBe(25);
    expect(denseLayers(arch)).toEqual([
      { inputs: 1, outputs: 24, activation: 'tanh' },
      { inputs: 24, outputs: 8, activation: 'tanh' },
      { inputs: 8, outputs: 25, activation: 'identity' },
    ]);
    const layout = parameterLayout(arch);
    expect(layout.slices.map((s) => s.length)).toEqual([48, 200, 225]);
  });

  it.each([
    [{ components: 0 }, /components must be an integer >= 1, got 0/],
    [{ inputDim: 1.5 }, /inputDim/],
    [{ hidden: [4, -1] }, /hidden must be a list/],
    [{ activation: 'swish' }, /activation must be one of identity, relu, tanh, sigmoid, elu/],
    [{ sigma: 'abs' }, /sigma must be one of exp, softplus, elu1/],
    [{ sigmaEpsilon: -1 }, /sigmaEpsilon/],
    [{ sigmaEpsilon: 1e300 }, /sigmaEpsilon must be a number in \[0, 1\], got 1e\+300/],
    // Sizes that would make V8 fail on allocation ("Invalid typed array length") are refused by name first.
    [{ hidden: [1e9] }, /this architecture has [0-9,]+ parameters \([0-9.]+ GiB\); the limit is 268,435,456 \(1 GiB of float32\)/],
    [{ components: 1e9 }, /parameters .* the limit is 268,435,456/],
  ])('refuses %o', (change, message) => {
    expect(() => validateArchitecture({ ...arch, ...change } as MdnArchitecture)).toThrow(InvalidArgumentError);
    expect(() => validateArchitecture({ ...arch, ...change } as MdnArchitecture)).toThrow(message);
  });
});

describe('initial parameters', () => {
  it('are Glorot-uniform f32 values with zero bias, repeatable from the seed', () => {
    const [first] = initialParameters(arch, 4);
    const limit = Math.sqrt(6 / (1 + 24));
    expect(first.slice(0, 24).every((v) => Math.abs(v) <= limit && Math.fround(v) === v)).toBe(true);
    expect(first.slice(24).every((v) => v === 0)).toBe(true);
    expect(initialParameters(arch, 4)).toEqual(initialParameters(arch, 4));
    expect(initialParameters(arch, 5)[1]).not.toEqual(initialParameters(arch, 4)[1]);
  });
  it("'pytorch': weights and biases uniform in ±1/√fan_in, as torch.nn.Linear resets them", () => {
    const wide: MdnArchitecture = { ...arch, inputDim: 16, hidden: [400] };
    const [first, head] = initialParameters(wide, 4, 'pytorch');
    for (const [block, fanIn] of [[first, 16], [head, 400]] as const) {
      const bound = 1 / Math.sqrt(fanIn);
      const values = Array.from(block);
      expect(values.every((v) => Math.abs(v) <= bound && Math.fround(v) === v)).toBe(true);
      // Uniform on ±bound: mean 0 and variance bound²/3, within 5 standard errors of the sample's.
      const n = values.length;
      const mean = values.reduce((a, b) => a + b, 0) / n;
      const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / n;
      expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(bound ** 2 / 3 / n));
      expect(Math.abs(variance - bound ** 2 / 3)).toBeLessThan(5 * Math.sqrt((4 / 45) * bound ** 4 / n));
    }
    // The biases are drawn too (the last row of each block).
    expect(Array.from(first.slice(16 * 400)).some((v) => v !== 0)).toBe(true);
  });

  it('createMdn refuses an unknown scheme before touching a GPU', async () => {
    const { createMdn } = await import('../../src/mdn/createMdn.js');
    await expect(createMdn({ inputDim: 1, outputDim: 1, init: 'he' as never })).rejects.toThrow(/init must be one of glorot, pytorch, got "he"/);
  });
});

describe('data', () => {
  it("generates the inverse-sine data repeatably", () => {
    const a = inverseSine(1000, 0);
    expect(a.x).toEqual(inverseSine(1000, 0).x);
    expect(Math.min(...a.y)).toBeGreaterThanOrEqual(-10.5);
    expect(Math.max(...a.y)).toBeLessThan(10.5);
    // x = 7 sin(0.75 y) + 0.5 y + N(0, 1): residuals have unit variance.
    const residual = a.x.map((x, i) => x - 7 * Math.sin(0.75 * a.y[i]) - 0.5 * a.y[i]);
    const variance = residual.reduce((s, r) => s + r * r, 0) / 1000;
    expect(variance).toBeGreaterThan(0.85);
    expect(variance).toBeLessThan(1.15);
  });

  it("generates the noisy spirals, each scaled to [-5, 5], repeatably", () => {
    const d = noisySpiral(3, 200, 1);
    expect(d.rows).toBe(600);
    for (let s = 0; s < 3; s++) {
      const xs = d.x.slice(s * 200, (s + 1) * 200);
      expect(Math.min(...xs)).toBeCloseTo(-5, 12);
      expect(Math.max(...xs)).toBeCloseTo(5, 12);
    }
    expect(noisySpiral(3, 200, 1).y).toEqual(d.y);
    expect(noisySpiral(3, 200, 2).y).not.toEqual(d.y);
  });

  it('standardises columns and reports the log-Jacobian back to original units', () => {
    const values = Float64Array.of(1, 10, 3, 20, 5, 30);
    const { values: z, mean, std } = standardize(values, 3, 2);
    expect(Array.from(mean)).toEqual([3, 20]);
    expect(z[0]).toBeCloseTo(-Math.sqrt(1.5), 12);
    expect(logJacobian(std)).toBeCloseTo(Math.log(std[0]) + Math.log(std[1]), 12);
    expect(standardize(Float64Array.of(2, 2), 2, 1).std[0]).toBe(1);
  });

  it('draws uniform and normal numbers with the right moments', () => {
    const r = new Random(1);
    const u = r.fill(20000, (g) => g.uniform());
    const n = r.fill(20000, (g) => g.normal());
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    expect(mean(u)).toBeCloseTo(0.5, 2);
    expect(mean(n)).toBeCloseTo(0, 1);
    expect(mean(n.map((v) => v * v))).toBeCloseTo(1, 1);
  });
});

describe('optimizer options', () => {
  it('fills Keras defaults for Adam', () => {
    expect(resolveOptimizer({ kind: 'adam', learningRate: 0.01 })).toEqual({ kind: 'adam', learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 });
  });

  it('refuses bad values with the name of the setting', () => {
    expect(() => resolveOptimizer({ kind: 'adam', learningRate: -1 })).toThrow(/learningRate/);
    expect(() => resolveOptimizer({ kind: 'adam', learningRate: 0.1, beta1: 1 })).toThrow(/beta1/);
    expect(() => resolveOptimizer({ kind: 'sgd', learningRate: 0.1, momentum: Number.NaN })).toThrow(/momentum/);
    expect(() => resolveOptimizer({ kind: 'rmsprop', learningRate: 0.1 } as never)).toThrow(/'adam' or 'sgd'/);
  });
});

describe('mixture moments', () => {
  it('give the mean and the law-of-total-variance of a two-component mixture', async () => {
    const { mixtureMean, mixtureVariance } = await import('../../src/mdn/mixture.js');
    // 0.25 N(-1, 0.5²) + 0.75 N(3, 2²): mean 2, variance 0.25·0.25 + 0.75·4 + 0.25·9 + 0.75·1 = 6.0625.
    const m = { rows: 1, components: 2, dims: 1, pi: Float32Array.of(0.25, 0.75), mu: Float32Array.of(-1, 3), sigma: Float32Array.of(0.5, 2) };
    expect(mixtureMean(m)[0]).toBeCloseTo(2, 6);
    expect(mixtureVariance(m)[0]).toBeCloseTo(6.0625, 5);
  });

  it('split kernel rows into π, μ and σ', async () => {
    const { splitMixture } = await import('../../src/mdn/mixture.js');
    const m = splitMixture(Float32Array.of(0.4, 0.6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 1, 2, 2);
    expect(Array.from(m.pi)).toEqual([Math.fround(0.4), Math.fround(0.6)]);
    expect(Array.from(m.mu)).toEqual([1, 2, 3, 4]);
    expect(Array.from(m.sigma)).toEqual([5, 6, 7, 8]);
  });
});
