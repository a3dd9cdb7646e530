// Binding and dispatch of the mixture-parameter kernel (source in mixtureParams.wgsl.ts).
import { readOnly, readWrite, uniform } from '../runtime/bindings.js';
import { type KernelDefinition, elementwiseWorkgroups } from '../runtime/kernel.js';
import { defineUniformStruct } from '../runtime/uniforms.js';
import type { SigmaActivation } from './sigma.wgsl.js';
import { MIXTURE_PARAMS_WORKGROUP, mixtureParamsSource } from './mixtureParams.wgsl.js';

export const MixtureParamsShape = defineUniformStruct('MixtureParamsShape', {
  batch: 'u32',
  components: 'u32',
  dims: 'u32',
  /** ε of the elu1 σ activation (unused by the others). */
  sigmaEpsilon: 'f32',
});

export interface MixtureParamsSizes {
  readonly batch: number;
  readonly components: number;
  readonly dims: number;
  readonly sigmaEpsilon: number;
}

export const mixtureParams: KernelDefinition<{ sigma: SigmaActivation }, MixtureParamsSizes> = {
  name: 'mixtureParams',
  bindings: () => [readOnly('head'), readWrite('params'), uniform('shape', MixtureParamsShape)],
  source: ({ sigma }) => mixtureParamsSource(sigma),
  plan: (sizes) => ({ uniforms: { ...sizes }, workgroups: elementwiseWorkgroups(sizes.batch, MIXTURE_PARAMS_WORKGROUP) }),
};
