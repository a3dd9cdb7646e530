// Discrete side outputs on the CPU: their float64 reference against finite differences and closed forms, the
// whole head's loss (family + side outputs) against its parts, the model description's checks, target checks
// naming the row, the file round trip, the mixture split, and scaling that leaves their columns alone.
import { describe, expect, it } from 'vitest';
import { type MdnArchitecture, headWidth, targetWidth, validateArchitecture } from '../../src/mdn/architecture.js';
import { checkSideTargets, sideLogitCount } from '../../src/mdn/heads/sideOutputs.js';
import type { SideOutputSpec } from '../../src/mdn/heads/sideOutputs.js';
import { headLoss, headReferenceOf } from '../../src/mdn/reference/heads.js';
import { sideOutputsNll, sideProbabilities } from '../../src/mdn/reference/sideOutputs.js';
import { splitMixture } from '../../src/mdn/mixture.js';
import { initialParameters } from '../../src/mdn/init.js';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { applyTargetScaler, leadingColumns, withIdentityColumns } from '../../src/mdn/scaling.js';
import { fitScaler } from '../../src/mdn/data/scaler.js';
import { exportWgsl } from '../../src/inference.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';
import { Random } from '../../src/mdn/random.js';
import { centralDifference } from './fd.js';
import { rewriteManifest } from '../support/modelBytes.js';

const PEN: SideOutputSpec = { kind: 'bernoulli', name: 'pen' };
const LETTER: SideOutputSpec = { kind: 'categorical', classes: 4, name: 'letter' };
const SIDES = [PEN, LETTER, { kind: 'bernoulli' }] as const;

const base: MdnArchitecture = { inputDim: 2, outputDim: 2, hidden: [4], activation: 'tanh', components: 3, sigma: 'softplus', sigmaEpsilon: 1e-7, sideOutputs: SIDES };

// Random head rows and targets of a model, the side targets valid classes.
function rowsOf(arch: MdnArchitecture, rows: number, seed: number, logitRange = 3): { head: Float64Array; targets: Float64Array } {
  const random = new Random(seed);
  const width = headWidth(arch);
  const own = width - sideLogitCount(arch);
  const head = Float64Array.from({ length: rows * width }, (_, i) => (i % width < own ? random.range(-1, 1) : random.range(-logitRange, logitRange)));
  const columns = targetWidth(arch);
  const targets = new Float64Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < arch.outputDim; d++) targets[r * columns + d] = random.normal();
    (arch.sideOutputs ?? []).forEach((s, i) => (targets[r * columns + arch.outputDim + i] = Math.floor(random.uniform() * (s.kind === 'bernoulli' ? 2 : (s.classes as number)))));
  }
  return { head, targets };
}

describe('side outputs: float64 reference', () => {
  it('the gradient of the cross-entropy matches central differences (Bernoulli and categorical, logits up to ±20)', () => {
    const at = { headOffset: 2, headStride: 9, targetOffset: 1, targetStride: 4 };
    const random = new Random(4);
    const rows = 5;
    const head = Float64Array.from({ length: rows * 9 }, () => random.range(-20, 20));
    const targets = Float64Array.from({ length: rows * 4 }, (_, i) => (i % 4 === 2 ? Math.floor(random.uniform() * 4) : i % 4 === 0 ? 7 : random.uniform() < 0.5 ? 0 : 1));
    const { headGrad } = sideOutputsNll(SIDES, head, targets, rows, at);
    const total = () => sideOutputsNll(SIDES, head, targets, rows, at).sampleNll.reduce((a, b) => a + b, 0);
    const numeric = centralDifference(head, total);
    for (let i = 0; i < head.length; i++) expect(Math.abs(headGrad[i] - numeric[i])).toBeLessThan(1e-6);
    // Columns outside the side logits get no gradient.
    for (let r = 0; r < rows; r++) for (const c of [0, 1, 8]) expect(headGrad[r * 9 + c]).toBe(0);
  });

  it('equals −log of the probabilities, which sum to one, with no overflow at logits of ±1e3', () => {
    const at = { headOffset: 0, headStride: 6, targetOffset: 0, targetStride: 3 };
    const head = Float64Array.from([1000, -1000, 0, 999, 2, 0.5, -1000, 1000, 1000, -5, 3, -3]);
    const targets = Float64Array.from([1, 2, 0, 1, 0, 1]);
    const { sampleNll, headGrad } = sideOutputsNll(SIDES, head, targets, 2, at);
    const p = sideProbabilities(SIDES, head, 2, at);
    expect([...sampleNll, ...headGrad, ...p].every(Number.isFinite)).toBe(true);
    for (let r = 0; r < 2; r++) {
      const q = p.subarray(r * 6, r * 6 + 6);
      const y = targets.subarray(r * 3, r * 3 + 3);
      const expected = -Math.log(y[0] ? q[0] : 1 - q[0]) - Math.log(q[1 + y[1]]) - Math.log(y[2] ? q[5] : 1 - q[5]);
      // Where a probability is 1 in f64 its log is 0 and the NLL is the other terms; compare where it is finite.
      if (Number.isFinite(expected)) expect(sampleNll[r]).toBeCloseTo(expected, 9);
      expect(q[1] + q[2] + q[3] + q[4]).toBeCloseTo(1, 12);
    }
    // A confident wrong Bernoulli costs its logit: softplus(1000) − 0 = 1000.
    expect(sideOutputsNll([PEN], [1000], [0], 1, { headOffset: 0, headStride: 1, targetOffset: 0, targetStride: 1 }).sampleNll[0]).toBe(1000);
  });

  it.each(['gaussian', 'gaussian-full', 'student-t'] as const)("a %s head's loss is its family's plus the side outputs', and its gradient matches central differences", (family) => {
    const arch: MdnArchitecture = { ...base, family, ...(family === 'student-t' ? { degreesOfFreedom: 3 } : {}) };
    const rows = 4;
    const { head, targets } = rowsOf(arch, rows, 11);
    const width = headWidth(arch);
    const own = width - sideLogitCount(arch);
    const columns = targetWidth(arch);
    const whole = headLoss(arch, head, targets, rows, 0.01);
    const mixture = headReferenceOf(arch).loss(arch, leadingColumns(head, own, width), leadingColumns(targets, 2, columns), rows, 0.01);
    const side = sideOutputsNll(SIDES, head, targets, rows, { headOffset: own, headStride: width, targetOffset: 2, targetStride: columns });
    for (let r = 0; r < rows; r++) expect(whole.sampleNll[r]).toBeCloseTo(mixture.sampleNll[r] + side.sampleNll[r], 12);
    const numeric = centralDifference(head, () => headLoss(arch, head, targets, rows, 0.01).sampleNll.reduce((a, b) => a + b, 0));
    for (let i = 0; i < head.length; i++) expect(Math.abs(whole.headGrad[i] - numeric[i])).toBeLessThan(2e-6);
  });
});

describe('side outputs in the model description', () => {
  it('widen the head by their logits and the targets by one column each', () => {
    expect(headWidth(base)).toBe(3 * (1 + 2 * 2) + 1 + 4 + 1);
    expect(targetWidth(base)).toBe(2 + 3);
    expect(headWidth({ ...base, sideOutputs: undefined })).toBe(15);
    expect(targetWidth({ ...base, sideOutputs: undefined })).toBe(2);
  });

  it.each([
    [{ sideOutputs: { kind: 'bernoulli' } }, /sideOutputs must be a list/],
    [{ sideOutputs: [{ kind: 'poisson' }] }, /sideOutputs\[0\]\.kind must be 'bernoulli' or 'categorical', got "poisson"/],
    [{ sideOutputs: [{ kind: 'categorical' }] }, /sideOutputs\[0\]\.classes must be an integer from 2 to 1024, got undefined/],
    [{ sideOutputs: [{ kind: 'categorical', classes: 1 }] }, /classes must be an integer from 2/],
    [{ sideOutputs: [{ kind: 'bernoulli', classes: 2 }] }, /a bernoulli output has two classes .* takes no 'classes'/],
    [{ sideOutputs: [{ kind: 'bernoulli', weight: 2 }] }, /sideOutputs\[0\] has no field 'weight'/],
    [{ sideOutputs: [{ kind: 'bernoulli', name: 'pen' }, { kind: 'bernoulli', name: 'pen' }] }, /sideOutputs\[1\]\.name 'pen' is used twice/],
    [{ sideOutputs: [{ kind: 'bernoulli', name: '1 2' }] }, /name must be 1-64 letters/],
    [{ sideOutputs: Array.from({ length: 17 }, () => ({ kind: 'bernoulli' })) }, /lists 17 outputs; the limit is 16/],
  ])('refuses %j naming the field', (extra, message) => {
    expect(() => validateArchitecture({ ...base, ...extra } as unknown as MdnArchitecture)).toThrow(InvalidArgumentError);
    expect(() => validateArchitecture({ ...base, ...extra } as unknown as MdnArchitecture)).toThrow(message);
  });

  it.each([
    [[0.5, 0.1, 2, 2, 0], /y row 0, column 2 \('pen', bernoulli\) must be 0 or 1, got 2/],
    [[0.5, 0.1, 1, 2, 0, 0, 0, 0.5, 2, 1], /y row 1, column 2 \('pen', bernoulli\) must be 0 or 1, got 0.5/],
    [[0.5, 0.1, 0, 4, 1], /y row 0, column 3 \('letter', categorical\) must be a class 0 to 3, got 4/],
    [[0.5, 0.1, 0, 1.5, 1], /must be a class 0 to 3, got 1.5/],
    [[0.5, 0.1, 0, 1, Number.NaN], /y row 0, column 4 \(side output 2, bernoulli\) must be 0 or 1, got NaN/],
  ])('a side target that is not a class of its output is refused, naming the row and column: %j', (y, message) => {
    expect(() => checkSideTargets('y', base, y)).toThrow(InvalidArgumentError);
    expect(() => checkSideTargets('y', base, y)).toThrow(message);
  });

  it('valid classes pass', () => {
    expect(() => checkSideTargets('y', base, [0.5, 0.1, 1, 3, 0, 2, 2, 0, 0, 1])).not.toThrow();
  });

  it('saves and reads back the side outputs bit for bit, and refuses a file whose side outputs are bad', () => {
    const bytes = encodeModel(base, initialParameters(base, 1).map((b) => Float32Array.from(b)));
    expect(decodeModel(bytes).architecture).toEqual(base);
    expect(encodeModel(decodeModel(bytes).architecture, decodeModel(bytes).blocks)).toEqual(bytes);
    const bad = rewriteManifest(bytes, (m) => (m.architecture.sideOutputs[1].classes = 5));
    // The head layer no longer matches the architecture's widths.
    expect(() => decodeModel(bad)).toThrow(ModelFormatError);
    const hostile = rewriteManifest(bytes, (m) => (m.architecture.sideOutputs = [{ kind: 'categorical', classes: 1e9 }]));
    expect(() => decodeModel(hostile)).toThrow(/sideOutputs\[0\]\.classes must be an integer from 2 to 1024/);
  });

  it('exportWgsl ends the mixture with the side outputs’ probabilities, unscaled', () => {
    const stages = exportWgsl(base);
    expect(stages.map((s) => s.label).slice(-2)).toEqual(['mixture parameters', 'side output probabilities']);
    // They write the head's last 6 columns of 21 in place of its parameters.
    expect(stages[stages.length - 1].plan(5).uniforms).toEqual({ rows: 5, headStride: 21, targetStride: 5, gradScale: 1 });
  });
});

describe('side outputs around the mixture', () => {
  it('splitMixture gives each its probabilities in order after the family’s values', () => {
    const row = [0.2, 0.8, 1, 2, 3, 4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.1, 0.2, 0.3, 0.4];
    const m = splitMixture(Float32Array.from([...row, 0.9, 0.1, 0.2, 0.3, 0.4, 0.25, ...row, 0.3, 0.4, 0.3, 0.2, 0.1, 0.75]), 2, 3, 2, { sideOutputs: SIDES });
    expect(m.pi.length).toBe(6);
    expect(m.sideOutputs?.map((s) => [s.kind, s.name, s.classes])).toEqual([['bernoulli', 'pen', 2], ['categorical', 'letter', 4], ['bernoulli', undefined, 2]]);
    expect([...m.sideOutputs![0].probabilities]).toEqual([Math.fround(0.9), Math.fround(0.3)]);
    expect([...m.sideOutputs![1].probabilities].map((v) => +v.toFixed(6))).toEqual([0.1, 0.2, 0.3, 0.4, 0.4, 0.3, 0.2, 0.1]);
    expect([...m.sideOutputs![2].probabilities]).toEqual([0.25, 0.75]);
  });

  it('target scaling scales the continuous columns only; the GPU columns pass the side columns through', () => {
    const y = [1, 10, 1, 3, 0, 3, 30, 0, 1, 1];
    const scaler = fitScaler(leadingColumns(y, 2, 5), 2, 'zscore');
    const scaled = applyTargetScaler(scaler, y, 5);
    expect([...scaled].filter((_, i) => i % 5 >= 2)).toEqual([1, 3, 0, 0, 1, 1]);
    expect([scaled[0], scaled[5]].map((v) => +v.toFixed(6))).toEqual([-1, 1]);
    expect([...withIdentityColumns(Float32Array.from([2, 3, 0, 1]), 2)]).toEqual([2, 3, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0]);
  });
});
