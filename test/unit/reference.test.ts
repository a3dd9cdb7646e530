// The float64 reference checked against central finite differences. In f64 with h = 1e-6·max(1, |v|) the
// truncation error is O(h²·f''') and the rounding error O(ε·|f| / h) ≈ 1e-10·|f|: tolerances of
// atol 1e-6 + rtol 1e-6 sit well above both and far below any real gradient mistake.
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/shaders/activation.wgsl.js';
import { SIGMA_ACTIVATIONS } from '../../src/shaders/sigma.wgsl.js';
import { activate, activationGradFromOutput } from '../../src/mdn/reference/activations.js';
import { sigmaTerms } from '../../src/mdn/reference/sigma.js';
import { denseBackward, denseForward } from '../../src/mdn/reference/dense.js';
import { headWidthOf, mixtureNll } from '../../src/mdn/reference/mixture.js';
import { lossAndGradient } from '../../src/mdn/reference/network.js';
import { adamUpdate } from '../../src/mdn/reference/optimizer.js';
import { initialParameters } from '../../src/mdn/init.js';
import { Random } from '../../src/mdn/random.js';
import type { MdnArchitecture } from '../../src/mdn/architecture.js';
import { compareArrays } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { centralDifference } from './fd.js';

const FD = { atol: 1e-6, rtol: 1e-6 };

describe('activations', () => {
  it.each(ACTIVATIONS)('%s: derivative from the output matches finite differences', (activation) => {
    // Points away from relu/elu's kink at 0, where the derivative is one-sided.
    const xs = Float64Array.from([-3, -1.2, -0.3, 0.2, 0.9, 2.5]);
    const analytic = xs.map((x) => activationGradFromOutput(activation, activate(activation, x)));
    const fd = xs.map((x) => {
      const v = Float64Array.of(x);
      return centralDifference(v, () => activate(activation, v[0]))[0];
    });
    expectReportsPass([compareArrays(activation, analytic, fd, FD)]);
  });
});

describe('σ activations', () => {
  it.each(SIGMA_ACTIVATIONS)('%s: d log σ / ds matches finite differences, and σ > 0', (kind) => {
    const ss = Float64Array.from([-30, -5, -1, -0.1, 0.3, 2, 20]);
    const analytic = ss.map((s) => sigmaTerms(kind, s, 1e-7).dLogSigma);
    const fd = ss.map((s) => {
      const v = Float64Array.of(s);
      return centralDifference(v, () => sigmaTerms(kind, v[0], 1e-7).logSigma)[0];
    });
    expectReportsPass([compareArrays(kind, analytic, fd, FD)]);
    for (const s of ss) expect(sigmaTerms(kind, s, 1e-7).sigma).toBeGreaterThan(0);
  });

  it('elu1 is elu(s) + 1 + ε and softplus is log(1 + e^s)', () => {
    expect(sigmaTerms('elu1', 0.5, 1e-7).sigma).toBeCloseTo(1.5 + 1e-7, 12);
    expect(sigmaTerms('elu1', -2, 1e-7).sigma).toBeCloseTo(Math.exp(-2) + 1e-7, 12);
    expect(sigmaTerms('softplus', 1, 0).sigma).toBeCloseTo(Math.log(1 + Math.E), 12);
  });
});

describe('dense layer', () => {
  it.each(ACTIVATIONS)('%s: parameter and input gradients match finite differences', (activation) => {
    const shape = { rows: 4, inputs: 3, outputs: 5 };
    const random = new Random(11);
    const x = random.fill(12, (r) => r.range(-1, 1));
    const params = random.fill(20, (r) => r.range(-1, 1));
    const weights = random.fill(20, (r) => r.range(-1, 1)); // a random linear loss on the output
    const loss = () => denseForward(x, params, shape, activation).reduce((s, y, i) => s + weights[i] * y, 0);
    const y = denseForward(x, params, shape, activation);
    const dPre = y.map((v, i) => weights[i] * activationGradFromOutput(activation, v));
    const { paramGrad, inputGrad } = denseBackward(x, dPre, params, shape);
    expectReportsPass([
      compareArrays(`${activation} dW`, paramGrad, centralDifference(params, loss), FD),
      compareArrays(`${activation} dX`, inputGrad, centralDifference(x, loss), FD),
    ]);
  });
});

describe('mixture head', () => {
  it.each(SIGMA_ACTIVATIONS)('%s: NLL gradient matches finite differences for K 3, D 2', (sigma) => {
    const shape = { batch: 3, components: 3, dims: 2, sigma, sigmaEpsilon: 1e-7 };
    const random = new Random(5);
    const head = random.fill(3 * headWidthOf(3, 2), (r) => r.range(-1.5, 1.5));
    const target = random.fill(6, (r) => r.range(-2, 2));
    const total = () => mixtureNll(head, target, shape).sampleNll.reduce((a, b) => a + b, 0);
    expectReportsPass([compareArrays(`${sigma} head grad`, mixtureNll(head, target, shape).headGrad, centralDifference(head, total), FD)]);
  });

  // |u| has a kink at u = 0; random targets and means never sit there, so central differences apply.
  it.each(SIGMA_ACTIVATIONS)('Laplace components, %s: NLL gradient matches finite differences for K 3, D 2', (sigma) => {
    const shape = { batch: 3, components: 3, dims: 2, sigma, sigmaEpsilon: 1e-7, family: 'laplace' as const };
    const random = new Random(6);
    const head = random.fill(3 * headWidthOf(3, 2), (r) => r.range(-1.5, 1.5));
    const target = random.fill(6, (r) => r.range(-2, 2));
    const total = () => mixtureNll(head, target, shape).sampleNll.reduce((a, b) => a + b, 0);
    expectReportsPass([compareArrays(`laplace ${sigma} head grad`, mixtureNll(head, target, shape).headGrad, centralDifference(head, total), FD)]);
  });

  it.each([1.5, 3, 30])('Student-t components (ν = %s): NLL gradient matches finite differences for K 3, D 2', (degreesOfFreedom) => {
    const shape = { batch: 3, components: 3, dims: 2, sigma: 'softplus' as const, sigmaEpsilon: 1e-7, family: 'student-t' as const, degreesOfFreedom };
    const random = new Random(7);
    const head = random.fill(3 * headWidthOf(3, 2), (r) => r.range(-1.5, 1.5));
    const target = random.fill(6, (r) => r.range(-4, 4));
    const total = () => mixtureNll(head, target, shape).sampleNll.reduce((a, b) => a + b, 0);
    expectReportsPass([compareArrays(`student-t ${degreesOfFreedom} head grad`, mixtureNll(head, target, shape).headGrad, centralDifference(head, total), FD)]);
  });

  it('K = 1 Student-t is the t density (ν = 1 is Cauchy), and integrates to 1', () => {
    const cauchy = { batch: 1, components: 1, dims: 1, sigma: 'exp' as const, sigmaEpsilon: 0, family: 'student-t' as const, degreesOfFreedom: 1 };
    // Cauchy(μ = 1.5, γ = 2) at 0.5: 1 / (π γ (1 + ((y − μ)/γ)²)).
    expect(mixtureNll([0.7, 1.5, Math.log(2)], [0.5], cauchy).sampleNll[0]).toBeCloseTo(Math.log(Math.PI * 2 * 1.25), 12);
    const t4 = { ...cauchy, degreesOfFreedom: 4 };
    let integral = 0;
    for (let y = -400; y < 400; y += 0.002) integral += 0.002 * Math.exp(-mixtureNll([0, 1.5, Math.log(2)], [y + 0.001], t4).sampleNll[0]);
    expect(integral).toBeCloseTo(1, 5);
  });

  it('K = 1 Laplace is log 2b + |y − μ| / b, and integrates to 1', () => {
    const shape = { batch: 1, components: 1, dims: 1, sigma: 'exp' as const, sigmaEpsilon: 0, family: 'laplace' as const };
    expect(mixtureNll([0.7, 1.5, Math.log(2)], [0.5], shape).sampleNll[0]).toBeCloseTo(Math.log(4) + 0.5, 12);
    let integral = 0;
    for (let y = -40; y < 40; y += 0.001) integral += 0.001 * Math.exp(-mixtureNll([0, 1.5, Math.log(2)], [y + 0.0005], shape).sampleNll[0]);
    expect(integral).toBeCloseTo(1, 6);
  });

  it('the σ penalty adds λ Σ s² per row, and its gradient matches finite differences', () => {
    const shape = { batch: 2, components: 2, dims: 2, sigma: 'elu1' as const, sigmaEpsilon: 1e-7, sigmaPenalty: 0.3 };
    const random = new Random(8);
    const head = random.fill(2 * headWidthOf(2, 2), (r) => r.range(-1.5, 1.5));
    const target = random.fill(4, (r) => r.range(-2, 2));
    const plain = mixtureNll(head, target, { ...shape, sigmaPenalty: 0 }).sampleNll;
    const penalised = mixtureNll(head, target, shape).sampleNll;
    const squares = [0, 1].map((r) => Array.from(head.slice(r * 10 + 6, r * 10 + 10)).reduce((s, v) => s + v * v, 0));
    expect(penalised[0] - plain[0]).toBeCloseTo(0.3 * squares[0], 12);
    const total = () => mixtureNll(head, target, shape).sampleNll.reduce((a, b) => a + b, 0);
    expectReportsPass([compareArrays('penalised head grad', mixtureNll(head, target, shape).headGrad, centralDifference(head, total), FD)]);
  });

  it('K = 1 is the Gaussian NLL, and responsibilities make mixing gradients sum to zero', () => {
    const shape = { batch: 1, components: 1, dims: 1, sigma: 'exp' as const, sigmaEpsilon: 0 };
    const { sampleNll } = mixtureNll([0.7, 1.5, Math.log(2)], [0.5], shape);
    const expected = 0.5 * Math.log(2 * Math.PI) + Math.log(2) + 0.5 * ((0.5 - 1.5) / 2) ** 2;
    expect(sampleNll[0]).toBeCloseTo(expected, 12);
    const k5 = { batch: 1, components: 5, dims: 1, sigma: 'softplus' as const, sigmaEpsilon: 0 };
    const random = new Random(2);
    const { headGrad } = mixtureNll(random.fill(15, (r) => r.normal()), [0.3], k5);
    expect(Math.abs(headGrad.slice(0, 5).reduce((a, b) => a + b, 0))).toBeLessThan(1e-12);
  });

  it('stays finite for targets 1e3 σ away and σ pre-activations of ±50', () => {
    const shape = { batch: 1, components: 2, dims: 1, sigma: 'exp' as const, sigmaEpsilon: 0 };
    const far = mixtureNll([0, 0, 0, 1, 0, 0], [1000], shape);
    const wide = mixtureNll([0, 0, 0, 1, 50, -50], [0.5], shape);
    for (const v of [...far.sampleNll, ...far.headGrad, ...wide.sampleNll, ...wide.headGrad]) expect(Number.isFinite(v)).toBe(true);
  });
});

describe('whole network', () => {
  it.each(['tanh', 'elu'] as const)('mean-NLL gradient of every parameter matches finite differences (%s)', (activation) => {
    const arch: MdnArchitecture = { inputDim: 2, outputDim: 2, hidden: [4, 3], activation, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 };
    const random = new Random(9);
    const rows = 5;
    const x = random.fill(rows * 2, (r) => r.normal());
    const y = random.fill(rows * 2, (r) => r.normal());
    const params = initialParameters(arch, 3).map((p) => p.map((v) => v + 0.05 * random.normal()));
    const { grads } = lossAndGradient(arch, params, x, y, rows);
    expectReportsPass(
      params.map((p, i) => compareArrays(`layer${i}`, grads[i], centralDifference(p, () => lossAndGradient(arch, params, x, y, rows).loss), FD)),
    );
  });
});

describe('Adam reference', () => {
  it('first step moves each parameter by lr · g / (|g| + ε) against its gradient', () => {
    const p = Float64Array.of(1, -2);
    adamUpdate(p, [0.5, -0.001], new Float64Array(2), new Float64Array(2), 1, { learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 });
    expect(p[0]).toBeCloseTo(1 - 0.1 * (0.5 / (0.5 + 1e-8)), 12);
    expect(p[1]).toBeCloseTo(-2 + 0.1 * (0.001 / (0.001 + 1e-8)), 12);
  });
});
