#!/usr/bin/env node
// `npm run bench:kernels -- recurrent` (or node bench/recurrent-variants.mjs [--out DIR]): GPU time of the recurrent
// walks (LSTM, the sequence benchmark's 128 units, 64 steps, 32 sequences) in their designs and variants, and
// probes that remove the weight loads or the barriers, side by side; written to
// bench/results/recurrent-variants-<date>-<driver>.txt.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
const { nodeGpu, vulkanDriver } = await import('../dist/host/node.js');
const { compileKernel } = await import('../dist/runtime/kernel.js');
const { ProgramBuilder } = await import('../dist/runtime/program.js');
const { createStorageBuffer, uploadFloats } = await import('../dist/runtime/buffers.js');
const { timeProgram } = await import('../dist/runtime/timestamps.js');
const { recurrentForward } = await import('../dist/shaders/recurrentForward.js');
const { recurrentBackward } = await import('../dist/shaders/recurrentBackward.js');

const { values } = parseArgs({ options: { out: { type: 'string', default: 'bench/results' }, units: { type: 'string', default: '128' } }, allowPositionals: true });
const ROUNDS = 5;
const [H, T, B] = [Number(values.units), 64, 32];
const W = 4 * H;
const gpu = await nodeGpu();
if (!gpu.hasTimestamps) throw new Error(`adapter ${gpu.adapterDescription} offers no timestamp-query`);
const output = [`# mixden recurrent walk variants, ${new Date().toISOString().slice(0, 16)}Z, ${gpu.adapterDescription}`, `# LSTM ${H} units, ${T} steps, ${B} sequences; GPU time of a whole walk (sum of its dispatches), median of ${ROUNDS} interleaved rounds`, ''];
const say = (line) => {
  console.log(line);
  output.push(line);
};
const random = (n, scale = 0.1) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * scale);
const buffer = (floats, values) => {
  const b = createStorageBuffer(gpu, 'bench', floats);
  if (values) uploadFloats(gpu, b, values);
  return b;
};
const rows = T * B;
const resources = {
  gates: buffer(rows * W, random(rows * W, 0.5)),
  recurrent: buffer((H + 1) * W, random((H + 1) * W)),
  cells: buffer(rows * H, random(rows * H, 0.5)),
  output: buffer(rows * H),
  previous: buffer(rows * H),
  outputGrad: buffer(rows * H, random(rows * H, 0.1)),
};

// A definition whose source `probe` rewrites.
const probed = (definition, probe) => ({ ...definition, name: `${definition.name}-probe`, source: (v) => probe(definition.source(v)) });
const noWeightLoads = (source) => source.replace(/recurrent\[[^\]]*\]/g, source.includes('alias T = vec4') ? 'T(0.01)' : '0.01');
const noBarriers = (source) => source.replace(/workgroupBarrier\(\);|storageBarrier\(\);/g, '');

async function walk(label, definition, variant, descending, perStep) {
  const kernel = await compileKernel(gpu, definition, variant);
  const builder = new ProgramBuilder(gpu, label);
  const bind = definition.bindings(variant).filter((b) => b.kind === 'storage').map((b) => b.name);
  const bound = Object.fromEntries(bind.map((name) => [name, resources[name]]));
  if (perStep) for (let t = 0; t < T; t++) builder.add(kernel, bound, { batch: B, units: H, steps: T, first: descending ? T - 1 - t : t, count: 1 });
  // (sequences per workgroup come from the variant; the plan sizes the dispatch)
  else builder.add(kernel, bound, { batch: B, units: H, steps: T, first: descending ? T - 1 : 0, count: T });
  return { label, program: builder.build() };
}

async function compare(title, candidates) {
  const times = candidates.map(() => []);
  const walls = candidates.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of candidates.entries()) {
      const started = performance.now();
      const timings = await timeProgram(gpu, c.program);
      walls[i].push(performance.now() - started);
      times[i].push(timings.reduce((a, t) => a + t.milliseconds, 0));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  say(title);
  for (const [i, c] of candidates.entries()) say(`  ${c.label.padEnd(40)} GPU ${median(times[i]).toFixed(1).padStart(8)} ms   wall ${median(walls[i]).toFixed(1).padStart(8)} ms`);
  candidates.forEach((c) => c.program.destroy());
}

const forward = { cell: 'lstm', save: true };
const forward4 = { ...forward, lane: 4 };
await compare('forward walk', [
  await walk('looped, scalar lanes', recurrentForward, forward, false, false),
  await walk('per step, scalar lanes', recurrentForward, forward, false, true),
  await walk('looped, vec4 lanes', recurrentForward, forward4, false, false),
  await walk('per step, vec4 lanes', recurrentForward, forward4, false, true),
  await walk('looped, vec4, 2 sequences per workgroup', recurrentForward, { ...forward4, sequences: 2 }, false, false),
  await walk('looped, vec4, 4 sequences per workgroup', recurrentForward, { ...forward4, sequences: 4 }, false, false),
  await walk('looped, vec4, 8 sequences per workgroup', recurrentForward, { ...forward4, sequences: 8 }, false, false),
  await walk('looped, scalar, 4 sequences per workgroup', recurrentForward, { ...forward, sequences: 4 }, false, false),
  await walk('looped, vec4, probe: no weight loads', probed(recurrentForward, noWeightLoads), forward4, false, false),
  await walk('looped, vec4, probe: no barriers (wrong)', probed(recurrentForward, noBarriers), forward4, false, false),
]);
const backward = { cell: 'lstm' };
const backward4 = { ...backward, lane: 4 };
await compare('backward walk', [
  await walk('looped, scalar lanes', recurrentBackward, backward, true, false),
  await walk('per step, scalar lanes', recurrentBackward, backward, true, true),
  await walk('looped, vec4 lanes', recurrentBackward, backward4, true, false),
  await walk('per step, vec4 lanes', recurrentBackward, backward4, true, true),
  await walk('looped, vec4, 2 sequences per workgroup', recurrentBackward, { ...backward4, sequences: 2 }, true, false),
  await walk('looped, vec4, 4 sequences per workgroup', recurrentBackward, { ...backward4, sequences: 4 }, true, false),
  await walk('looped, vec4, 8 sequences per workgroup', recurrentBackward, { ...backward4, sequences: 8 }, true, false),
  await walk('looped, scalar, 4 sequences per workgroup', recurrentBackward, { ...backward, sequences: 4 }, true, false),
  await walk('looped, vec4, probe: no weight loads', probed(recurrentBackward, noWeightLoads), backward4, true, false),
  await walk('looped, vec4, probe: no barriers (wrong)', probed(recurrentBackward, noBarriers), backward4, true, false),
]);
// Generation: one continued step of 256 sequences, the layer's whole forward stages in each design.
const { lstm, recurrentStages } = await import('../dist/mdn/layers/recurrent.js');
{
  const N = 256;
  const layer = { kind: lstm, spec: { kind: 'lstm', units: H }, index: 0, inputs: 3, outputs: H };
  const io = {
    input: buffer(N * 3, random(N * 3, 1)),
    weights: buffer(lstm.parameterCount(layer.spec, 3), random(lstm.parameterCount(layer.spec, 3))),
    output: buffer(N * H, random(N * H, 0.5)),
    workspace: lstm.workspace(layer.spec, 3, false).map((w) => buffer(N * w, random(N * w, 0.5))),
  };
  const step = async (label, choice) => {
    const builder = new ProgramBuilder(gpu, label);
    for (const s of recurrentStages(layer, choice).forward(false)) builder.add(await compileKernel(gpu, s.definition, s.variant), s.resources(io), s.sizes(N, 1, 0));
    return { label, program: builder.build() };
  };
  await compare(`generation: one continued step of ${N} sequences (all the layer's stages)`, [
    await step('walk, one step (looped), vec4 lanes', { design: 'looped', continued: true }),
    await step('dense products, then the gates', { design: 'products', continued: true }),
  ]);
}
const driver = vulkanDriver().driver ?? 'system';
const file = `${values.out}/recurrent-variants-${new Date().toISOString().slice(0, 10)}-${gpu.adapterDescription.includes('llvmpipe') ? 'lavapipe' : gpu.adapterDescription.includes('SwiftShader') ? 'swiftshader' : driver}.txt`;
writeFileSync(file, `${output.join('\n')}\n`);
console.log(`written: ${file}`);
gpu.destroy();
