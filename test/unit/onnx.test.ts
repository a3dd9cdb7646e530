// exportOnnx against a real ONNX Runtime (onnxruntime-node, CPU): each exported graph run on fixture models of
// every layer kind and head family, learned Student-t degrees of freedom included (test/fixtures/pytorch: files
// written by mixden and by the PyTorch twin),
// compared with mixden's float64 reference of the same file. Tolerance atol 1e-5 + rtol 1e-5: ONNX Runtime
// computes in float32 (2^-24 per operation over a few dozen operations per output; the largest error seen
// is 2.3e-6); the graph is checked to hold only standard operators of opset 17.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { ONNX_FAMILIES, ONNX_LAYER_KINDS, exportOnnx } from '../../src/onnx.js';
import { ModelProto } from '../../src/mdn/onnx/schema.js';
import { LAYER_KINDS } from '../../src/mdn/layers/index.js';
import { HEAD_FAMILIES } from '../../src/mdn/heads/index.js';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';
import { compareArrays } from '../support/compare.js';
import { expectReportsPass } from '../support/expectClose.js';
import { referenceLogDensity, referenceMixture } from '../support/referenceModel.js';
import { type MdnArchitecture, withLayers } from '../../src/mdn/architecture.js';
import { initialParameters } from '../../src/mdn/init.js';
import { Random } from '../../src/mdn/random.js';

const FIXTURES = 'test/fixtures/pytorch';
const TOLERANCE = { atol: 1e-5, rtol: 1e-5 };
const STANDARD_OPS = new Set(['Identity', 'Log', 'Sub', 'Div', 'MatMul', 'Add', 'Relu', 'Tanh', 'Sigmoid', 'Elu', 'LayerNormalization', 'Slice', 'Reshape', 'Exp', 'Neg', 'Abs', 'Atanh', 'Mul', 'Where', 'Less', 'Softmax', 'LogSoftmax', 'ReduceLogSumExp', 'ReduceSum', 'Unsqueeze', 'Gather', 'GatherElements', 'Cast', 'Sin', 'Min', 'Max', 'LSTM', 'GRU']);

// Each fixture: a file and the rows to run it on.
const MODELS = [
  ['mixden-laplace', 'inputs'],
  ['mixden-full', 'inputs'],
  ['mixden-lognormal', 'inputs'],
  ['twin-layernorm', 'expected'],
  ['twin-student-t', 'expected'],
  ['twin-full', 'expected'],
  ['mixden-learned-nu', 'inputs'],
  ['twin-learned-nu', 'expected'],
  ['mixden-von-mises', 'inputs'],
  ['twin-von-mises', 'expected'],
] as const;

async function run(onnx: Uint8Array, feeds: Record<string, ort.Tensor>) {
  const session = await ort.InferenceSession.create(onnx);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

function rowsOf(name: string, kind: string) {
  const bytes = new Uint8Array(readFileSync(`${FIXTURES}/${name}.safetensors`));
  const decoded = decodeModel(bytes);
  const { x, y } = JSON.parse(readFileSync(`${FIXTURES}/${name}-${kind}.json`, 'utf8'));
  const { inputDim, outputDim } = decoded.architecture;
  const rows = x.length / inputDim;
  return { bytes, decoded, x, y, rows, feeds: { x: new ort.Tensor('float32', Float32Array.from(x), [rows, inputDim]), y: new ort.Tensor('float32', Float32Array.from(y), [rows, outputDim]) } };
}

describe('exportOnnx in ONNX Runtime', () => {
  it.each(MODELS)('%s: log p(y | x) as mixden computes it', async (name, kind) => {
    const { bytes, decoded, x, y, feeds } = rowsOf(name, kind);
    const out = await run(exportOnnx(bytes, { output: 'logProb' }), feeds);
    expectReportsPass([compareArrays(`${name} log_prob`, out.log_prob.data as Float32Array, referenceLogDensity(decoded, x, y), TOLERANCE)]);
    expect(out.log_prob.dims).toEqual([x.length / decoded.architecture.inputDim]);
  });

  it.each(MODELS)('%s: the mixture parameters as predict returns them', async (name, kind) => {
    const { bytes, decoded, x, rows, feeds } = rowsOf(name, kind);
    const out = await run(exportOnnx(bytes), { x: feeds.x });
    const expected = referenceMixture(decoded, x);
    const { components: K, outputDim: D } = decoded.architecture;
    expect(out.pi.dims).toEqual([rows, K]);
    expect(out.mu.dims).toEqual([rows, K, D]);
    const reports = (['pi', 'mu', 'sigma'] as const).map((p) => compareArrays(`${name} ${p}`, out[p].data as Float32Array, expected[p], TOLERANCE));
    if (decoded.architecture.family === 'gaussian-full') reports.push(compareArrays(`${name} lower`, out.lower.data as Float32Array, expected.lower, TOLERANCE));
    else expect(out.lower).toBeUndefined();
    if (decoded.architecture.degreesOfFreedom === 'learned') reports.push(compareArrays(`${name} nu`, out.nu.data as Float32Array, expected.nu, TOLERANCE));
    else expect(out.nu).toBeUndefined();
    expectReportsPass(reports);
  });

  it('softplus scales at pre-activations of −30 and +40 stay accurate (no 1 + tiny cancellation, no overflow)', async () => {
    const { decoded, x, y, feeds } = rowsOf('mixden-laplace', 'inputs');
    // The head layer's bias: σ pre-activations of component 0 at −30 (σ ≈ 1e-13), component 1 at +40.
    const { components: K, outputDim: D } = decoded.architecture;
    const blocks = decoded.blocks.map((b) => b.slice());
    const head = blocks[blocks.length - 1];
    const width = K * (1 + 2 * D);
    const biasStart = head.length - width;
    head[biasStart + K + K * D] = -30;
    head[biasStart + K + K * D + 1] = 40;
    const edited = encodeModel(decoded.architecture, blocks, decoded.metadata, decoded.scaling);
    const out = await run(exportOnnx(edited, { output: 'logProb' }), feeds);
    const expected = referenceLogDensity(decodeModel(edited), x, y);
    expect(Array.from(out.log_prob.data as Float32Array).every(Number.isFinite)).toBe(true);
    expectReportsPass([compareArrays('extreme softplus log_prob', out.log_prob.data as Float32Array, expected, { atol: 1e-4, rtol: 1e-5 })]);
  });

  it('a model with side outputs: their probabilities, and log p(y | x) with their classes, as mixden computes them', async () => {
    const arch: MdnArchitecture = {
      inputDim: 2,
      outputDim: 2,
      hidden: [6],
      activation: 'tanh',
      components: 3,
      sigma: 'softplus',
      sigmaEpsilon: 1e-7,
      family: 'gaussian-full',
      sideOutputs: [{ kind: 'bernoulli', name: 'pen' }, { kind: 'categorical', classes: 4 }],
    };
    const blocks = initialParameters(arch, 3).map((b) => Float32Array.from(b, (v) => 3 * v));
    const scaling = {
      x: { kind: 'zscore' as const, log: false, shift: [0.5, -1], scale: [2, 3] },
      y: { kind: 'zscore' as const, log: false, shift: [1, 2], scale: [0.5, 4] },
    };
    const bytes = encodeModel(arch, blocks, undefined, scaling);
    const decoded = decodeModel(bytes);
    const random = new Random(9);
    const rows = 7;
    const x = Array.from({ length: rows * 2 }, () => random.normal());
    const y = Array.from({ length: rows }, () => [random.normal(), random.normal(), random.uniform() < 0.5 ? 0 : 1, Math.floor(4 * random.uniform())]).flat();
    const xTensor = new ort.Tensor('float32', Float32Array.from(x), [rows, 2]);
    const mixture = await run(exportOnnx(bytes), { x: xTensor });
    const expected = referenceMixture(decoded, x);
    const sideAt = (from: number, width: number) => Array.from({ length: rows * width }, (_, i) => expected.sides[Math.floor(i / width) * 5 + from + (i % width)]);
    expect(mixture.side0.dims).toEqual([rows, 1]);
    expect(mixture.side1.dims).toEqual([rows, 4]);
    const logProb = await run(exportOnnx(bytes, { output: 'logProb' }), { x: xTensor, y: new ort.Tensor('float32', Float32Array.from(y), [rows, 4]) });
    expectReportsPass([
      ...(['pi', 'mu', 'sigma', 'lower'] as const).map((p) => compareArrays(`sides ${p}`, mixture[p].data as Float32Array, expected[p], TOLERANCE)),
      compareArrays('sides pen', mixture.side0.data as Float32Array, sideAt(0, 1), TOLERANCE),
      compareArrays('sides class', mixture.side1.data as Float32Array, sideAt(1, 4), TOLERANCE),
      compareArrays('sides log_prob', logProb.log_prob.data as Float32Array, referenceLogDensity(decoded, x, y), TOLERANCE),
    ]);
    for (const output of ['mixture', 'logProb'] as const) {
      const model = ModelProto.toObject(ModelProto.decode(exportOnnx(bytes, { output })), { longs: Number }) as any;
      expect([...new Set<string>(model.graph.node.map((n: { opType: string }) => n.opType))].filter((op) => !STANDARD_OPS.has(op))).toEqual([]);
    }
  });

  it('von Mises components: log p(y | x) and the mixture as mixden computes them, κ from 0.1 to 1e4 (log I₀ in three pieces)', async () => {
    const arch: MdnArchitecture = { inputDim: 1, outputDim: 2, hidden: [5], activation: 'tanh', components: 3, sigma: 'exp', sigmaEpsilon: 1e-7, family: 'von-mises' };
    const blocks = initialParameters(arch, 4).map((b) => Float32Array.from(b));
    // The head layer's σ biases spread κ = e^{−2s} over 0.1 to 1e4.
    const head = blocks[blocks.length - 1];
    const biases = head.length - 15;
    [1.1, 0.6, 0, -1, -1.8, -4.6].forEach((s, i) => (head[biases + 3 + 6 + i] = s));
    const bytes = encodeModel(arch, blocks, undefined, { x: { kind: 'zscore', log: false, shift: [0.3], scale: [2] }, y: { kind: 'none', log: false, shift: [0, 0], scale: [1, 1] } });
    const decoded = decodeModel(bytes);
    const random = new Random(12);
    const rows = 9;
    const x = Array.from({ length: rows }, () => random.range(-3, 3));
    const y = Array.from({ length: rows * 2 }, () => random.range(-Math.PI, Math.PI));
    const xTensor = new ort.Tensor('float32', Float32Array.from(x), [rows, 1]);
    const logProb = await run(exportOnnx(bytes, { output: 'logProb' }), { x: xTensor, y: new ort.Tensor('float32', Float32Array.from(y), [rows, 2]) });
    const mixture = await run(exportOnnx(bytes), { x: xTensor });
    const expected = referenceMixture(decoded, x);
    expectReportsPass([
      compareArrays('von Mises log_prob', logProb.log_prob.data as Float32Array, referenceLogDensity(decoded, x, y), TOLERANCE),
      ...(['pi', 'mu', 'sigma'] as const).map((p) => compareArrays(`von Mises ${p}`, mixture[p].data as Float32Array, expected[p], TOLERANCE)),
    ]);
    const ops = new Set<string>((ModelProto.toObject(ModelProto.decode(exportOnnx(bytes, { output: 'logProb' })), { longs: Number }) as any).graph.node.map((n: { opType: string }) => n.opType));
    expect([...ops].filter((op) => !STANDARD_OPS.has(op))).toEqual([]);
  });

  it.each(['lstm', 'gru'] as const)('%s layers (each row a one-step sequence): the mixture and log p(y | x) as mixden computes them', async (cell) => {
    const arch = withLayers({ inputDim: 3, outputDim: 2, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 }, [
      { kind: 'dense', units: 4, activation: 'tanh' },
      { kind: cell, units: 5 },
      { kind: cell, units: 3 },
    ]);
    const blocks = initialParameters(arch, 6, 'pytorch').map((b) => Float32Array.from(b, (v) => 2 * v));
    const bytes = encodeModel(arch, blocks);
    const decoded = decodeModel(bytes);
    const random = new Random(4);
    const rows = 6;
    const x = Array.from({ length: rows * 3 }, () => random.normal());
    const y = Array.from({ length: rows * 2 }, () => random.normal());
    const feeds = { x: new ort.Tensor('float32', Float32Array.from(x), [rows, 3]) };
    const mixture = await run(exportOnnx(bytes), feeds);
    const logProb = await run(exportOnnx(bytes, { output: 'logProb' }), { ...feeds, y: new ort.Tensor('float32', Float32Array.from(y), [rows, 2]) });
    const expected = referenceMixture(decoded, x);
    expectReportsPass([
      ...(['pi', 'mu', 'sigma'] as const).map((p) => compareArrays(`${cell} ${p}`, mixture[p].data as Float32Array, expected[p], TOLERANCE)),
      compareArrays(`${cell} log_prob`, logProb.log_prob.data as Float32Array, referenceLogDensity(decoded, x, y), TOLERANCE),
    ]);
  });

  it('holds only standard operators of opset 17, with the documented inputs and outputs', () => {
    for (const [name] of MODELS) {
      const bytes = new Uint8Array(readFileSync(`${FIXTURES}/${name}.safetensors`));
      for (const output of ['mixture', 'logProb'] as const) {
        const model = ModelProto.toObject(ModelProto.decode(exportOnnx(bytes, { output })), { longs: Number }) as any;
        expect(model.opsetImport).toEqual([{ version: 17 }]); // the default domain ('' is not encoded)
        const ops = new Set<string>(model.graph.node.map((n: { opType: string }) => n.opType));
        expect([...ops].filter((op) => !STANDARD_OPS.has(op))).toEqual([]);
        expect(model.graph.node.every((n: { domain?: string }) => !n.domain)).toBe(true);
        expect(model.graph.input.map((i: { name: string }) => i.name)).toEqual(output === 'mixture' ? ['x'] : ['x', 'y']);
      }
    }
  });

  it('every layer kind and head family exports (a new one must add its operators in src/mdn/onnx)', () => {
    expect([...ONNX_LAYER_KINDS].sort()).toEqual([...LAYER_KINDS].sort());
    expect([...ONNX_FAMILIES].sort()).toEqual([...HEAD_FAMILIES].sort());
  });

  it('refuses a bad option or a file that is not a model, naming the problem', () => {
    const bytes = new Uint8Array(readFileSync(`${FIXTURES}/mixden-laplace.safetensors`));
    expect(() => exportOnnx(bytes, { output: 'samples' } as never)).toThrow(InvalidArgumentError);
    expect(() => exportOnnx(bytes, { output: 'samples' } as never)).toThrow(/output must be 'mixture' or 'logProb', got "samples"/);
    expect(() => exportOnnx(bytes, { outputs: 'mixture' } as never)).toThrow(/has no option 'outputs'; did you mean 'output'\?/);
    expect(() => exportOnnx(new Uint8Array(16))).toThrow(ModelFormatError);
  });
});
