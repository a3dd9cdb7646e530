// The adapter's arithmetic ceiling (fused multiply-adds on registers, no memory traffic) and mixden's matmul
// throughput on one large dense layer (the kernel the adapter's class runs), both in GFLOP/s, timed by wall clock
// around a submit.
import type { GpuContext } from '../src/runtime/device.js';
import { compileKernel, type KernelDefinition } from '../src/runtime/kernel.js';
import { ProgramBuilder, type Program } from '../src/runtime/program.js';
import { readWrite, uniform } from '../src/runtime/bindings.js';
import { defineUniformStruct } from '../src/runtime/uniforms.js';
import { createStorageBuffer, uploadFloats } from '../src/runtime/buffers.js';
import { denseForward, denseForwardVariant } from '../src/shaders/denseForward.js';
import { summarize, seconds } from './measure.js';

const ITERATIONS = 2048;
const INVOCATIONS = 64 * 256;
const FmaShape = defineUniformStruct('FmaShape', { iterations: 'u32', seed: 'f32' });

// 8 independent vec4 FMA chains per invocation: 64 flops per iteration, enough to hide FMA latency.
const fmaLoop: KernelDefinition<Record<string, never>, Record<string, never>> = {
  name: 'fmaCeiling',
  bindings: () => [readWrite('sink'), uniform('shape', FmaShape)],
  source: () => `
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let a = vec4(shape.seed + f32(gid.x) * 1e-7);
  let b = vec4(0.999);
${[...Array(8).keys()].map((i) => `  var acc${i} = vec4(f32(${i}) * 0.001);`).join('\n')}
  for (var i = 0u; i < shape.iterations; i++) {
${[...Array(8).keys()].map((i) => `    acc${i} = fma(acc${i}, b, a);`).join('\n')}
  }
  sink[gid.x] = dot(acc0 + acc1 + acc2 + acc3 + acc4 + acc5 + acc6 + acc7, vec4(1.0));
}`,
  plan: () => ({ uniforms: { iterations: ITERATIONS, seed: 0.5 }, workgroups: [INVOCATIONS / 64, 1, 1] }),
};

async function timeProgram(gpu: GpuContext, program: Program, repeats: number): Promise<number> {
  const run = async () => {
    const encoder = gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    program.encode(pass);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
    await gpu.device.queue.onSubmittedWorkDone();
  };
  await run();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) times.push(await seconds(run));
  return summarize(times).median;
}

export interface CeilingFigures {
  readonly ceilingGflops: number;
  readonly matmulGflops: number;
  readonly matmulShape: string;
}

export async function measureCeiling(gpu: GpuContext, repeats = 3): Promise<CeilingFigures> {
  const sink = createStorageBuffer(gpu, 'fma sink', INVOCATIONS);
  const fma = new ProgramBuilder(gpu, 'ceiling').add(await compileKernel(gpu, fmaLoop, {}), { sink }, {}).build();
  const fmaSeconds = await timeProgram(gpu, fma, repeats);
  const rows = 8192;
  const inputs = 256;
  const outputs = 256;
  const a = createStorageBuffer(gpu, 'matmul a', rows * inputs);
  const b = createStorageBuffer(gpu, 'matmul b', (inputs + 1) * outputs);
  const c = createStorageBuffer(gpu, 'matmul c', rows * outputs);
  uploadFloats(gpu, a, Float32Array.from({ length: rows * inputs }, (_, i) => Math.sin(i)));
  uploadFloats(gpu, b, Float32Array.from({ length: (inputs + 1) * outputs }, (_, i) => Math.cos(i) * 0.05));
  const matmul = new ProgramBuilder(gpu, 'matmul').add(await compileKernel(gpu, denseForward, denseForwardVariant('relu', { outputs }, gpu.adapterClass, gpu.subgroupSize)), { input: a, weights: b, output: c }, { rows, inputs, outputs }).build();
  const matmulSeconds = await timeProgram(gpu, matmul, repeats);
  for (const x of [fma, matmul]) x.destroy();
  for (const x of [sink, a, b, c]) x.destroy();
  return {
    ceilingGflops: (INVOCATIONS * ITERATIONS * 64) / fmaSeconds / 1e9,
    matmulGflops: (2 * rows * (inputs + 1) * outputs) / matmulSeconds / 1e9,
    matmulShape: `${rows}x${inputs} -> ${outputs} (relu)`,
  };
}
