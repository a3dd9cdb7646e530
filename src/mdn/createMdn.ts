// The two ways to get a model: a new one from options (createMdn), or one read from a file (loadMdn).
import type { GpuContext } from '../runtime/device.js';
import { validateArchitecture } from './architecture.js';
import { checkOptionKeys, checkSeed } from './arguments.js';
import { initialParameters } from './init.js';
import { INIT_SCHEMES } from './layers/index.js';
import { InvalidArgumentError } from '../runtime/errors.js';
import { Mdn } from './model.js';
import { type MdnOptions, MDN_OPTION_KEYS, architectureOf } from './modelOptions.js';
import { type ScalingPlan, scalingPlanOf } from './scaling.js';
import { decodeModel } from './serialization.js';

/**
 * Creates an MLP-MDN with Glorot-initialised weights on the GPU.
 * @example
 * const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [24], components: 24, sigma: 'exp' });
 * await model.fit(x, y, { steps: 3000, learningRate: 0.01 });
 * const { pi, mu, sigma } = await model.predict(xs);
 */
export async function createMdn(options: MdnOptions): Promise<Mdn> {
  checkOptionKeys('createMdn options', options, MDN_OPTION_KEYS);
  const architecture = architectureOf(options);
  validateArchitecture(architecture);
  const plan = angleSafe(scalingPlanOf(options.scale), architecture.family);
  const init = options.init ?? 'glorot';
  if (!INIT_SCHEMES.includes(init)) throw new InvalidArgumentError(`init must be one of ${INIT_SCHEMES.join(', ')}, got ${JSON.stringify(init)}`);
  const blocks = initialParameters(architecture, checkSeed('seed', options.seed ?? 0), init).map((b) => Float32Array.from(b));
  const model = await Mdn.fromWeights(architecture, blocks, options.gpu);
  model.scalingPlan = plan;
  return model;
}

// Angles are never scaled (scaling would break the circle): `scale: 'zscore'` scales a von Mises model's inputs
// only, and a y scaler asked for by name is refused.
function angleSafe(plan: ScalingPlan | undefined, family: string | undefined): ScalingPlan | undefined {
  if (family !== 'von-mises' || !plan) return plan;
  return plan.x === 'none' ? undefined : { x: plan.x, y: 'none', logY: false };
}

/**
 * Loads a model saved by `Mdn.save()`; throws ModelFormatError naming the problem for any other file.
 * @example
 * const model = await loadMdn(await (await fetch('model.mixden')).arrayBuffer());
 */
export async function loadMdn(bytes: ArrayBuffer | Uint8Array, gpu?: GpuContext): Promise<Mdn> {
  const { architecture, blocks, metadata, scaling, scalePlan } = decodeModel(bytes);
  const model = await Mdn.fromWeights(architecture, blocks, gpu, scaling);
  model.metadata = metadata;
  model.scalingPlan = scalePlan;
  return model;
}
