// SGD with optional momentum (heavy ball) and L2 weight decay over a whole parameter arena in one dispatch.
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { defineKernel, elementwiseWorkgroups } from '../runtime/kernel.js';
import { defineUniformStruct } from '../runtime/uniforms.js';
import { elementwiseEntry } from './elementwise.wgsl.js';

const WORKGROUP = 256;

export const SgdSettings = defineUniformStruct('SgdSettings', { count4: 'u32', momentum: 'f32', weightDecay: 'f32' });
export const SgdStep = defineUniformStruct('SgdStep', { learningRate: 'f32' });

export interface SgdSizes {
  readonly count: number;
  readonly momentum: number;
  readonly weightDecay: number;
}

export const sgd = defineKernel<Record<string, never>, SgdSizes>()({
  name: 'sgd',
  bindings: () => [
    readWrite('params', 'vec4<f32>'),
    readOnly('grads', 'vec4<f32>'),
    readWrite('velocity', 'vec4<f32>'),
    uniform('settings', SgdSettings),
    uniform('step', SgdStep, true),
  ],
  source: () =>
    elementwiseEntry(
      WORKGROUP,
      'settings.count4',
      `  let p = params[i];
  let v = settings.momentum * velocity[i] + grads[i] + settings.weightDecay * p;
  velocity[i] = v;
  params[i] = p - step.learningRate * v;`,
    ),
  plan: (sizes) => {
    if (sizes.count % 4 !== 0) throw new Error(`sgd: parameter count ${sizes.count} is not a multiple of 4`);
    const { count, ...rest } = sizes;
    return { uniforms: { count4: count / 4, ...rest }, workgroups: elementwiseWorkgroups(count / 4, WORKGROUP) };
  },
});
