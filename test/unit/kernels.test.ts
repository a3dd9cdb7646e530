// Generated WGSL of every kernel variant: declarations come from the binding list, every preprocessor
// directive is resolved, and the names the source uses are the ones declared.
import { describe, expect, it } from 'vitest';
import { kernelCode, type KernelDefinition } from '../../src/runtime/kernel.js';
import { ACTIVATIONS } from '../../src/shaders/activation.wgsl.js';
import { SIGMA_ACTIVATIONS } from '../../src/shaders/sigma.wgsl.js';
import { denseForward, denseForwardVariant } from '../../src/shaders/denseForward.js';
import { denseInputGrad, denseInputGradVariant } from '../../src/shaders/denseInputGrad.js';
import { denseWeightGrad, denseWeightGradVariant } from '../../src/shaders/denseWeightGrad.js';
import { mixtureNll } from '../../src/shaders/mixtureNll.js';
import { fittedBlock, matmulSource } from '../../src/shaders/matmul.wgsl.js';
import { checkSubgroupBlock, subgroupBlockFor, subgroupMatmulSource, subgroupMatmulWorkgroups } from '../../src/shaders/subgroupMatmul.wgsl.js';
import { MAX_UNROLLED_HEAD_WIDTH, unrolledHead } from '../../src/shaders/unrolledHead.js';
import { meanReduce } from '../../src/shaders/meanReduce.js';
import { mixtureParams } from '../../src/shaders/mixtureParams.js';
import { mixtureSample } from '../../src/shaders/mixtureSample.js';
import { adam } from '../../src/shaders/adam.js';
import { sgd } from '../../src/shaders/sgd.js';
import { gradNorm } from '../../src/shaders/gradNorm.js';
import { sideOutputSample, sideOutputs } from '../../src/shaders/sideOutputs.js';
import { learnedStudentTNll } from '../../src/shaders/learnedStudentTNll.js';
import { learnedStudentTSample } from '../../src/shaders/learnedStudentTSample.js';
import { vonMisesNll } from '../../src/shaders/vonMisesNll.js';
import { vonMisesSample } from '../../src/shaders/vonMisesSample.js';

const variants: [KernelDefinition<any, any>, unknown][] = [
  ...ACTIVATIONS.flatMap((activation) =>
    [false, true].map((vectorB) => [denseForward, { activation, vectorB }] as [KernelDefinition<any, any>, unknown]),
  ),
  ...ACTIVATIONS.map((activation) => [denseForward, { activation, vectorB: true, tiled: true }] as [KernelDefinition<any, any>, unknown]),
  ...ACTIVATIONS.map((inputActivation) => [denseInputGrad, { inputActivation, tiled: true }] as [KernelDefinition<any, any>, unknown]),
  ...ACTIVATIONS.map((inputActivation) => [denseInputGrad, { inputActivation }] as [KernelDefinition<any, any>, unknown]),
  [denseWeightGrad, { vectorB: false, block: { rows: 8, cols: 16 } }],
  [denseWeightGrad, { vectorB: true, block: { rows: 13, cols: 8 } }],
  ...SIGMA_ACTIVATIONS.flatMap((sigma) =>
    [true, false].flatMap((withGradient) =>
      [null, { components: 3, dims: 2 }].map((unrolled) => [mixtureNll, { sigma, withGradient, unrolled }] as [KernelDefinition<any, any>, unknown]),
    ),
  ),
  ...SIGMA_ACTIVATIONS.flatMap((sigma) =>
    [null, { components: 3, dims: 2 }].map((unrolled) => [mixtureParams, { sigma, unrolled }] as [KernelDefinition<any, any>, unknown]),
  ),
  ...SIGMA_ACTIVATIONS.flatMap((sigma) =>
    [null, { components: 3, dims: 2 }].map((unrolled) => [mixtureSample, { sigma, unrolled }] as [KernelDefinition<any, any>, unknown]),
  ),
  [meanReduce, {}],
  [adam, { clipped: false }],
  [adam, { clipped: true }],
  [sgd, {}],
  [gradNorm, {}],
  // A Bernoulli output alone, and one with a categorical output (which brings the log-sum-exp and class draw).
  ...[[1], [1, 4]].flatMap((logits) =>
    (['loss', 'logDensity', 'probabilities'] as const).map((mode) => [sideOutputs, { mode, logits, headOffset: 9, targetOffset: 1 }] as [KernelDefinition<any, any>, unknown]),
  ),
  [sideOutputSample, { mode: 'sample', logits: [1], headOffset: 9, targetOffset: 1 }],
  [sideOutputSample, { mode: 'sample', logits: [3, 1], headOffset: 9, targetOffset: 1 }],
  ...SIGMA_ACTIVATIONS.flatMap((sigma) => [true, false].map((withGradient) => [learnedStudentTNll, { sigma, withGradient }] as [KernelDefinition<any, any>, unknown])),
  ...SIGMA_ACTIVATIONS.map((sigma) => [learnedStudentTSample, { sigma }] as [KernelDefinition<any, any>, unknown]),
  [mixtureParams, { sigma: 'softplus', unrolled: null, extraPerComponent: 2, extraActivation: 'degreesOfFreedom' }],
  ...SIGMA_ACTIVATIONS.flatMap((sigma) => [true, false].map((withGradient) => [vonMisesNll, { sigma, withGradient }] as [KernelDefinition<any, any>, unknown])),
  ...SIGMA_ACTIVATIONS.map((sigma) => [vonMisesSample, { sigma }] as [KernelDefinition<any, any>, unknown]),
];

describe.each(variants)('%o', (definition, variant) => {
  it(`${definition.name} ${JSON.stringify(variant)} has resolved, consistent WGSL`, () => {
    const code = kernelCode(definition, variant);
    expect(code).not.toMatch(/^\s*#(if|elif|else|endif)/m);
    expect(code).toMatch(/@compute @workgroup_size\(/);
    for (const binding of definition.bindings(variant)) {
      expect(code).toContain(` ${binding.name}: `); // declared
      expect(code.split(binding.name).length - 1).toBeGreaterThan(1); // and used
    }
  });
});

describe('kernel plans', () => {
  it('denseForward folds the bias into K and gives each invocation a 16x8 block', () => {
    // ceil(33 / 16) * ceil(130 / 8) = 3 * 17 = 51 blocks, 16 per workgroup.
    expect(denseForward.plan({ rows: 33, inputs: 3, outputs: 130 }, { activation: 'relu', vectorB: false })).toEqual({
      uniforms: { m: 33, n: 130, k: 4, lda: 3, ldb: 130 },
      workgroups: [4, 1, 1],
    });
  });

  it('a GPU-class adapter gets the forward product in 64 x 64 workgroup tiles; the software ones keep register blocks', () => {
    expect(denseForwardVariant('tanh', { outputs: 24 }, 'gpu')).toEqual({ activation: 'tanh', vectorB: true, tiled: true });
    expect(denseForwardVariant('tanh', { outputs: 24 }, 'lavapipe').tiled).toBeUndefined();
    expect(denseForwardVariant('tanh', { outputs: 24 }, 'swiftshader').tiled).toBeUndefined();
    expect(denseForward.plan({ rows: 1000, inputs: 3, outputs: 130 }, { activation: 'relu', vectorB: false, tiled: true }).workgroups).toEqual([3, 16, 1]);
  });

  it('denseWeightGrad produces (inputs + 1) x outputs, the ones row giving the bias gradient', () => {
    // 25 rows fit two blocks of 13: 2 * 9 = 18 blocks of 13x8, 16 per workgroup.
    expect(denseWeightGrad.plan({ rows: 1000, inputs: 24, outputs: 72 }, denseWeightGradVariant({ inputs: 24, outputs: 72 }))).toEqual({
      uniforms: { m: 25, n: 72, k: 1000, lda: 24, ldb: 72 },
      workgroups: [2, 1, 1],
    });
  });

  it('lavapipe with subgroups gets subgroup broadcasts where they were measured faster; without subgroups, or on other adapters, it does not', () => {
    // Products over the batch's rows take 32 of them a workgroup, the weight gradient 16.
    expect(denseForwardVariant('tanh', { outputs: 130 }, 'lavapipe', 8).subgroup).toEqual({ rows: 32, cols: 4, lanes: 40, subgroupSize: 8 });
    expect(denseForwardVariant('tanh', { outputs: 512 }, 'lavapipe', 8).subgroup?.lanes).toBe(64);
    expect(denseForwardVariant('tanh', { outputs: 24 }, 'lavapipe').subgroup).toBeUndefined();
    expect(denseForwardVariant('tanh', { outputs: 24 }, 'swiftshader', 4).subgroup).toBeUndefined();
    // The input gradient only from 16 inputs; the weight gradient everywhere, in one subgroup's rows where the layer fits them.
    expect(denseInputGradVariant('tanh', { inputs: 8 }, 'lavapipe', 8).subgroup).toBeUndefined();
    expect(denseInputGradVariant('tanh', { inputs: 16 }, 'lavapipe', 8).subgroup).toEqual({ rows: 32, cols: 4, lanes: 8, subgroupSize: 8 });
    expect(denseInputGradVariant('tanh', { inputs: 16 }, 'gpu', 32)).toEqual({ inputActivation: 'tanh', tiled: true });
    expect(denseWeightGradVariant({ inputs: 5, outputs: 512 }, 'lavapipe', 8).subgroup?.rows).toBe(8);
    expect(denseWeightGradVariant({ inputs: 128, outputs: 512 }, 'lavapipe', 8).subgroup?.rows).toBe(16);
    expect(denseWeightGradVariant({ inputs: 128, outputs: 512 }, 'swiftshader', 4).subgroup).toBeUndefined();
  });

  it('subgroup products cover N in lanes x 4 columns and M in row groups, folded into z past 65,535 of them', () => {
    const block = subgroupBlockFor(512, 8);
    expect(subgroupMatmulWorkgroups(2048, 512, block)).toEqual([2, 128, 1]);
    expect(subgroupMatmulWorkgroups(16 * 70_000, 512, block)).toEqual([2, 65_535, 2]);
    expect(() => checkSubgroupBlock({ rows: 12, cols: 4, lanes: 8, subgroupSize: 8 })).toThrow(/multiples of the subgroup size 8/);
    // Both generators share the operand checks: no bias row in a transposed B.
    const transposedWithBias = { transposeA: false, transposeB: true, onesColumnA: true, onesRowA: false, epilogue: 'activation', activation: 'identity', vectorB: false } as const;
    expect(() => subgroupMatmulSource({ ...transposedWithBias, block }, { a: 'x', b: 'w', c: 'y' })).toThrow(/needs a row-major B/);
    expect(() => matmulSource({ ...transposedWithBias, block: { rows: 8, cols: 8 } }, { a: 'x', b: 'w', c: 'y' })).toThrow(/needs a row-major B/);
    expect(subgroupMatmulSource({ transposeA: true, transposeB: false, onesColumnA: false, onesRowA: true, epilogue: 'activation', activation: 'identity', vectorB: true, block }, { a: 'x', b: 'g', c: 'w' })).toContain('subgroupBroadcast(mine1, 7u)');
  });

  it('a weight gradient takes the block that pads its product least', () => {
    expect(fittedBlock(25, 72)).toEqual({ rows: 13, cols: 8 }); // 26 x 72 computed
    expect(fittedBlock(2, 24)).toEqual({ rows: 2, cols: 8 }); // nothing padded
    expect(fittedBlock(129, 128)).toEqual({ rows: 15, cols: 8 }); // 135 rows against 136 in 8-row blocks
    expect(fittedBlock(257, 256)).toEqual({ rows: 8, cols: 16 }); // 264 rows against 272; 8x16 beats 8x8 on a tie
  });

  it('refuses a vec4 variant for a stride that is not a multiple of 4', () => {
    expect(() => denseForward.plan({ rows: 8, inputs: 8, outputs: 6 }, { activation: 'relu', vectorB: true })).toThrow(
      /vectorB needs a row stride that is a multiple of 4, got 6/,
    );
  });

  it('mixture heads up to 256 outputs per row are unrolled, wider ones keep the loops', () => {
    expect(unrolledHead(24, 1)).toEqual({ components: 24, dims: 1 }); // 72 outputs
    expect(unrolledHead(85, 1)).toEqual({ components: 85, dims: 1 }); // 255
    expect(unrolledHead(52, 2)).toBeNull(); // 260
    expect(MAX_UNROLLED_HEAD_WIDTH).toBe(256);
  });

  it('an unrolled mixture kernel refuses a head of another shape', () => {
    const sizes = { batch: 8, components: 5, dims: 2, gradScale: 1, sigmaEpsilon: 0, sigmaPenalty: 0, sigmaGradScale: 1 };
    const variant = { sigma: 'exp', withGradient: true, unrolled: { components: 5, dims: 1 } } as const;
    expect(() => mixtureNll.plan(sizes, variant)).toThrow(/compiled for K=5, D=1 but dispatched with K=5, D=2/);
    expect(mixtureNll.plan(sizes, { ...variant, unrolled: null }).workgroups).toEqual([1, 1, 1]);
  });

  it('adam refuses a parameter count that is not a multiple of 4', () => {
    expect(() => adam.plan({ count: 6, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 }, { clipped: false })).toThrow(/multiple of 4/);
  });
});
