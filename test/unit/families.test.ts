// The mixture family in the model description: checked where it is given, saved and read back, and carried
// into the kernels exportWgsl writes.
import { describe, expect, it } from 'vitest';
import { type MdnArchitecture, validateArchitecture } from '../../src/mdn/architecture.js';
import { initialParameters } from '../../src/mdn/init.js';
import { ModelFormatError, decodeModel, encodeModel } from '../../src/mdn/serialization.js';
import { exportWgsl } from '../../src/inference.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';
import { rewriteManifest } from '../support/modelBytes.js';

const base: MdnArchitecture = { inputDim: 2, outputDim: 1, hidden: [4], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 };

describe('the family in the model description', () => {
  it.each([
    [{ family: 'gamma' }, /family must be one of gaussian, gaussian-full, laplace, student-t, von-mises, got "gamma"/],
    [{ family: 'student-t' }, /degreesOfFreedom must be 'learned' or a number above 1 and at most 1e6 for family 'student-t', got undefined/],
    [{ family: 'student-t', degreesOfFreedom: 1 }, /above 1/],
    [{ family: 'laplace', degreesOfFreedom: 3 }, /degreesOfFreedom is for family 'student-t', not 'laplace'/],
  ])('refuses %j naming the field', (extra, message) => {
    expect(() => validateArchitecture({ ...base, ...extra } as MdnArchitecture)).toThrow(InvalidArgumentError);
    expect(() => validateArchitecture({ ...base, ...extra } as MdnArchitecture)).toThrow(message);
  });

  it.each([
    { family: 'laplace' },
    { family: 'student-t', degreesOfFreedom: 2.5 },
  ])('saves and reads back %j bit for bit', (extra) => {
    const arch = { ...base, ...extra };
    const bytes = encodeModel(arch, initialParameters(arch, 1).map((b) => Float32Array.from(b)));
    expect(decodeModel(bytes).architecture).toEqual(arch);
    expect(encodeModel(decodeModel(bytes).architecture, decodeModel(bytes).blocks)).toEqual(bytes);
  });

  it('refuses a file whose family cannot log-transform its targets, or whose ν is missing', () => {
    const arch = { ...base, family: 'laplace' };
    const bytes = encodeModel(arch, initialParameters(arch, 1).map((b) => Float32Array.from(b)));
    const logY = rewriteManifest(bytes, (m) => (m.scalePlan = { x: 'none', y: 'zscore', logY: true }));
    expect(() => decodeModel(logY)).toThrow(ModelFormatError);
    expect(() => decodeModel(logY)).toThrow(/family 'laplace' cannot log-transform its targets/);
    const noNu = rewriteManifest(bytes, (m) => (m.architecture.family = 'student-t'));
    expect(() => decodeModel(noNu)).toThrow(/degreesOfFreedom must be 'learned' or a number above 1/);
  });

  it("exportWgsl's mixture-parameter stage is the same for every family (π, μ and the scale)", () => {
    const t = exportWgsl({ ...base, family: 'student-t', degreesOfFreedom: 2.5 });
    const g = exportWgsl(base);
    // Mixture parameters (π, μ, scale) do not depend on the family.
    expect(t[t.length - 1].code).toBe(g[g.length - 1].code);
  });
});
