#!/usr/bin/env node
// `node bench/recurrent-variants.mjs [--out DIR] [--units N] [--generation]` (after `npm run build`): GPU time of the recurrent
// walks (LSTM, the sequence benchmark's 128 units, 64 steps, 32 sequences) in their designs and variants, and
// probes that remove the weight loads or the barriers, side by side; then generation's continued step in its
// designs (GPU time and wall time per step); written to
// bench/results/recurrent-variants-<date>-<driver>.txt (with --generation, generation's step alone: ...-generation.txt).
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
const { nodeGpu, vulkanDriver } = await import('../dist/host/node.js');
const { compileKernel } = await import('../dist/runtime/kernel.js');
const { ProgramBuilder } = await import('../dist/runtime/program.js');
const { createStorageBuffer, uploadFloats } = await import('../dist/runtime/buffers.js');
const { timeProgram } = await import('../dist/runtime/timestamps.js');
const { recurrentForward } = await import('../dist/shaders/recurrentForward.js');
const { recurrentBackward } = await import('../dist/shaders/recurrentBackward.js');

const { values } = parseArgs({ options: { out: { type: 'string', default: 'bench/results' }, units: { type: 'string', default: '128' }, generation: { type: 'boolean', default: false }, designs: { type: 'boolean', default: false } }, allowPositionals: true });
const ROUNDS = 5;
const [H, T, B] = [Number(values.units), 64, 32];
const W = 4 * H;
const gpu = await nodeGpu();
if (!gpu.hasTimestamps) throw new Error(`adapter ${gpu.adapterDescription} offers no timestamp-query`);
const output = [
  `# mixden recurrent walk variants, ${new Date().toISOString().slice(0, 16)}Z, ${gpu.adapterDescription}`,
  values.generation
    ? `# LSTM ${H} units, 3 inputs, 256 sequences: generation's continued step in each design; GPU time of one step (timestamps), wall time per step of 100 steps in one submit; median of ${ROUNDS} interleaved rounds`
    : `# LSTM ${H} units, ${T} steps, ${B} sequences; GPU time of a whole walk (sum of its dispatches), median of ${ROUNDS} interleaved rounds`,
  '',
];
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
// Training's walks in the designs the layer chooses between, by wall time (a whole walk in one submit, timestamps off):
// the looped walk as each class runs it, and the walk as a dispatch per step of register-blocked products over
// all sequences (recurrentStep.ts forward, recurrentBackwardStep.ts backward) in each variant.
const { recurrentStep } = await import('../dist/shaders/recurrentStep.js');
const { stepLanes } = await import('../dist/shaders/recurrentBlocks.js');
const { recurrentBackwardStep } = await import('../dist/shaders/recurrentBackwardStep.js');
const { sequencesFor } = await import('../dist/mdn/layers/recurrent.js');
async function wallOf(program) {
  const encoder = gpu.device.createCommandEncoder();
  const pass = encoder.beginComputePass();
  program.encode(pass, 0);
  pass.end();
  const started = performance.now();
  gpu.device.queue.submit([encoder.finish()]);
  await gpu.device.queue.onSubmittedWorkDone();
  return performance.now() - started;
}
async function compareWalls(title, candidates) {
  const walls = candidates.map(() => []);
  for (let round = 0; round < ROUNDS; round++) for (const [i, c] of candidates.entries()) walls[i].push(await wallOf(c.program));
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  say(title);
  for (const [i, c] of candidates.entries()) say(`  ${c.label.padEnd(56)} wall ${median(walls[i]).toFixed(1).padStart(8)} ms`);
  candidates.forEach((c) => c.program.destroy());
}
async function blocked(label, definition, variant, descending) {
  const kernel = await compileKernel(gpu, definition, variant);
  const builder = new ProgramBuilder(gpu, label);
  for (let t = 0; t < T; t++) {
    if (descending) builder.add(kernel, { gates: resources.gates, recurrent: resources.recurrent, cells: resources.cells, outputGrad: resources.outputGrad }, { batch: B, units: H, steps: T, first: T - 1 - t, count: 1 });
    // The walk reads only the recurrent block: bound as the layer's block, at offset 0.
    else builder.add(kernel, { gates: resources.gates, weights: resources.recurrent, cells: resources.cells, output: resources.output, previous: resources.previous }, { rows: B, inputs: 0, units: H, recurrentOffset: 0, step: t });
  }
  return { label, program: builder.build() };
}
if (values.designs) {
  const S = gpu.subgroupSize;
  const cls = gpu.adapterClass;
  const walkForward = { cell: 'lstm', save: true, walk: { save: true } };
  await compareWalls(`forward walk by design (${cls})`, [
    await walk(`looped, vec4, ${sequencesFor(cls, H)} sequences per workgroup (the class's)`, recurrentForward, { cell: 'lstm', save: true, lane: 4, sequences: sequencesFor(cls, H) }, false, false),
    await blocked('blocked steps, vec4 lanes, 8-row register blocks', recurrentStep, { ...walkForward, rows: 8 }, false),
    ...(S ? [
      await blocked(`blocked steps, vec4 lanes, 8 rows through subgroups of ${S}`, recurrentStep, { ...walkForward, rows: Math.max(8, S), subgroupSize: S, lanes: stepLanes(H, S) }, false),
      await blocked(`blocked steps, one unit a lane, 32 rows through subgroups of ${S}`, recurrentStep, { ...walkForward, rows: 32, lane: 1, subgroupSize: S, lanes: stepLanes(H, S, 1) }, false),
    ] : []),
  ]);
  const backwardCandidates = [
    await walk(`looped, vec4, ${sequencesFor(cls, H, 'backward')} sequences per workgroup (the class's)`, recurrentBackward, { cell: 'lstm', lane: 4, sequences: sequencesFor(cls, H, 'backward') }, true, false),
    await blocked('blocked steps, 8-row register blocks', recurrentBackwardStep, { cell: 'lstm', rows: 8 }, true),
  ];
  for (const rows of S ? [8, 16, 32].filter((r) => r % S === 0) : []) {
    backwardCandidates.push(await blocked(`blocked steps, ${rows} rows through subgroups of ${S}`, recurrentBackwardStep, { cell: 'lstm', rows, subgroupSize: S, lanes: stepLanes(H, S) }, true));
  }
  await compareWalls(`backward walk by design (${cls})`, backwardCandidates);
}

// --generation: generation's step alone; --designs: training's walk designs alone.
if (!values.generation && !values.designs) {
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
}
if (!values.designs) {
// Generation: continued steps of 256 sequences, the layer's whole forward stages in each design: GPU time of one
// step, and the wall time per step of 100 steps recorded into one submit (alternating their two output buffers,
// as generation does), which also counts what each dispatch costs beyond its GPU time.
const { lstm, recurrentStages } = await import('../dist/mdn/layers/recurrent.js');
const { recurrentStepVariant } = await import('../dist/shaders/recurrentStep.js');
{
  const N = 256;
  const STEPS = 100;
  const layer = { kind: lstm, spec: { kind: 'lstm', units: H }, index: 0, inputs: 3, outputs: H };
  const outputs = [buffer(N * H, random(N * H, 0.5)), buffer(N * H, random(N * H, 0.5))];
  const shared = {
    input: buffer(N * 3, random(N * 3, 1)),
    weights: buffer(lstm.parameterCount(layer.spec, 3), random(lstm.parameterCount(layer.spec, 3))),
    workspace: lstm.workspace(layer.spec, 3, false).map((w) => buffer(N * w, random(N * w, 0.5))),
  };
  const kernelOptions = { adapterClass: gpu.adapterClass, subgroupSize: gpu.subgroupSize };
  const step = async (label, choice, stepVariant) => {
    const programs = [];
    for (const set of [0, 1]) {
      const builder = new ProgramBuilder(gpu, label);
      const io = { ...shared, output: outputs[set], previousOutput: outputs[1 - set] };
      for (const s of recurrentStages(layer, { ...kernelOptions, ...choice, continued: true }).forward(false)) {
        builder.add(await compileKernel(gpu, s.definition, stepVariant && s.definition.name === 'recurrentStep' ? stepVariant : s.variant), s.resources(io), s.sizes(N, 1, 0));
      }
      programs.push(builder.build());
    }
    return { label, programs };
  };
  const candidates = [
    await step('walk, one step (looped), vec4 lanes', { design: 'looped' }),
    await step('dense products, then the gates', { design: 'products' }),
    await step('fused step, 8-row register blocks', { design: 'fusedStep' }, recurrentStepVariant('lstm', H)),
    await step('fused step, 4-row register blocks', { design: 'fusedStep' }, { ...recurrentStepVariant('lstm', H), rows: 4 }),
  ];
  for (const rows of [16, 32]) candidates.push(await step(`fused step, one unit a lane, ${rows}-row blocks`, { design: 'fusedStep' }, { cell: 'lstm', rows, lane: 1 }));
  if (gpu.subgroupSize) {
    const S = gpu.subgroupSize;
    candidates.push(await step(`fused step, subgroups of ${S}, ${Math.max(8, S)} rows`, { design: 'fusedStep' }, { cell: 'lstm', rows: Math.max(8, S), subgroupSize: S, lanes: stepLanes(H, S) }));
    for (const rows of [16, 32]) {
      candidates.push(await step(`fused step, one unit a lane, subgroups of ${S}, ${rows} rows`, { design: 'fusedStep' }, { cell: 'lstm', rows, lane: 1, subgroupSize: S, lanes: stepLanes(H, S, 1) }));
    }
  }
  const gpuTimes = candidates.map(() => []);
  const walls = candidates.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of candidates.entries()) {
      gpuTimes[i].push((await timeProgram(gpu, c.programs[1])).reduce((a, t) => a + t.milliseconds, 0));
      const started = performance.now();
      const encoder = gpu.device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      for (let t = 0; t < STEPS; t++) c.programs[t % 2].encode(pass, 0);
      pass.end();
      gpu.device.queue.submit([encoder.finish()]);
      await gpu.device.queue.onSubmittedWorkDone();
      walls[i].push((performance.now() - started) / STEPS);
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  say(`generation: a continued step of ${N} sequences (all the layer's stages); GPU time of one, wall time per step of ${STEPS} in one submit`);
  for (const [i, c] of candidates.entries()) say(`  ${c.label.padEnd(40)} GPU ${median(gpuTimes[i]).toFixed(2).padStart(8)} ms   wall ${median(walls[i]).toFixed(2).padStart(8)} ms`);
  candidates.forEach((c) => c.programs.forEach((p) => p.destroy()));
}
}
const driver = vulkanDriver().driver ?? 'system';
const file = `${values.out}/recurrent-variants-${new Date().toISOString().slice(0, 10)}-${gpu.adapterDescription.includes('llvmpipe') ? 'lavapipe' : gpu.adapterDescription.includes('SwiftShader') ? 'swiftshader' : driver}${values.generation ? '-generation' : values.designs ? '-designs' : ''}.txt`;
writeFileSync(file, `${output.join('\n')}\n`);
console.log(`written: ${file}`);
gpu.destroy();
