// Adam (with optional decoupled weight decay, AdamW) over a whole parameter arena in one dispatch, four
// parameters per thread. Learning rate and bias corrections change per step and come from a step ring.
import { readOnly, readWrite, uniform, optional } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

const WORKGROUP = 256;

export const AdamSettings = defineUniformStruct('AdamSettings', {
  count4: 'u32',
  beta1: 'f32',
  beta2: 'f32',
  epsilon: 'f32',
  weightDecay: 'f32',
});

export const AdamStep = defineUniformStruct('AdamStep', {
  /** 1-based step number, recorded in `health` if this step's loss or gradient is not finite. */
  step: 'u32',
  learningRate: 'f32',
  /** 1 / (1 - beta1^t) */
  firstBiasCorrection: 'f32',
  /** 1 / (1 - beta2^t) */
  secondBiasCorrection: 'f32',
});

export interface AdamSizes {
  /** Number of parameters; a multiple of 4 (arenas are). */
  readonly count: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
}

export interface AdamVariant {
  /** Multiply every gradient by clip[0] (the global-norm clipping factor from gradNorm). */
  readonly clipped: boolean;
}

export const adam = defineKernel<AdamVariant, AdamSizes>()({
  name: 'adam',
  bindings: ({ clipped }) => [
    readWrite('params', 'vec4<f32>'),
    readOnly('grads', 'vec4<f32>'),
    readWrite('firstMoment', 'vec4<f32>'),
    readWrite('secondMoment', 'vec4<f32>'),
    ...(clipped ? [optional(readOnly('clip'))] : []),
    readOnly('loss'),
    readWrite('health', 'u32'),
    uniform('settings', AdamSettings),
    uniform('step', AdamStep, true),
  ],
  source: ({ clipped }) =>
    elementwiseEntry(
      WORKGROUP,
      'settings.count4',
      `  // A step whose loss or gradient is NaN or infinite stops training on the GPU: health records the first such
  // step (and 1 for the loss, 2 for a gradient) and every later update is skipped until the host rolls back.
  // Bit tests, since WGSL has no isnan and x != x may be optimised away.
  if (health[0] != 0u) { return; }
  if ((bitcast<u32>(loss[0]) & 0x7f800000u) == 0x7f800000u) {
    health[0] = step.step;
    health[1] = 1u;
    return;
  }
  let g = grads[i]${clipped ? ' * clip[0]' : ''};
  if (any((bitcast<vec4<u32>>(g) & vec4(0x7f800000u)) == vec4(0x7f800000u))) {
    health[0] = step.step;
    health[1] = 2u;
    return;
  }
  let m = settings.beta1 * firstMoment[i] + (1.0 - settings.beta1) * g;
  let v = settings.beta2 * secondMoment[i] + (1.0 - settings.beta2) * g * g;
  firstMoment[i] = m;
  secondMoment[i] = v;
  let p = params[i];
  let update = (m * step.firstBiasCorrection) / (sqrt(v * step.secondBiasCorrection) + settings.epsilon);
  params[i] = p - step.learningRate * (update + settings.weightDecay * p);`,
    ),
  plan: (sizes) => {
    if (sizes.count % 4 !== 0) throw new Error(`adam: parameter count ${sizes.count} is not a multiple of 4`);
    const { count, ...rest } = sizes;
    return { uniforms: { count4: count / 4, ...rest }, workgroups: elementwiseWorkgroups(count / 4, WORKGROUP) };
  },
});

/** Per-step values of Adam at step `t` (1-based). */
export function adamStepValues(t: number, learningRate: number, beta1: number, beta2: number): Record<string, number> {
  return {
    step: t,
    learningRate,
    firstBiasCorrection: 1 / (1 - beta1 ** t),
    secondBiasCorrection: 1 / (1 - beta2 ** t),
  };
}
