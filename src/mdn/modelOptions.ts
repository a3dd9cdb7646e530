// createMdn's options, and the model description they give.
import type { GpuContext } from '../runtime/device.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { type Activation, type MdnArchitecture, type SigmaActivation, withLayers } from './architecture.js';
import type { InitScheme, LayerSpec } from './layers/index.js';
import type { ScaleOption } from './scaling.js';
import type { HeadFamilyName } from './heads/index.js';
import type { SideOutputSpec } from './heads/sideOutputs.js';

export interface MdnOptions {
  /** Values per input row x (required). */
  readonly inputDim: number;
  /** Values per target row y (required). */
  readonly outputDim: number;
  /** Hidden layer widths, or one width for one layer (default [64, 64]): dense layers, the shorthand for `layers`. */
  readonly hidden?: readonly number[] | number;
  /** Hidden activation: 'identity', 'relu', 'tanh', 'sigmoid' or 'elu' (default 'tanh'). */
  readonly activation?: Activation;
  /**
   * The trunk layer by layer, instead of `hidden` and `activation`: `{ kind: 'dense', units, activation }` and
   * `{ kind: 'layerNorm', epsilon? }` (normalises each row's features, then a learned scale and shift).
   * @example
   * layers: [{ kind: 'dense', units: 64, activation: 'relu' }, { kind: 'layerNorm' }, { kind: 'dense', units: 64, activation: 'relu' }]
   */
  readonly layers?: readonly LayerSpec[];
  /** Mixture components K (default 5). */
  readonly components?: number;
  /**
   * The components' family: 'gaussian' (default; diagonal covariance), 'gaussian-full' (full covariance through
   * a Cholesky factor per component: its diagonal from the σ activation, the entries below it free; outputDim
   * 2 to 32), 'laplace' (density e^{−|y−μ|/b} / 2b per dimension, b from the σ activation: heavier tails,
   * robust to outliers), 'student-t' (with `degreesOfFreedom`) or 'von-mises' (targets that are angles in radians:
   * mean direction μ and concentration κ = 1/σ² per component and dimension; y is never scaled).
   */
  readonly family?: HeadFamilyName;
  /**
   * Student-t components' degrees of freedom ν (required with family 'student-t'): a number above 1, fixed (heavy
   * tails for small ν, variance only above 2, Gaussian as ν grows), or 'learned': ν per component and dimension
   * from the network, ν = 1.5 + 98.5 · logistic(a), so it stays in (1.5, 100).
   */
  readonly degreesOfFreedom?: number | 'learned';
  /**
   * Discrete outputs trained jointly with the mixture, each with a target column after the outputDim continuous
   * ones: `{ kind: 'bernoulli' }` (0 or 1, e.g. a pen lifted) or `{ kind: 'categorical', classes: C }` (a class 0..C−1),
   * optionally named. The loss adds their cross-entropy; predict returns their probabilities (`mixture.sideOutputs`),
   * logProb includes them, and sample draws them after each draw's outputDim values. Default: none.
   * @example
   * sideOutputs: [{ kind: 'bernoulli', name: 'pen' }]
   */
  readonly sideOutputs?: readonly SideOutputSpec[];
  /** σ activation: 'exp', 'softplus' or 'elu1' = elu + 1 + ε (default 'softplus'). */
  readonly sigma?: SigmaActivation;
  /** ε of the elu1 σ activation, in [0, 1] (default 1e-7). */
  readonly sigmaEpsilon?: number;
  /**
   * Scaling of inputs and targets, part of the model (default 'none'): 'zscore', 'minmax', or
   * { x, y, logY } with logY taking the log of positive targets first. Fitted on the training rows of the first
   * fit and saved with the model; every call takes and returns original units either way.
   */
  readonly scale?: ScaleOption;
  /**
   * How the weights start: 'glorot' (default; Glorot-uniform weights and zero biases, Keras' scheme) or 'pytorch'
   * (weights and biases uniform in ±1/√fan_in, as torch.nn.Linear resets them).
   */
  readonly init?: InitScheme;
  /** Seed of the initial weights, an integer from 0 to 2^32 − 1 (default 0). */
  readonly seed?: number;
  /** The GPU to use; default: a new context on navigator.gpu (in Node pass `await nodeGpu()`). */
  readonly gpu?: GpuContext;
}

export const MDN_OPTION_KEYS = ['inputDim', 'outputDim', 'hidden', 'activation', 'layers', 'family', 'degreesOfFreedom', 'sideOutputs', 'components', 'sigma', 'sigmaEpsilon', 'scale', 'init', 'seed', 'gpu'] as const;

// The description createMdn's options give: `layers`, or the `hidden`/`activation` shorthand for dense layers.
export function architectureOf(options: MdnOptions): MdnArchitecture {
  const head = {
    inputDim: options.inputDim,
    outputDim: options.outputDim,
    components: options.components ?? 5,
    sigma: options.sigma ?? 'softplus',
    sigmaEpsilon: options.sigmaEpsilon ?? 1e-7,
    ...(options.family === undefined ? {} : { family: options.family }),
    ...(options.degreesOfFreedom === undefined ? {} : { degreesOfFreedom: options.degreesOfFreedom }),
    ...(options.sideOutputs === undefined ? {} : { sideOutputs: options.sideOutputs }),
  };
  if (options.family === 'von-mises' && typeof options.scale === 'object' && options.scale !== null && ((options.scale.y ?? 'none') !== 'none' || options.scale.logY)) {
    throw new InvalidArgumentError("family 'von-mises' takes angles in radians, which are never scaled (that would break the circle): give scale.y 'none' (scale: 'zscore' scales the inputs only)");
  }
  if (options.family !== undefined && options.family !== 'gaussian' && typeof options.scale === 'object' && options.scale?.logY) {
    throw new InvalidArgumentError(`scale.logY (log-normal components) is available with family 'gaussian' only, not '${options.family}'`);
  }
  if (options.layers !== undefined) {
    if (options.hidden !== undefined || options.activation !== undefined) {
      throw new InvalidArgumentError('give either layers or hidden/activation (their shorthand for dense layers), not both');
    }
    return withLayers(head, options.layers);
  }
  const hidden = options.hidden ?? [64, 64];
  return { ...head, hidden: typeof hidden === 'number' ? [hidden] : Array.isArray(hidden) ? [...hidden] : (hidden as never), activation: options.activation ?? 'tanh' };
}

