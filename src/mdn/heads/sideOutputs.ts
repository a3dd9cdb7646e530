// Discrete side outputs trained jointly with any head family: a `bernoulli` output (a 0/1 target column, one
// logit) or a `categorical` one (an integer class 0..C−1, C logits), each conditionally independent of the
// continuous target given x. Their logits follow the family's own outputs in the raw head, their target
// columns follow the D continuous ones, and their probabilities (predict) and draws (sample) follow the
// family's too. The loss adds their cross-entropy to the mixture NLL. Kernels: src/shaders/sideOutputs.ts;
// float64 reference: ../reference/sideOutputs.ts.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { sideOutputSample, sideOutputs } from '../../shaders/sideOutputs.js';
import type { MdnArchitecture } from '../architecture.js';
import { type Stage, stage } from '../layers/layerKind.js';
import type { HeadFamily, LogDensityIo, LossIo, MixtureIo, SampleIo } from './headFamily.js';

export type SideOutputKind = 'bernoulli' | 'categorical';

export interface SideOutputSpec {
  readonly kind: SideOutputKind;
  /** Classes of a categorical output (2 to MAX_CLASSES); not given for a Bernoulli one. */
  readonly classes?: number;
  /** A name for its column (e.g. 'pen'), used by the command line's CSV columns. */
  readonly name?: string;
}

/** Most side outputs a model may have, and most classes of one categorical output. */
export const MAX_SIDE_OUTPUTS = 16;
export const MAX_CLASSES = 1024;

/** Logits a side output takes in the head: 1 for a Bernoulli output, C for a categorical one. */
export const logitsOf = (s: SideOutputSpec): number => (s.kind === 'bernoulli' ? 1 : (s.classes as number));

/** The side outputs of a model (none by default). */
export const sideOutputsOf = (a: Pick<MdnArchitecture, 'sideOutputs'>): readonly SideOutputSpec[] => a.sideOutputs ?? [];

/** Side logits per head row (and side probabilities per mixture row). */
export const sideLogitCount = (a: Pick<MdnArchitecture, 'sideOutputs'>): number => sideOutputsOf(a).reduce((n, s) => n + logitsOf(s), 0);

/** Columns of a target row: the D continuous targets, then one per side output. */
export const targetWidthOf = (a: Pick<MdnArchitecture, 'outputDim' | 'sideOutputs'>): number => a.outputDim + sideOutputsOf(a).length;

/** The raw head's width: the family's own outputs, then the side logits. */
export const modelHeadWidth = (a: MdnArchitecture, family: HeadFamily): number => family.headWidth(a) + sideLogitCount(a);

/**
 * The row strides a family's kernels take, its own head `familyWidth` floats wide: the head (and mixture
 * parameters) with the side logits after it, targets and draws with the side columns after the D continuous ones.
 */
export const rowStrides = (a: MdnArchitecture, familyWidth: number) => ({ headStride: familyWidth + sideLogitCount(a), targetStride: targetWidthOf(a) });

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/;

/** Throws an InvalidArgumentError naming the first bad side output. */
export function validateSideOutputs(value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) throw new InvalidArgumentError(`sideOutputs must be a list of { kind: 'bernoulli' } or { kind: 'categorical', classes } entries, got ${JSON.stringify(value)}`);
  if (value.length > MAX_SIDE_OUTPUTS) throw new InvalidArgumentError(`sideOutputs lists ${value.length} outputs; the limit is ${MAX_SIDE_OUTPUTS}`);
  const names = new Set<string>();
  value.forEach((s: Partial<SideOutputSpec> | null, i) => {
    const at = `sideOutputs[${i}]`;
    if (s === null || typeof s !== 'object') throw new InvalidArgumentError(`${at} must be an object, got ${JSON.stringify(s)}`);
    const unknown = Object.keys(s).find((k) => !['kind', 'classes', 'name'].includes(k));
    if (unknown) throw new InvalidArgumentError(`${at} has no field '${unknown}'; it takes kind, classes and name`);
    if (s.kind === 'bernoulli') {
      if (s.classes !== undefined) throw new InvalidArgumentError(`${at}: a bernoulli output has two classes (0 and 1) and takes no 'classes'; use kind 'categorical' for more`);
    } else if (s.kind === 'categorical') {
      if (!(Number.isInteger(s.classes) && (s.classes as number) >= 2 && (s.classes as number) <= MAX_CLASSES)) {
        throw new InvalidArgumentError(`${at}.classes must be an integer from 2 to ${MAX_CLASSES}, got ${JSON.stringify(s.classes)}`);
      }
    } else {
      throw new InvalidArgumentError(`${at}.kind must be 'bernoulli' or 'categorical', got ${JSON.stringify(s.kind)}`);
    }
    if (s.name !== undefined) {
      if (typeof s.name !== 'string' || !NAME.test(s.name)) throw new InvalidArgumentError(`${at}.name must be 1-64 letters, digits, '_', '.' or '-' starting with a letter or '_', got ${JSON.stringify(s.name)}`);
      if (names.has(s.name)) throw new InvalidArgumentError(`${at}.name '${s.name}' is used twice`);
      names.add(s.name);
    }
  });
}

/**
 * Throws an InvalidArgumentError at the first side target that is not a class of its output: a Bernoulli
 * column takes 0 or 1, a categorical one an integer 0..C−1. `y` is rows x targetWidthOf(a), row-major.
 */
export function checkSideTargets(name: string, a: MdnArchitecture, y: ArrayLike<number>): void {
  const sides = sideOutputsOf(a);
  if (sides.length === 0) return;
  const width = targetWidthOf(a);
  for (let r = 0; r * width < y.length; r++) {
    sides.forEach((s, i) => {
      const v = y[r * width + a.outputDim + i];
      const label = s.name ? `'${s.name}'` : `side output ${i}`;
      if (s.kind === 'bernoulli' && v !== 0 && v !== 1) throw new InvalidArgumentError(`${name} row ${r}, column ${a.outputDim + i} (${label}, bernoulli) must be 0 or 1, got ${v}`);
      if (s.kind === 'categorical' && !(Number.isInteger(v) && v >= 0 && v < (s.classes as number))) {
        throw new InvalidArgumentError(`${name} row ${r}, column ${a.outputDim + i} (${label}, categorical) must be a class 0 to ${(s.classes as number) - 1}, got ${v}`);
      }
    });
  }
}

/** The side outputs' stages of a model, each recorded after its family's (undefined where it has none). */
export interface SideStages {
  loss(): Stage<LossIo>;
  probabilities(): Stage<MixtureIo>;
  logDensity(): Stage<LogDensityIo>;
  sample(samplesPerRow: number): Stage<SampleIo>;
}

export function sideStagesOf(a: MdnArchitecture, family: HeadFamily): SideStages | undefined {
  const sides = sideOutputsOf(a);
  if (sides.length === 0) return undefined;
  const variant = (mode: 'loss' | 'logDensity' | 'probabilities' | 'sample') => ({ mode, logits: sides.map(logitsOf), headOffset: family.headWidth(a), targetOffset: a.outputDim });
  const headStride = modelHeadWidth(a, family);
  const targetStride = targetWidthOf(a);
  return {
    loss: () =>
      stage(sideOutputs, variant('loss'), (rows) => ({ rows, headStride, targetStride, gradScale: 1 / rows }), (io: LossIo) => ({
        head: io.head,
        targets: io.targets,
        headGrad: io.headGrad,
        sampleNll: io.sampleNll,
      })),
    probabilities: () => stage(sideOutputs, variant('probabilities'), (rows) => ({ rows, headStride, targetStride, gradScale: 1 }), (io: MixtureIo) => ({ head: io.head, params: io.params })),
    logDensity: () =>
      stage(sideOutputs, variant('logDensity'), (rows) => ({ rows, headStride, targetStride, gradScale: 1 }), (io: LogDensityIo) => ({
        head: io.head,
        targets: io.targets,
        logDensity: io.logDensity,
      })),
    sample: (samplesPerRow) =>
      stage(sideOutputSample, variant('sample'), (rows) => ({ rows, samplesPerRow, headStride, sampleStride: targetStride }), (io: SampleIo) => ({
        head: io.head,
        samples: io.samples,
        call: io.call,
      })),
  };
}
