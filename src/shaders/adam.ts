// Adam (with optional decoupled weight decay, AdamW) over a whole parameter arena in one dispatch, four
// parameters per thread. Learning rate and bias corrections change per step and come from a step ring.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { type KernelDefinition, elementwiseWorkgroups } from '../runtime/kernel.js';
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

export const adam: KernelDefinition<AdamVariant, AdamSizes> = {
  name: 'adam',
  bindings: ({ clipped }) => [
    readWrite('params', 'vec4<f32>'),
    readOnly('grads', 'vec4<f32>'),
    readWrite('firstMoment', 'vec4<f32>'),
    readWrite('secondMoment', 'vec4<f32>'),
    ...(clipped ? [readOnly('clip')] : []),
    uniform('shape', AdamSettings),
    uniform('step', AdamStep, true),
  ],
  source: ({ clipped }) =>
    elementwiseEntry(
      WORKGROUP,
      'shape.count4',
      `  let g = grads[i]${clipped ? ' * clip[0]' : ''};
  let m = shape.beta1 * firstMoment[i] + (1.0 - shape.beta1) * g;
  let v = shape.beta2 * secondMoment[i] + (1.0 - shape.beta2) * g * g;
  firstMoment[i] = m;
  secondMoment[i] = v;
  let p = params[i];
  let update = (m * step.firstBiasCorrection) / (sqrt(v * step.secondBiasCorrection) + shape.epsilon);
  params[i] = p - step.learningRate * (update + shape.weightDecay * p);`,
    ),
  plan: (sizes) => {
    if (sizes.count % 4 !== 0) throw new Error(`adam: parameter count ${sizes.count} is not a multiple of 4`);
    const { count, ...rest } = sizes;
    return { uniforms: { count4: count / 4, ...rest }, workgroups: elementwiseWorkgroups(count / 4, WORKGROUP) };
  },
};

/** Per-step values of Adam at step `t` (1-based). */
export function adamStepValues(t: number, learningRate: number, beta1: number, beta2: number): Record<string, number> {
  return {
    learningRate,
    firstBiasCorrection: 1 / (1 - beta1 ** t),
    secondBiasCorrection: 1 / (1 - beta2 ** t),
  };
}
