// What the predictor records: the network (forward pass, then one of mixture parameters, log-density or
// sampling, through ./network.ts) and the model's scaling around it, the chunk buffers they run on, and the
// program of one chunk. src/mdn/predictor.ts decides the chunks and reads results back.
import type { GpuContext } from '../runtime/device.js';
import type { Arena } from '../runtime/arena.js';
import { createStorageBuffer, uploadFloats } from '../runtime/buffers.js';
import { type CompiledOf, compileKernel } from '../runtime/kernel.js';
import { type Program, ProgramBuilder } from '../runtime/program.js';
import type { StepRing } from '../runtime/stepRing.js';
import { StagingBuffer } from '../runtime/transfer.js';
import { addLogJacobian, scaleColumns } from '../shaders/scaleColumns.js';
import { type MdnArchitecture, headOf, headWidth, networkLayers, targetWidth } from './architecture.js';
import { sideLogitCount, sideOutputsOf } from './heads/sideOutputs.js';
import { NetworkRecorder, createWorkspace } from './network.js';
import { type ModelScaling, isIdentityScaling, jacobianColumns, mixtureColumns, sampleColumns, scalingColumns, withIdentityColumns } from './scaling.js';

export type PredictMode = 'params' | 'logDensity';

// The scaling kernels and their per-column values, where a model scales (see shaders/scaleColumns.ts).
interface ScalingStage {
  readonly scale: CompiledOf<typeof scaleColumns>;
  readonly jacobian: CompiledOf<typeof addLogJacobian>;
  readonly inputs: GPUBuffer;
  readonly targets: GPUBuffer;
  readonly mixture: GPUBuffer;
  readonly samples: GPUBuffer;
  readonly logJacobian: GPUBuffer;
  readonly jacobianBase: number;
}

export interface PredictorKernels {
  readonly network: NetworkRecorder;
  readonly scaling?: ScalingStage;
}

/** Compiles the predictor's kernels side by side (the unrolled head kernels of a wide head take a while each). */
export async function compilePredictorKernels(gpu: GpuContext, architecture: MdnArchitecture, modelScaling: ModelScaling | undefined): Promise<PredictorKernels> {
  const scaled = isIdentityScaling(modelScaling) ? undefined : modelScaling;
  const [network, scale, jacobian] = await Promise.all([
    NetworkRecorder.create(gpu, architecture, { inference: true }),
    scaled ? compileKernel(gpu, scaleColumns, {}) : undefined,
    scaled ? compileKernel(gpu, addLogJacobian, {}) : undefined,
  ]);
  if (!scaled) return { network };
  const upload = (label: string, values: Float32Array) => {
    const buffer = createStorageBuffer(gpu, label, values.length);
    uploadFloats(gpu, buffer, values);
    return buffer;
  };
  // Side outputs' columns (targets, probabilities, draws) pass through unscaled.
  const sides = sideOutputsOf(architecture).length;
  const columns = jacobianColumns(scaled.y);
  const scaling: ScalingStage = {
    scale: scale!,
    jacobian: jacobian!,
    inputs: upload('input scaling', scalingColumns(scaled.x)),
    targets: upload('target scaling', withIdentityColumns(scalingColumns(scaled.y), sides)),
    mixture: upload('mixture unscaling', withIdentityColumns(mixtureColumns(scaled.y, architecture.components, headOf(architecture).extraMixtureValues?.(architecture.outputDim)), sideLogitCount(architecture))),
    samples: upload('sample unscaling', withIdentityColumns(sampleColumns(scaled.y), sides)),
    logJacobian: upload('log-Jacobian', withIdentityColumns(columns.columns, sides)),
    jacobianBase: columns.base,
  };
  return { network, scaling };
}

/** Frees the buffers compilePredictorKernels made (the scaling columns). */
export function destroyPredictorKernels(kernels: PredictorKernels): void {
  const s = kernels.scaling;
  if (s) for (const b of [s.inputs, s.targets, s.mixture, s.samples, s.logJacobian]) b.destroy();
}

/** The buffers of one chunk of rows. */
export interface ChunkBuffers {
  readonly rows: number;
  readonly input: GPUBuffer;
  readonly targets: GPUBuffer;
  readonly logDensity: GPUBuffer;
  readonly outputs: readonly GPUBuffer[];
  /** Each layer's inference workspace (see LayerKind.workspace). */
  readonly workspace: readonly (readonly GPUBuffer[])[];
  readonly params: GPUBuffer;
  readonly staging: StagingBuffer;
}

export function createChunkBuffers(gpu: GpuContext, architecture: MdnArchitecture, rows: number): ChunkBuffers {
  const width = headWidth(architecture);
  return {
    rows,
    input: createStorageBuffer(gpu, 'predict inputs', rows * architecture.inputDim),
    targets: createStorageBuffer(gpu, 'predict targets', rows * targetWidth(architecture)),
    logDensity: createStorageBuffer(gpu, 'predict log densities', rows),
    outputs: networkLayers(architecture).map((l, i) => createStorageBuffer(gpu, `predict layer${i} output`, rows * l.outputs)),
    workspace: createWorkspace(gpu, networkLayers(architecture), rows, false, 'predict'),
    params: createStorageBuffer(gpu, 'mixture parameters', rows * width),
    staging: new StagingBuffer(gpu, 'mixture readback', rows * width),
  };
}

/** The storage buffers of a chunk (not its staging buffer). */
export const chunkStorage = (b: ChunkBuffers): GPUBuffer[] => [b.input, b.targets, b.logDensity, ...b.outputs, ...b.workspace.flat(), b.params];

/**
 * The program of one chunk of `rows` rows: inputs (and targets) scaled in place where the model scales, the
 * forward pass, then mixture parameters, log-densities or `samples`, taken back to original units last.
 */
export function buildPredictProgram(
  gpu: GpuContext,
  architecture: MdnArchitecture,
  parameters: Arena,
  kernels: PredictorKernels,
  mode: PredictMode | 'sample',
  rows: number,
  buffers: ChunkBuffers,
  samples?: { buffer: GPUBuffer; call: StepRing; samplesPerRow: number },
): Program {
  const { inputDim } = architecture;
  const outputDim = targetWidth(architecture);
  const builder = new ProgramBuilder(gpu, `predict ${mode} ${rows} ${samples?.samplesPerRow ?? 0}`);
  const scaling = kernels.scaling;
  if (scaling) {
    builder.add(scaling.scale, { values: buffers.input, columns: scaling.inputs }, { count: rows * inputDim, width: inputDim, base: 0 });
    if (mode === 'logDensity') builder.add(scaling.scale, { values: buffers.targets, columns: scaling.targets }, { count: rows * outputDim, width: outputDim, base: 0 });
  }
  const network = kernels.network;
  network.forward(builder, rows, { input: buffers.input, outputs: buffers.outputs, workspace: buffers.workspace }, parameters);
  const head = buffers.outputs[buffers.outputs.length - 1];
  if (mode === 'params') network.mixture(builder, rows, { head, params: buffers.params });
  else if (mode === 'logDensity') network.logDensity(builder, rows, { head, targets: buffers.targets, logDensity: buffers.logDensity });
  else network.sample(builder, rows, samples!.samplesPerRow, { head, samples: samples!.buffer, call: samples!.call.binding() });
  if (scaling) {
    const width = headWidth(architecture);
    if (mode === 'params') builder.add(scaling.scale, { values: buffers.params, columns: scaling.mixture }, { count: rows * width, width, base: 0 });
    else if (mode === 'logDensity') builder.add(scaling.jacobian, { logDensity: buffers.logDensity, scaledTargets: buffers.targets, columns: scaling.logJacobian }, { count: rows, width: outputDim, base: scaling.jacobianBase });
    else builder.add(scaling.scale, { values: samples!.buffer, columns: scaling.samples }, { count: rows * samples!.samplesPerRow * outputDim, width: outputDim, base: 0 });
  }
  return builder.build();
}
