// The page side of the browser tier: registers the GPU cases and runs each one under a validation error
// scope on one shared device, so any WebGPU validation error fails the case that caused it.
import { type GpuContext, acquireGpu } from '../../src/runtime/device.js';
import { denseCases } from './cases/dense.js';
import { mixtureCases } from './cases/mixture.js';
import { optimizerCases } from './cases/optimizer.js';
import { trainingCases } from './cases/training.js';
import { runtimeCases } from './cases/runtime.js';
import { inferenceCases } from './cases/inference.js';
import { modelCases } from './cases/model.js';
import { samplingCases } from './cases/sampling.js';
import { embeddedCases } from './cases/embedded.js';
import { scalingCases } from './cases/scaling.js';
import { fixtureCases } from './cases/fixtures.js';
import { layerNormCases } from './cases/layerNorm.js';
import { layerNormModelCases } from './cases/layerNormModel.js';
import { familyCases } from './cases/families.js';
import { fullCovarianceCases } from './cases/fullCovariance.js';
import { sideOutputCases } from './cases/sideOutputs.js';
import { learnedStudentTCases } from './cases/learnedStudentT.js';
import { vonMisesCases } from './cases/vonMises.js';
import { recurrentCases } from './cases/recurrent.js';
import { sequenceModelCases } from './cases/sequenceModel.js';

export type Case = (gpu: GpuContext, args: any) => Promise<unknown>;

const cases: Record<string, Case> = { ...denseCases, ...mixtureCases, ...optimizerCases, ...trainingCases, ...runtimeCases, ...inferenceCases, ...modelCases, ...samplingCases, ...embeddedCases, ...scalingCases, ...fixtureCases, ...layerNormCases, ...layerNormModelCases, ...familyCases, ...fullCovarianceCases, ...sideOutputCases, ...learnedStudentTCases, ...vonMisesCases, ...recurrentCases, ...sequenceModelCases };
let shared: Promise<GpuContext> | undefined;

async function runCase(name: string, args: unknown): Promise<unknown> {
  const run = cases[name];
  if (!run) throw new Error(`no browser case named '${name}'`);
  shared ??= acquireGpu();
  const gpu = await shared;
  gpu.device.pushErrorScope('validation');
  gpu.device.pushErrorScope('out-of-memory');
  let result: unknown;
  try {
    result = await run(gpu, args);
  } finally {
    const oom = await gpu.device.popErrorScope();
    const validation = await gpu.device.popErrorScope();
    if (validation) throw new Error(`WebGPU validation error in '${name}': ${validation.message}`);
    if (oom) throw new Error(`WebGPU out-of-memory in '${name}': ${oom.message}`);
  }
  return result;
}

Object.assign(window, { runCase, mixdenReady: true });
