// The fused mixture NLL kernel against the float64 reference, on random heads and on extreme ones.
// Tolerances (justified in test/gpu/mixture.test.ts): NLL atol 2e-5 + rtol 2e-5; gradients atol 2e-5 + rtol 1e-4.
import type { GpuContext } from '../../../src/runtime/device.js';
import type { SigmaActivation } from '../../../src/shaders/sigma.wgsl.js';
import type { ComponentDensity } from '../../../src/shaders/componentDensity.wgsl.js';
import { mixtureNll } from '../../../src/shaders/mixtureNll.js';
import { meanReduce } from '../../../src/shaders/meanReduce.js';
import * as ref from '../../../src/mdn/reference/mixture.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { runKernel, toF32 } from '../runKernel.js';

export type MixtureScenario = 'random' | 'far' | 'sigma50';

interface MixtureArgs {
  batch: number;
  components: number;
  dims: number;
  sigma: SigmaActivation;
  scenario: MixtureScenario;
  /** λ of the σ pre-activation penalty (default 0). */
  sigmaPenalty?: number;
  seed?: number;
  /** 'loops': the kernel variant that loops over K and D, which wider heads get; default the unrolled one. */
  layout?: 'unrolled' | 'loops';
  /** The components' family (default Gaussian). */
  family?: ComponentDensity;
  /** Student-t components' ν. */
  degreesOfFreedom?: number;
}

const EPSILON = 1e-7;
/** A σ pre-activation giving σ close to 1 under each activation. */
const UNIT_SIGMA: Record<SigmaActivation, number> = { exp: 0, softplus: 0.5413, elu1: 0 };

function makeHead(args: MixtureArgs): { head: Float64Array; target: Float64Array } {
  const { batch, components: K, dims: D, sigma, scenario } = args;
  const random = new Random((args.seed ?? 3) + batch * 31 + K * 1009 + D * 7);
  const width = ref.headWidthOf(K, D);
  const head = new Float64Array(batch * width);
  const target = new Float64Array(batch * D);
  for (let r = 0; r < batch; r++) {
    const row = r * width;
    for (let k = 0; k < K; k++) head[row + k] = random.range(-2, 2);
    for (let i = 0; i < K * D; i++) {
      head[row + K + i] = random.range(-2, 2);
      head[row + K + K * D + i] = scenario === 'random' ? UNIT_SIGMA[sigma] + random.range(-1, 1) : UNIT_SIGMA[sigma];
    }
    for (let d = 0; d < D; d++) target[r * D + d] = random.range(-3, 3);
    if (scenario === 'far') {
      // Component k sits 0.5·k further away than component 0, which is 1e3 σ from the target in every dim:
      // every component is >= 1e3 σ away and the nearest one is unique by a wide log-density margin.
      for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) head[row + K + k * D + d] = -0.5 * k;
      for (let d = 0; d < D; d++) target[r * D + d] = 1000;
    }
    if (scenario === 'sigma50') {
      // σ pre-activations alternate +50 / -50; the target sits on one component's mean.
      for (let k = 0; k < K; k++) for (let d = 0; d < D; d++) head[row + K + K * D + k * D + d] = (k + r) % 2 === 0 ? 50 : -50;
      const chosen = Math.floor(random.uniform() * K);
      for (let d = 0; d < D; d++) target[r * D + d] = head[row + K + chosen * D + d];
    }
  }
  return { head: toF32(head), target: toF32(target) };
}

/**
 * Laplace components 1e3 scales from the target: each joint log-density is about D·1e3 in size (|u| per
 * dimension, not u²/2), and adjacent components differ by only 0.5·D in it, so several share the
 * responsibility. The f32 rounding of those joints, within 2^-24 of each of their D terms and of the sum,
 * moves each responsibility γ by up to 4·D·1e3·2^-24 of itself. The μ and σ gradients are γ times a factor,
 * so that is relative to them; a logit's gradient is π − γ, which can be far smaller than γ where the two
 * nearly cancel, so its allowance is that fraction of γ = π − gradient, not of the gradient. (Gaussian
 * components there differ by so much that one takes all the responsibility, and the rounding cancels.)
 */
function farLaplaceBound(args: MixtureArgs, head: ArrayLike<number>, expectedGrad: ArrayLike<number>): Float64Array | undefined {
  if (args.family !== 'laplace' || args.scenario !== 'far') return undefined;
  const { batch, components: K, dims: D } = args;
  const relative = (4 * D * 1000) / 2 ** 24;
  const shape = { batch, components: K, dims: D, sigma: args.sigma, sigmaEpsilon: EPSILON };
  const weights = ref.mixtureParams(head, shape);
  const bound = new Float64Array(expectedGrad.length);
  const width = ref.headWidthOf(K, D);
  for (let i = 0; i < bound.length; i++) {
    const column = i % width;
    const responsibility = column < K ? weights[i] - expectedGrad[i] : expectedGrad[i];
    bound[i] = relative * Math.abs(responsibility);
  }
  return bound;
}

export const mixtureCases = {
  async mixtureNll(gpu: GpuContext, args: MixtureArgs) {
    const { batch, components, dims, sigma } = args;
    const { head, target } = makeHead(args);
    const sigmaPenalty = Math.fround(args.sigmaPenalty ?? 0);
    const family = args.family ?? 'gaussian';
    const degreesOfFreedom = args.degreesOfFreedom;
    const expected = ref.mixtureNll(head, target, { batch, components, dims, sigma, sigmaEpsilon: EPSILON, sigmaPenalty, family, degreesOfFreedom });
    const out = await runKernel(
      gpu,
      mixtureNll,
      { family, degreesOfFreedom, sigma, withGradient: true, unrolled: args.layout === 'loops' ? null : { components, dims } },
      { batch, components, dims, gradScale: 1, sigmaEpsilon: EPSILON, sigmaPenalty, sigmaGradScale: 1 },
      {
        buffers: { head, targets: target, headGrad: head.length, sampleNll: batch },
        read: ['sampleNll', 'headGrad'],
      },
    );
    const label = `mixtureNll ${family}${degreesOfFreedom ? ` ν ${degreesOfFreedom}` : ''} ${args.layout ?? 'unrolled'} ${args.scenario} ${sigma} B${batch} K${components} D${dims} λ${sigmaPenalty}`;
    const referenceFinite = [...expected.sampleNll, ...expected.headGrad].every(Number.isFinite);
    return {
      referenceFinite,
      reports: [
        compareArrays(`${label} nll`, out.sampleNll, expected.sampleNll, { atol: 2e-5, rtol: 2e-5 }),
        compareArrays(`${label} grad`, out.headGrad, expected.headGrad, { atol: 2e-5, rtol: 1e-4, bound: farLaplaceBound(args, head, expected.headGrad) }),
      ],
    };
  },

  async meanReduce(gpu: GpuContext, { count }: { count: number }) {
    const random = new Random(count);
    const values = toF32(random.fill(count, (r) => r.range(-5, 10)));
    const scale = Math.fround(1 / count);
    const sum = values.reduce((a, b) => a + b, 0);
    const magnitude = values.reduce((a, b) => a + Math.abs(b), 0);
    const { result } = await runKernel(gpu, meanReduce, {}, { count, scale }, {
      buffers: { values, result: 1 },
      read: ['result'],
    });
    // Summation bound (count + 2)·u·Σ|p|, scaled, plus the rounding of the final multiply.
    const bound = [(count + 2) * 2 ** -24 * magnitude * scale];
    return [compareArrays(`meanReduce ${count}`, result, [sum * scale], { atol: 0, rtol: 2 ** -23, bound })];
  },
};
