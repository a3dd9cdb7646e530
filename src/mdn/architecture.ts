// The shape of an MLP-MDN: hidden dense layers, then a linear head producing the mixture parameters.
import { ACTIVATIONS, type Activation } from '../shaders/activation.wgsl.js';
import { SIGMA_ACTIVATIONS, type SigmaActivation } from '../shaders/sigma.wgsl.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { ArenaLayout } from '../runtime/arena.js';
import { headWidthOf } from './reference/mixture.js';

export interface MdnArchitecture {
  readonly inputDim: number;
  readonly outputDim: number;
  readonly hidden: readonly number[];
  readonly activation: Activation;
  readonly components: number;
  readonly sigma: SigmaActivation;
  /** ε added by the elu1 σ activation (keras-mdn's choice is 1e-7). */
  readonly sigmaEpsilon: number;
}

export interface DenseLayerShape {
  readonly inputs: number;
  readonly outputs: number;
  readonly activation: Activation;
}

/** Number of raw head outputs per sample: K logits, K·D means, K·D σ pre-activations. */
export const headWidth = (arch: MdnArchitecture): number => headWidthOf(arch.components, arch.outputDim);

/** The dense layers, hidden ones first, the linear mixture head last. */
export function denseLayers(arch: MdnArchitecture): DenseLayerShape[] {
  const widths = [arch.inputDim, ...arch.hidden];
  const hidden = arch.hidden.map((outputs, i) => ({ inputs: widths[i], outputs, activation: arch.activation }));
  return [...hidden, { inputs: widths[widths.length - 1], outputs: headWidth(arch), activation: 'identity' as const }];
}

/** Parameter arena layout: one slice `layer<i>` of (inputs + 1) x outputs per dense layer (W rows, then b). */
export function parameterLayout(arch: MdnArchitecture): ArenaLayout {
  return ArenaLayout.build(denseLayers(arch).map((l, i) => ({ name: `layer${i}`, length: (l.inputs + 1) * l.outputs })));
}

const positiveInteger = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;

/** Most parameters a model may have: 2^28 floats, 1 GiB of float32 (checked before anything is allocated). */
export const MAX_PARAMETERS = 2 ** 28;

/**
 * Throws an InvalidArgumentError naming the first bad field. `checkSize: false` leaves out the parameter limit
 * (a file reader compares the sizes with the file's first, which names the problem better).
 */
export function validateArchitecture(arch: MdnArchitecture, { checkSize = true } = {}): void {
  if (!positiveInteger(arch.inputDim)) throw new InvalidArgumentError(`inputDim must be an integer >= 1, got ${arch.inputDim}`);
  if (!positiveInteger(arch.outputDim)) throw new InvalidArgumentError(`outputDim must be an integer >= 1, got ${arch.outputDim}`);
  if (!positiveInteger(arch.components)) throw new InvalidArgumentError(`components must be an integer >= 1, got ${arch.components}`);
  if (!Array.isArray(arch.hidden) || !arch.hidden.every(positiveInteger)) {
    throw new InvalidArgumentError(`hidden must be a list of layer widths (integers >= 1) or one width, got ${JSON.stringify(arch.hidden)}`);
  }
  if (!ACTIVATIONS.includes(arch.activation)) {
    throw new InvalidArgumentError(`activation must be one of ${ACTIVATIONS.join(', ')}, got '${arch.activation}'`);
  }
  if (!SIGMA_ACTIVATIONS.includes(arch.sigma)) {
    throw new InvalidArgumentError(`sigma must be one of ${SIGMA_ACTIVATIONS.join(', ')}, got '${arch.sigma}'`);
  }
  const parameters = denseLayers(arch).reduce((n, l) => n + (l.inputs + 1) * l.outputs, 0);
  if (checkSize && parameters > MAX_PARAMETERS) {
    throw new InvalidArgumentError(`this architecture has ${parameters.toLocaleString('en')} parameters (${((4 * parameters) / 2 ** 30).toFixed(1)} GiB); the limit is ${MAX_PARAMETERS.toLocaleString('en')} (1 GiB of float32)`);
  }
  // Beyond 1 the floor it puts under σ is no longer small, and past float32's range σ is infinite.
  if (!(typeof arch.sigmaEpsilon === 'number' && arch.sigmaEpsilon >= 0 && arch.sigmaEpsilon <= 1)) {
    throw new InvalidArgumentError(`sigmaEpsilon must be a number in [0, 1], got ${arch.sigmaEpsilon}`);
  }
}
