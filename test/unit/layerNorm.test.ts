// The layerNorm layer kind and the model description around it: the float64 reference against finite
// differences (tolerances as in reference.test.ts: f64 central differences err by ~1e-10 relative), the
// description's checks, the file format, and the WGSL export, all without a GPU.
import { describe, expect, it } from 'vitest';
import { ACTIVATIONS } from '../../src/shaders/activation.wgsl.js';
import { activate } from '../../src/mdn/reference/activations.js';
import { layerNormBackward, layerNormForward } from '../../src/mdn/reference/layerNorm.js';
import { lossAndGradient } from '../../src/mdn/reference/network.js';
import { initialParameters } from '../../src/mdn/init.js';
import { Random } from '../../src/mdn/random.js';
import { type MdnArchitecture, networkLayers, parameterLayout, withLayers } from '../../src/mdn/architecture.js';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { exportWgsl } from '../../src/inference.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';
import { compareArrays } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { rewriteManifest } from '../support/modelBytes.js';
import { centralDifference } from './fd.js';

const FD = { atol: 1e-6, rtol: 1e-6 };

const head = { inputDim: 3, outputDim: 2, components: 2, sigma: 'softplus' as const, sigmaEpsilon: 1e-7 };
const arch: MdnArchitecture = withLayers(head, [
  { kind: 'dense', units: 5, activation: 'elu' },
  { kind: 'layerNorm' },
  { kind: 'dense', units: 4, activation: 'tanh' },
  { kind: 'layerNorm', epsilon: 1e-3 },
]);

describe('layerNorm reference', () => {
  it('normalises each row to mean 0 and variance var/(var + ε) before the scale and shift', () => {
    const random = new Random(1);
    const x = random.fill(3 * 6, (r) => 5 + 3 * r.normal());
    const y = layerNormForward(x, [...Array(6).fill(1), ...Array(6).fill(0)], { rows: 3, width: 6, epsilon: 0 });
    for (let r = 0; r < 3; r++) {
      const row = y.subarray(r * 6, r * 6 + 6);
      expect(Math.abs(row.reduce((a, b) => a + b, 0) / 6)).toBeLessThan(1e-12);
      expect(row.reduce((a, v) => a + v * v, 0) / 6).toBeCloseTo(1, 12);
    }
  });

  it.each(ACTIVATIONS.filter((a) => a !== 'relu'))('gradients of γ, β and the pre-activation before it match finite differences (%s)', (activation) => {
    const random = new Random(4);
    const shape = { rows: 4, width: 5, epsilon: 1e-5 };
    const pre = random.fill(20, (r) => r.normal());
    const params = random.fill(10, (r) => r.normal());
    const weights = random.fill(20, (r) => r.normal());
    // L = Σ w ⊙ layerNorm(act(pre)): dL/dy = w.
    const loss = () => layerNormForward(pre.map((z) => activate(activation, z)), params, shape).reduce((a, v, i) => a + v * weights[i], 0);
    const { paramGrad, inputGrad } = layerNormBackward(pre.map((z) => activate(activation, z)), weights, params, shape, activation);
    expectReportsPass([
      compareArrays('dγ, dβ', paramGrad, centralDifference(params, loss), FD),
      compareArrays('d pre-activation', inputGrad, centralDifference(pre, loss), FD),
    ]);
  });

  it('a whole network with layerNorm layers: the mean-NLL gradient of every parameter matches finite differences', () => {
    const random = new Random(9);
    const rows = 6;
    const x = random.fill(rows * 3, (r) => r.normal());
    const y = random.fill(rows * 2, (r) => r.normal());
    const params = initialParameters(arch, 3).map((p) => p.map((v) => v + 0.1 * random.normal()));
    const { grads } = lossAndGradient(arch, params, x, y, rows);
    expectReportsPass(params.map((p, i) => compareArrays(`layer${i}`, grads[i], centralDifference(p, () => lossAndGradient(arch, params, x, y, rows).loss), FD)));
  });
});

describe('model description', () => {
  it('places each layer with its widths and parameter block; layerNorm starts at γ = 1, β = 0', () => {
    expect(networkLayers(arch).map((l) => [l.spec.kind, l.inputs, l.outputs])).toEqual([
      ['dense', 3, 5],
      ['layerNorm', 5, 5],
      ['dense', 5, 4],
      ['layerNorm', 4, 4],
      ['dense', 4, 10],
    ]);
    expect(networkLayers(arch).map((l) => l.kind.parameterCount(l.spec, l.inputs))).toEqual([4 * 5, 2 * 5, 6 * 4, 2 * 4, 5 * 10]);
    expect(parameterLayout(arch).totalFloats).toBeGreaterThanOrEqual(112);
    expect(Array.from(initialParameters(arch, 0)[1])).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(arch.hidden).toEqual([5, 4]);
    expect(arch.layers![1]).toEqual({ kind: 'layerNorm', epsilon: 1e-5 });
  });

  it('the hidden/activation shorthand describes the same network as its dense layers', () => {
    const short: MdnArchitecture = { ...head, hidden: [5, 4], activation: 'tanh' };
    const long = withLayers(head, [{ kind: 'dense', units: 5, activation: 'tanh' }, { kind: 'dense', units: 4, activation: 'tanh' }]);
    expect(networkLayers(long).map((l) => l.spec)).toEqual(networkLayers(short).map((l) => l.spec));
    expect(initialParameters(long, 7)).toEqual(initialParameters(short, 7));
  });

  it.each([
    [[{ kind: 'conv' }], /layers\[0\]\.kind must be one of dense, layerNorm, lstm, gru, got "conv"/],
    [[{ kind: 'dense', units: 0 }], /layers\[0\]\.units must be an integer >= 1, got 0/],
    [[{ kind: 'dense', units: 3, activation: 'gelu' }], /layers\[0\]\.activation must be one of/],
    [[{ kind: 'dense', units: 3 }, { kind: 'layerNorm', epsilon: -1 }], /layers\[1\]\.epsilon must be a number in \[1e-30, 1\], got -1/],
    [[null], /layers\[0\] must be an object/],
  ])('refuses %j naming the layer and field', (layers, message) => {
    expect(() => withLayers(head, layers as never)).toThrow(InvalidArgumentError);
    expect(() => withLayers(head, layers as never)).toThrow(message);
  });
});

describe('a model with layerNorm in the file format and the WGSL export', () => {
  const blocks = initialParameters(arch, 2).map((b) => Float32Array.from(b, (v, i) => v + i * 1e-3));
  const bytes = encodeModel(arch, blocks);

  it('round-trips the layers and every weight bit for bit', () => {
    const decoded = decodeModel(bytes);
    expect(decoded.architecture).toEqual(arch);
    decoded.blocks.forEach((b, i) => expect(Array.from(b)).toEqual(Array.from(blocks[i])));
    expect(encodeModel(decoded.architecture, decoded.blocks)).toEqual(bytes);
  });

  it('refuses a file whose layer list disagrees with its architecture', () => {
    const swapped = rewriteManifest(bytes, (m) => (m.layers[1].kind = 'dense'));
    expect(() => decodeModel(swapped)).toThrow(ModelFormatError);
    expect(() => decodeModel(swapped)).toThrow(/layer 1 in the manifest does not match the architecture \(layerNorm 5\)/);
    const unknown = rewriteManifest(bytes, (m) => (m.architecture.layers[1] = { kind: 'attention' }));
    expect(() => decodeModel(unknown)).toThrow(/layers\[1\]\.kind must be one of dense, layerNorm/);
  });

  it('exports each layer as a kernel binding its parameter block as `weights`', () => {
    const kernels = exportWgsl(bytes);
    expect(kernels.map((k) => k.label)).toEqual(['layer0 3 -> 5 elu', 'layer1 layerNorm 5', 'layer2 5 -> 4 tanh', 'layer3 layerNorm 4', 'layer4 4 -> 10 identity', 'mixture parameters']);
    expect(kernels[1].bindings.map((b) => b.name)).toEqual(['input', 'weights', 'output', 'shape']);
    expect(kernels[1].plan(130).workgroups).toEqual([3, 1, 1]);
    // Inference keeps no statistics for a backward pass.
    expect(kernels[1].code).toContain('inverseSqrt');
    expect(kernels[1].code).not.toContain('statistics');
  });
});
