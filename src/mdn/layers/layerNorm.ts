// The layerNorm layer: each row normalised over its features, then scaled and shifted per feature (γ, β
// learned; γ starts at 1, β at 0). Parameters: γ (width floats), then β. Keeps the width.
// Kernels: src/shaders/layerNorm.ts; reference: ../reference/layerNorm.ts.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { LAYER_NORM_SAVED_PER_ROW, layerNormForward, layerNormInputGrad, layerNormParamGrad } from '../../shaders/layerNorm.js';
import { layerNormBackward, layerNormForward as layerNormForwardReference } from '../reference/layerNorm.js';
import { type BackwardIo, type ForwardIo, type LayerKind, type LayerSpec, type PlacedLayer, stage } from './layerKind.js';

export interface LayerNormSpec extends LayerSpec {
  readonly kind: 'layerNorm';
  /** Added to the variance before its square root (default 1e-5, PyTorch's). */
  readonly epsilon: number;
}

const sizesOf = (layer: PlacedLayer<LayerNormSpec>) => (rows: number) => ({ rows, width: layer.inputs, epsilon: layer.spec.epsilon });
const shapeOf = (layer: PlacedLayer<LayerNormSpec>, rows: number) => ({ rows, width: layer.inputs, epsilon: layer.spec.epsilon });

export const layerNorm: LayerKind<LayerNormSpec> = {
  kind: 'layerNorm',
  normalise(spec, at) {
    const { epsilon = 1e-5 } = spec as Partial<LayerNormSpec>;
    // Below float32's smallest normal ε no longer guards the square root of a zero variance.
    if (!(typeof epsilon === 'number' && epsilon >= 1e-30 && epsilon <= 1)) throw new InvalidArgumentError(`${at}.epsilon must be a number in [1e-30, 1], got ${JSON.stringify(epsilon)}`);
    return { kind: 'layerNorm', epsilon };
  },
  textForm: 'layerNorm[:EPSILON]',
  fromText([epsilon, ...rest], at) {
    if (rest.length) throw new InvalidArgumentError(`${at}: layerNorm takes layerNorm[:EPSILON], got ${rest.length} more fields`);
    const value = epsilon === undefined ? undefined : Number(epsilon);
    return layerNorm.normalise({ kind: 'layerNorm', ...(value === undefined ? {} : { epsilon: Number.isNaN(value) ? epsilon : value }) }, at);
  },
  outputs: (_spec, inputs) => inputs,
  outputActivation: () => 'identity',
  parameterCount: (_spec, inputs) => 2 * inputs,
  // In training, each row's mean and 1 / sqrt(var + ε), so the backward pass need not recompute them.
  workspace: (_spec, _inputs, training) => (training ? [LAYER_NORM_SAVED_PER_ROW] : []),
  // Both schemes: γ = 1, β = 0, as Keras and PyTorch start a layer normalisation.
  initialParameters: ({ inputs }) => Float64Array.from({ length: 2 * inputs }, (_, i) => (i < inputs ? 1 : 0)),
  // torch.nn.LayerNorm: weight (γ) and bias (β), [width] each.
  tensors: ({ inputs }) => [
    { name: 'weight', shape: [inputs] },
    { name: 'bias', shape: [inputs] },
  ],
  toTensors: ({ inputs }, block) => [Float32Array.from({ length: inputs }, (_, i) => block[i]), Float32Array.from({ length: inputs }, (_, i) => block[inputs + i])],
  fromTensors({ inputs }, [gamma, beta]) {
    const block = new Float32Array(2 * inputs);
    block.set(Array.from(gamma), 0);
    block.set(Array.from(beta), inputs);
    return block;
  },
  describe: (layer) => `layerNorm ${layer.inputs}`,
  forward: (layer, training) => [
    stage(layerNormForward, { save: training }, sizesOf(layer), (io: ForwardIo) => ({
      input: io.input,
      weights: io.weights,
      output: io.output,
      ...(training ? { statistics: io.workspace[0] } : {}),
    })),
  ],
  backward(layer, inputActivation) {
    const paramGrad = stage(layerNormParamGrad, {}, sizesOf(layer), (io: BackwardIo) => ({ input: io.input, statistics: io.workspace[0], outputGrad: io.outputGrad, weightGrad: io.weightGrad }));
    if (inputActivation === undefined) return [paramGrad];
    const inputGrad = stage(layerNormInputGrad, { inputActivation }, sizesOf(layer), (io: BackwardIo) => ({
      input: io.input,
      weights: io.weights,
      statistics: io.workspace[0],
      outputGrad: io.outputGrad,
      inputGrad: io.inputGrad,
    }));
    return [paramGrad, inputGrad];
  },
  reference: {
    forward: (layer, params, x, rows) => layerNormForwardReference(x, params, shapeOf(layer, rows)),
    backward: (layer, params, x, outputGrad, rows, inputActivation) => layerNormBackward(x, outputGrad, params, shapeOf(layer, rows), inputActivation),
  },
};
