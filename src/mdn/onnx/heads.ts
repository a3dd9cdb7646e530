// Each head family as ONNX operators, from the raw head [rows, width]: its mixture parameters and the
// log-density of scaled targets, with mixden's numerics (log-sum-exp over components; log σ taken from the
// pre-activation where the activation allows; softplus without cancellation). The one list to extend when a
// head family should export.
import type { MdnArchitecture } from '../architecture.js';
import { studentTLogNormalizer } from '../heads/standardDensity.js';
import { NU_MIN, NU_SPAN } from '../../shaders/learnedDegreesOfFreedom.wgsl.js';
import { besselAsymptoticCoefficients } from '../../shaders/vonMises.wgsl.js';
import type { GraphBuilder } from './graph.js';

/** The head split into its parts: logits [rows, K], μ and the scales [rows, K, D] with log σ, the factor below the diagonal [rows, K, T]. */
export interface HeadParts {
  readonly logits: string;
  readonly mu: string;
  readonly sigma: string;
  readonly logSigma: string;
  readonly lower?: string;
}

export interface OnnxHead {
  /** log p(y | component k) per row and component, [rows, K], for scaled targets y [rows, D]. */
  componentLogDensity(g: GraphBuilder, a: MdnArchitecture, parts: HeadParts, y: string): string;
}

const LOG_SQRT_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/** Splits the raw head and applies the σ activation. */
export function headParts(g: GraphBuilder, a: MdnArchitecture, head: string, lowerPerComponent: number): HeadParts {
  const K = a.components;
  const D = a.outputDim;
  const slice = (from: number, to: number, label: string) => g.op('Slice', [head, g.ints('start', [from]), g.ints('end', [to]), g.ints('axis', [1])], {}, label);
  const byComponent = (x: string, width: number) => g.op('Reshape', [x, g.ints('shape', [-1, K, width])]);
  const s = byComponent(slice(K + K * D, K + 2 * K * D, 'sigma_pre'), D);
  const { sigma, logSigma } = sigmaOf(g, a, s);
  return {
    logits: slice(0, K, 'logits'),
    mu: byComponent(slice(K, K + K * D, 'mu_raw'), D),
    sigma,
    logSigma,
    ...(lowerPerComponent > 0 ? { lower: byComponent(slice(K + 2 * K * D, K * (1 + 2 * D + lowerPerComponent), 'lower_raw'), lowerPerComponent) } : {}),
  };
}

/**
 * softplus(s) = max(s, 0) + log(1 + t), t = e^−|s|, with log(1 + t) = 2 atanh(t / (2 + t)), exact for small t
 * (1 + t rounds t away below 1e-7), and no overflow for large s.
 */
export function softplus(g: GraphBuilder, s: string, label = 'softplus'): string {
  const t = g.op('Exp', [g.op('Neg', [g.op('Abs', [s])])]);
  const log1p = g.op('Mul', [g.op('Atanh', [g.op('Div', [t, g.op('Add', [t, g.scalar('two', 2)])])]), g.scalar('two', 2)]);
  return g.op('Add', [g.op('Relu', [s]), log1p], {}, label);
}

function sigmaOf(g: GraphBuilder, a: MdnArchitecture, s: string): { sigma: string; logSigma: string } {
  switch (a.sigma) {
    case 'exp':
      return { sigma: g.op('Exp', [s]), logSigma: s };
    case 'softplus': {
      // Below s = −20, log σ = s to f32 precision, as the kernels take it.
      const sigma = softplus(g, s, 'sigma');
      const logSigma = g.op('Where', [g.op('Less', [s, g.scalar('minus20', -20)]), s, g.op('Log', [sigma])]);
      return { sigma, logSigma };
    }
    case 'elu1': {
      const sigma = g.op('Add', [g.op('Elu', [s], { alpha: { float: 1 } }), g.scalar('one_plus_epsilon', 1 + a.sigmaEpsilon)], {}, 'sigma');
      return { sigma, logSigma: g.op('Log', [sigma]) };
    }
  }
}

// Σ_d over the last axis of a [rows, K, D] tensor.
const sumLast = (g: GraphBuilder, x: string) => g.op('ReduceSum', [x, g.ints('axes', [2])], { keepdims: 0 });

/** A diagonal location-scale family: Σ_d (−logNormalizer − negLogKernel(u) − log σ), u = (y − μ)/σ. */
function locationScale(logNormalizer: (a: MdnArchitecture) => number, negLogKernel: (g: GraphBuilder, a: MdnArchitecture, u: string) => string): OnnxHead {
  return {
    componentLogDensity(g, a, { mu, sigma, logSigma }, y) {
      const u = g.op('Div', [g.op('Sub', [g.op('Unsqueeze', [y, g.ints('axes', [1])]), mu]), sigma], {}, 'u');
      const perDim = g.op('Neg', [g.op('Add', [negLogKernel(g, a, u), logSigma])]);
      return g.op('Sub', [sumLast(g, perDim), g.scalar('normalizer', a.outputDim * logNormalizer(a))]);
    },
  };
}

const fixedStudentT = locationScale(
  (a) => studentTLogNormalizer(a.degreesOfFreedom as number),
  (g, a, u) => {
    const nu = a.degreesOfFreedom as number;
    const r2 = g.op('Div', [g.op('Mul', [u, u]), g.scalar('nu', nu)]);
    return g.op('Mul', [g.op('Log', [g.op('Add', [r2, g.scalar('one', 1)])]), g.scalar('half_nu_plus_one', (nu + 1) / 2)]);
  },
);

/** Learned degrees of freedom from their pre-activations (the head's values after the scales): ν = NU_MIN + NU_SPAN · sigmoid(a). */
export const learnedDegreesOfFreedom = (g: GraphBuilder, preActivation: string): string =>
  g.op('Add', [g.op('Mul', [g.op('Sigmoid', [preActivation]), g.scalar('nu_span', NU_SPAN)]), g.scalar('nu_min', NU_MIN)], {}, 'nu');

// Student-t with ν per component and dimension: the normaliser log Γ(ν/2) + ½ log(νπ) − log Γ((ν + 1)/2) by the
// kernels' series for log Γ(x + ½) − log Γ(x) (shaders/learnedDegreesOfFreedom.wgsl.ts), there being no log-gamma
// operator in ONNX.
function learnedStudentT(g: GraphBuilder, { mu, sigma, logSigma, lower }: HeadParts, y: string): string {
  const nu = learnedDegreesOfFreedom(g, lower!);
  const x = g.op('Mul', [nu, g.scalar('half', 0.5)]);
  let shift = '';
  for (let i = 0; i < 8; i++) {
    const term = g.op('Log', [g.op('Div', [g.op('Add', [x, g.scalar(`i_half`, i + 0.5)]), i === 0 ? x : g.op('Add', [x, g.scalar('i', i)])])]);
    shift = shift ? g.op('Add', [shift, term]) : term;
  }
  const z = g.op('Add', [x, g.scalar('eight', 8)]);
  const iz = g.op('Div', [g.scalar('one', 1), z]);
  const iz2 = g.op('Mul', [iz, iz]);
  const inner = g.op('Sub', [g.scalar('c192', 1 / 192), g.op('Div', [iz2, g.scalar('c640', 640)])]);
  const series = g.op('Sub', [g.op('Mul', [g.op('Log', [z]), g.scalar('half', 0.5)]), g.op('Mul', [iz, g.op('Sub', [g.scalar('c8', 0.125), g.op('Mul', [iz2, inner])])])]);
  const ratio = g.op('Sub', [series, shift]);
  const normalizer = g.op('Sub', [g.op('Mul', [g.op('Log', [g.op('Mul', [nu, g.scalar('pi', Math.PI)])]), g.scalar('half', 0.5)]), ratio], {}, 'log_normalizer');
  const u = g.op('Div', [g.op('Sub', [g.op('Unsqueeze', [y, g.ints('axes', [1])]), mu]), sigma], {}, 'u');
  const r2 = g.op('Div', [g.op('Mul', [u, u]), nu]);
  const kernel = g.op('Mul', [g.op('Log', [g.op('Add', [r2, g.scalar('one', 1)])]), g.op('Mul', [g.op('Add', [nu, g.scalar('one', 1)]), g.scalar('half', 0.5)])]);
  return sumLast(g, g.op('Neg', [g.op('Add', [g.op('Add', [kernel, logSigma]), normalizer])]));
}

// Σ c_k x^k by Horner's rule.
function polynomial(g: GraphBuilder, c: readonly number[], x: string): string {
  let acc = g.scalar('c', c[c.length - 1]);
  for (let k = c.length - 2; k >= 0; k--) acc = g.op('Add', [g.scalar('c', c[k]), g.op('Mul', [x, acc])]);
  return acc;
}

// Von Mises components, κ = 1/σ²: log p = −2κ sin²(δ/2) + (κ − log I₀(κ)) − log 2π, κ − log I₀(κ) from the same
// three pieces as the kernels (shaders/vonMises.wgsl.ts), each evaluated on clamped inputs and one chosen by Where.
function vonMises(g: GraphBuilder, { mu, sigma, logSigma }: HeadParts, y: string): string {
  const kappa = g.op('Div', [g.scalar('one', 1), g.op('Mul', [sigma, sigma])], {}, 'kappa');
  const small = g.op('Div', [g.op('Mul', [g.op('Min', [kappa, g.scalar('c', 3.75)]), g.op('Min', [kappa, g.scalar('c', 3.75)])]), g.scalar('c', 14.0625)]);
  const smallExcess = g.op('Sub', [kappa, g.op('Log', [polynomial(g, [1, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813], small)])]);
  const middle = g.op('Div', [g.scalar('c', 3.75), g.op('Max', [kappa, g.scalar('c', 3.75)])]);
  const middleExcess = g.op('Neg', [g.op('Add', [logSigma, g.op('Log', [polynomial(g, [0.39894228, 0.01328592, 0.00225319, -0.00157565, 0.00916281, -0.02057706, 0.02635537, -0.01647633, 0.00392377], middle)])])]);
  const large = g.op('Min', [g.op('Mul', [sigma, sigma]), g.scalar('c', 1 / 12)]);
  const largeExcess = g.op('Sub', [g.op('Sub', [g.scalar('half_log_two_pi', 0.5 * Math.log(2 * Math.PI)), logSigma]), g.op('Log', [polynomial(g, besselAsymptoticCoefficients(0, 10), large)])]);
  const excess = g.op('Where', [g.op('Less', [kappa, g.scalar('c', 3.75)]), smallExcess, g.op('Where', [g.op('Less', [kappa, g.scalar('c', 12)]), middleExcess, largeExcess])], {}, 'excess');
  const delta = g.op('Sub', [g.op('Unsqueeze', [y, g.ints('axes', [1])]), mu]);
  const h = g.op('Sin', [g.op('Mul', [delta, g.scalar('half', 0.5)])]);
  const quadratic = g.op('Mul', [g.op('Mul', [h, h]), g.op('Mul', [kappa, g.scalar('two', 2)])]);
  return sumLast(g, g.op('Sub', [g.op('Sub', [excess, quadratic]), g.scalar('log_two_pi', Math.log(2 * Math.PI))]));
}

export const ONNX_HEADS: Record<string, OnnxHead> = {
  'von-mises': { componentLogDensity: (g, _a, parts, y) => vonMises(g, parts, y) },
  gaussian: locationScale(
    () => LOG_SQRT_TWO_PI,
    (g, _a, u) => g.op('Mul', [g.op('Mul', [u, u]), g.scalar('half', 0.5)]),
  ),
  laplace: locationScale(
    () => Math.LN2,
    (g, _a, u) => g.op('Abs', [u]),
  ),
  'student-t': {
    componentLogDensity: (g, a, parts, y) => (a.degreesOfFreedom === 'learned' ? learnedStudentT(g, parts, y) : fixedStudentT.componentLogDensity(g, a, parts, y)),
  },
  // z = L⁻¹(y − μ) by forward substitution written out over D (no ONNX operator solves triangular systems);
  // log N = −D log √(2π) − Σ log L_ii − ½|z|².
  'gaussian-full': {
    componentLogDensity(g, a, { mu, sigma, logSigma, lower }, y) {
      const D = a.outputDim;
      const residual = g.op('Sub', [g.op('Unsqueeze', [y, g.ints('axes', [1])]), mu], {}, 'residual');
      const at = (x: string, i: number) => g.op('Gather', [x, g.index('i', i)], { axis: 2 });
      const z: string[] = [];
      let squares = '';
      for (let i = 0; i < D; i++) {
        let acc = at(residual, i);
        for (let j = 0; j < i; j++) acc = g.op('Sub', [acc, g.op('Mul', [at(lower!, (i * (i - 1)) / 2 + j), z[j]])]);
        z.push(g.op('Div', [acc, at(sigma, i)], {}, `z${i}`));
        const square = g.op('Mul', [z[i], z[i]]);
        squares = squares ? g.op('Add', [squares, square]) : square;
      }
      const logDet = sumLast(g, logSigma);
      return g.op('Sub', [g.op('Neg', [g.op('Add', [logDet, g.op('Mul', [squares, g.scalar('half', 0.5)])])]), g.scalar('normalizer', D * LOG_SQRT_TWO_PI)]);
    },
  },
};
