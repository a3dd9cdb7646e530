// Writes model files as mixden saves them, for the PyTorch twin to read (make_fixtures.py): six models of rows, each
// with its scalers, random starting weights (PyTorch's scheme, so biases are not zero) and a few rows of inputs.
// Run after `npm run build`; the output goes to test/fixtures/pytorch/.
import { writeFileSync } from 'node:fs';
import { Random, encodeModel, fitScaler, initialParameters, validateArchitecture, withLayers } from '../../dist/index.js';

const out = new URL('../../test/fixtures/pytorch/', import.meta.url);
const random = new Random(20261130);
const f32 = (n, draw) => Array.from({ length: n }, () => Math.fround(draw()));

const models = {
  // A layerNorm between dense layers, Laplace components, z-scored inputs and targets.
  laplace: {
    architecture: withLayers({ inputDim: 2, outputDim: 1, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'laplace' }, [
      { kind: 'dense', units: 8, activation: 'relu' },
      { kind: 'layerNorm' },
      { kind: 'dense', units: 6, activation: 'tanh' },
    ]),
    scale: { x: 'zscore', y: 'zscore', log: false },
  },
  // Full covariance over three targets, elu + 1 + ε scales, min-max scalers.
  full: {
    architecture: { inputDim: 1, outputDim: 3, hidden: [10], activation: 'elu', components: 2, sigma: 'elu1', sigmaEpsilon: 1e-3, family: 'gaussian-full' },
    scale: { x: 'minmax', y: 'minmax', log: false },
  },
  // Gaussian components of log-transformed positive targets (log-normal in y).
  lognormal: {
    architecture: { inputDim: 1, outputDim: 2, hidden: [7, 5], activation: 'sigmoid', components: 3, sigma: 'exp', sigmaEpsilon: 1e-7 },
    scale: { x: 'zscore', y: 'zscore', log: true },
  },
  // Student-t components with learned degrees of freedom over two targets.
  'learned-nu': {
    architecture: { inputDim: 1, outputDim: 2, hidden: [6], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'student-t', degreesOfFreedom: 'learned' },
    scale: { x: 'zscore', y: 'zscore', log: false },
  },
  // Von Mises components over two angles (never scaled), inputs z-scored.
  'von-mises': {
    architecture: { inputDim: 2, outputDim: 2, hidden: [6], activation: 'relu', components: 3, sigma: 'exp', sigmaEpsilon: 1e-7, family: 'von-mises' },
    scale: { x: 'zscore', y: 'none', log: false },
  },
  // Gaussian components with a Bernoulli and a 4-class side output after their two targets.
  sides: {
    architecture: { inputDim: 1, outputDim: 2, hidden: [7], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, sideOutputs: [{ kind: 'bernoulli', name: 'pen' }, { kind: 'categorical', classes: 4 }] },
    scale: { x: 'zscore', y: 'zscore', log: false },
  },
};

for (const [name, { architecture, scale }] of Object.entries(models)) {
  validateArchitecture(architecture);
  const { inputDim, outputDim } = architecture;
  const rows = 200;
  const x = f32(rows * inputDim, () => random.range(-3, 3));
  const y = f32(rows * outputDim, () => (scale.log ? Math.exp(random.range(-1, 2)) : random.range(-5, 5)));
  const scaling = { x: fitScaler(x, inputDim, scale.x), y: fitScaler(y, outputDim, scale.y, { log: scale.log }) };
  const blocks = initialParameters(architecture, 7, 'pytorch').map((b) => Float32Array.from(b));
  const bytes = encodeModel(architecture, blocks, { xColumns: Array.from({ length: inputDim }, (_, i) => `x${i + 1}`), yColumns: Array.from({ length: outputDim }, (_, i) => `y${i + 1}`) }, scaling);
  writeFileSync(new URL(`mixden-${name}.safetensors`, out), bytes);
  // Eleven rows to score: inputs across the range, targets drawn as the training ones were (side outputs' classes
  // drawn after them, each row's after its continuous values).
  const sides = architecture.sideOutputs ?? [];
  const classes = Array.from({ length: 11 * sides.length }, (_, i) => Math.floor(random.uniform() * (sides[i % sides.length].kind === 'bernoulli' ? 2 : sides[i % sides.length].classes)));
  const targets = Array.from({ length: 11 }, (_, r) => [...y.slice(r * outputDim, (r + 1) * outputDim), ...classes.slice(r * sides.length, (r + 1) * sides.length)]).flat();
  const inputs = { x: x.slice(0, 11 * inputDim), y: targets };
  writeFileSync(new URL(`mixden-${name}-inputs.json`, out), `${JSON.stringify(inputs)}\n`);
  console.log(`test/fixtures/pytorch/mixden-${name}.safetensors: ${bytes.length} bytes`);
}

// Sequence models (recurrent trunks; made after the models above so their draws stay as they were), each with a
// few sequences to score and the stop of a greedy generation.
const sequenceModels = {
  // A GRU under a dense layer, Laplace components, a Bernoulli pen that ends the sequence, a 3-value condition.
  'sequence-gru': {
    architecture: withLayers({ inputDim: 6, outputDim: 2, components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7, family: 'laplace', sideOutputs: [{ kind: 'bernoulli', name: 'pen' }], sequence: { conditionDim: 3 } }, [
      { kind: 'gru', units: 7 },
      { kind: 'dense', units: 5, activation: 'tanh' },
    ]),
    stop: [2, 1],
  },
  // Two LSTMs with a layerNorm between them, Gaussian components of one value, a 3-class side output, no condition.
  'sequence-lstm': {
    architecture: withLayers({ inputDim: 2, outputDim: 1, components: 3, sigma: 'exp', sigmaEpsilon: 1e-7, sideOutputs: [{ kind: 'categorical', classes: 3 }], sequence: { conditionDim: 0 } }, [
      { kind: 'lstm', units: 6 },
      { kind: 'layerNorm' },
      { kind: 'lstm', units: 4 },
    ]),
    stop: [1, 2],
  },
};

for (const [name, { architecture, stop }] of Object.entries(sequenceModels)) {
  validateArchitecture(architecture);
  const { outputDim } = architecture;
  const sides = architecture.sideOutputs;
  const conditionDim = architecture.sequence.conditionDim;
  const blocks = initialParameters(architecture, 11, 'pytorch').map((b) => Float32Array.from(b));
  const bytes = encodeModel(architecture, blocks, { note: 'made by interop/pytorch/make-mixden-files.mjs' });
  writeFileSync(new URL(`mixden-${name}.safetensors`, out), bytes);
  // Four sequences of 2 to 9 steps: continuous values, then each side output's class.
  const sequences = Array.from({ length: 4 }, () => {
    const steps = 2 + Math.floor(random.uniform() * 8);
    const y = Array.from({ length: steps }, () => [...f32(outputDim, () => random.range(-2, 2)), ...sides.map((s) => Math.floor(random.uniform() * (s.kind === 'bernoulli' ? 2 : s.classes)))]).flat();
    return conditionDim ? { y, condition: f32(conditionDim, () => random.range(-1, 1)) } : { y };
  });
  writeFileSync(new URL(`mixden-${name}-inputs.json`, out), `${JSON.stringify({ sequences, stop })}\n`);
  console.log(`test/fixtures/pytorch/mixden-${name}.safetensors: ${bytes.length} bytes`);
}
