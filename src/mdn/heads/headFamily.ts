// What a mixture head family implements: the width of the raw head it reads from the trunk's last layer, and
// the kernels that turn that head into a loss with its gradient, mixture parameters, log-densities and samples,
// as stages the network recorder (src/mdn/network.ts) records and exportWgsl exports. A new family is one
// module here plus one line in ./index.ts, and its float64 loss in src/mdn/reference/heads.ts (kept apart, so
// that mixden/inference carries no CPU special functions).
import type { Resource } from '../../runtime/program.js';
import type { MdnArchitecture } from '../architecture.js';
import type { Stage } from '../layers/layerKind.js';
import type { SplitOptions } from '../mixture.js';

/** Training settings the loss stage compiles or writes in. */
export interface HeadTraining {
  /** λ of the L2 penalty on the scale pre-activations (0: none). */
  readonly sigmaPenalty: number;
  /** Hold the scales fixed (their gradient is zeroed): a regression trained by MSE. */
  readonly freezeSigma: boolean;
}

export interface LossIo {
  readonly head: Resource;
  readonly targets: Resource;
  /** Receives the gradient of the mean loss at the raw head. */
  readonly headGrad: Resource;
  /** Receives each row's loss. */
  readonly sampleNll: Resource;
}

export interface MixtureIo {
  readonly head: Resource;
  /** Receives each row's mixture parameters (mixtureWidth floats). */
  readonly params: Resource;
}

export interface LogDensityIo {
  readonly head: Resource;
  readonly targets: Resource;
  readonly logDensity: Resource;
}

export interface SampleIo {
  readonly head: Resource;
  readonly samples: Resource;
  /** The per-call slot (temperatures, seed, first row), bound with a dynamic offset. */
  readonly call: Resource;
}

export interface HeadFamily {
  readonly family: string;
  /** Throws an InvalidArgumentError where the family cannot serve this description (e.g. its output width). */
  validate?(architecture: MdnArchitecture): void;
  /** Raw head outputs per row: the width of the trunk's last (linear) layer. */
  headWidth(architecture: MdnArchitecture): number;
  /**
   * Values per component a mixture row carries after the scales ([π | μ | σ] first), each given as the target
   * dimension whose scale multiplies it when mixture parameters go back to original units (full covariance:
   * the row of each entry of the Cholesky factor), or null where none does (learned degrees of freedom).
   * Absent: none.
   */
  extraMixtureValues?(dims: number): readonly (number | null)[];
  /** How splitMixture reads this family's mixture rows (its family, and what the values after the scales are). */
  splitOptions(architecture: MdnArchitecture): SplitOptions;
  loss(architecture: MdnArchitecture, training: HeadTraining): Stage<LossIo>;
  mixture(architecture: MdnArchitecture): Stage<MixtureIo>;
  logDensity(architecture: MdnArchitecture): Stage<LogDensityIo>;
  sample(architecture: MdnArchitecture, samplesPerRow: number): Stage<SampleIo>;
}
