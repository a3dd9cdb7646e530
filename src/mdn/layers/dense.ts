// The dense layer: y = act(x·W + b), parameters one (inputs + 1) x outputs block (W row by row, then b).
// Kernels: src/shaders/denseForward.ts, denseWeightGrad.ts, denseInputGrad.ts; reference: ../reference/dense.ts.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { ACTIVATIONS, type Activation } from '../../shaders/activation.wgsl.js';
import { denseForward, denseForwardVariant } from '../../shaders/denseForward.js';
import { denseInputGrad, denseInputGradVariant } from '../../shaders/denseInputGrad.js';
import { denseWeightGradVariant } from '../../shaders/denseWeightGrad.js';
import { activationGradFromOutput } from '../reference/activations.js';
import { denseBackward, denseForward as denseForwardReference } from '../reference/dense.js';
import { type BackwardIo, type ForwardIo, type LayerKind, type LayerSpec, type PlacedLayer, stage } from './layerKind.js';
import { splitKWorkspace, weightGradStages } from './weightGradStages.js';

export interface DenseSpec extends LayerSpec {
  readonly kind: 'dense';
  /** Output features (at least 1). */
  readonly units: number;
  /** Applied to x·W + b (default 'tanh'). */
  readonly activation: Activation;
}

const sizesOf = (layer: PlacedLayer<DenseSpec>) => (rows: number) => ({ rows, inputs: layer.inputs, outputs: layer.outputs });

export const dense: LayerKind<DenseSpec> = {
  kind: 'dense',
  normalise(spec, at) {
    const { units, activation = 'tanh' } = spec as Partial<DenseSpec>;
    if (!(typeof units === 'number' && Number.isInteger(units) && units >= 1)) throw new InvalidArgumentError(`${at}.units must be an integer >= 1, got ${JSON.stringify(units)}`);
    if (!ACTIVATIONS.includes(activation)) throw new InvalidArgumentError(`${at}.activation must be one of ${ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`);
    return { kind: 'dense', units, activation };
  },
  textForm: 'dense:UNITS[:ACTIVATION]',
  fromText([units, activation, ...rest], at) {
    if (rest.length) throw new InvalidArgumentError(`${at}: dense takes dense:UNITS[:ACTIVATION], got ${rest.length} more fields`);
    return dense.normalise({ kind: 'dense', units: /^\d+$/.test(units ?? '') ? Number(units) : units, ...(activation === undefined ? {} : { activation }) }, at);
  },
  outputs: (spec) => spec.units,
  outputActivation: (spec) => spec.activation,
  parameterCount: (spec, inputs) => (inputs + 1) * spec.units,
  // The backward pass needs only the stored outputs (activation derivatives are taken from them), and where the
  // weight gradient splits K, a buffer for its partial sums.
  workspace: (spec, inputs, training, adapterClass) => splitKWorkspace([{ inputs, outputs: spec.units }], training, adapterClass),
  // 'glorot': Glorot-uniform W and a zero bias, as Keras initialises a Dense layer. 'pytorch': W, then b,
  // uniform in ±1/√inputs, as torch.nn.Linear's reset_parameters leaves them (Kaiming-uniform with a = √5).
  initialParameters({ inputs, outputs }, random, scheme) {
    const block = new Float64Array((inputs + 1) * outputs);
    const limit = scheme === 'pytorch' ? 1 / Math.sqrt(inputs) : Math.sqrt(6 / (inputs + outputs));
    const drawn = scheme === 'pytorch' ? block.length : inputs * outputs;
    for (let i = 0; i < drawn; i++) block[i] = Math.fround(random.range(-limit, limit));
    return block;
  },
  // torch.nn.Linear: weight [out, in] (W transposed), bias [out].
  tensors: ({ inputs, outputs }) => [
    { name: 'weight', shape: [outputs, inputs] },
    { name: 'bias', shape: [outputs] },
  ],
  toTensors({ inputs, outputs }, block) {
    const weight = new Float32Array(outputs * inputs);
    for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) weight[o * inputs + i] = block[i * outputs + o];
    return [weight, Float32Array.from({ length: outputs }, (_, o) => block[inputs * outputs + o])];
  },
  fromTensors({ inputs, outputs }, [weight, bias]) {
    const block = new Float32Array((inputs + 1) * outputs);
    for (let i = 0; i < inputs; i++) for (let o = 0; o < outputs; o++) block[i * outputs + o] = weight[o * inputs + i];
    block.set(Array.from(bias), inputs * outputs);
    return block;
  },
  describe: (layer) => `${layer.inputs} -> ${layer.outputs} ${layer.spec.activation}`,
  forward: (layer, _training, adapterClass, options) => [
    stage(denseForward, denseForwardVariant(layer.spec.activation, layer, adapterClass, options?.subgroupSize), sizesOf(layer), (io: ForwardIo) => ({ input: io.input, weights: io.weights, output: io.output })),
  ],
  backward(layer, inputActivation, adapterClass, options) {
    const weightGrad = weightGradStages(denseWeightGradVariant(layer, adapterClass, options?.subgroupSize), sizesOf(layer), (io: BackwardIo) => ({
      input: io.input,
      outputGrad: io.outputGrad,
      weightGrad: io.weightGrad,
      partials: io.workspace[0],
    }));
    if (inputActivation === undefined) return weightGrad;
    const inputGrad = stage(denseInputGrad, denseInputGradVariant(inputActivation, layer, adapterClass, options?.subgroupSize), sizesOf(layer), (io: BackwardIo) => ({
      outputGrad: io.outputGrad,
      weights: io.weights,
      activationOutput: io.input,
      inputGrad: io.inputGrad,
    }));
    return [...weightGrad, inputGrad];
  },
  reference: {
    forward: (layer, params, x, rows) => denseForwardReference(x, params, { rows, inputs: layer.inputs, outputs: layer.outputs }, layer.spec.activation),
    backward(layer, params, x, outputGrad, rows, inputActivation) {
      const { paramGrad, inputGrad } = denseBackward(x, outputGrad, params, { rows, inputs: layer.inputs, outputs: layer.outputs });
      return { paramGrad, inputGrad: withActivationGrad(inputGrad, x, inputActivation) };
    },
  },
};

function withActivationGrad(grad: Float64Array, x: ArrayLike<number>, activation: Activation): Float64Array {
  return grad.map((g, j) => g * activationGradFromOutput(activation, x[j]));
}
