#!/usr/bin/env node
// `npm run bench:kernels`: GPU time (timestamps, Dawn in Node) of the kernel variants the generators choose
// between, side by side on the benchmark's shapes, written to bench/results/kernel-variants-<date>-<driver>.txt. The
// figures quoted for those choices in the README and the kernel sources come from this file.
// `npm run bench:kernels -- tiled` runs only the dense products' register blocks against their workgroup-memory
// tiles (the forward product, then both gradients; the weight gradient also with K split over the rows), into kernel-variants-<date>-<driver>-tiled.txt; `-- subgroups` the three dense products in register blocks
// against subgroup broadcasts (...-subgroups.txt); `-- weight-grad` only the weight gradient's fitted
// blocks against fitted blocks of at most 8 rows and the fixed ones, into ...-weight-grad.txt; `--out DIR` writes
// elsewhere than bench/results.
import { writeFileSync } from 'node:fs';
const { nodeGpu } = await import('../dist/host/node.js');
const { compileKernel } = await import('../dist/runtime/kernel.js');
const { ProgramBuilder } = await import('../dist/runtime/program.js');
const { createStorageBuffer, uploadFloats } = await import('../dist/runtime/buffers.js');
const { timeProgram } = await import('../dist/runtime/timestamps.js');
const { readOnly, readWrite, uniform } = await import('../dist/runtime/bindings.js');
const { StepRing } = await import('../dist/runtime/stepRing.js');
const { MatmulShape, matmulSource, matmulWorkgroups, fittedBlock, MATMUL_WORKGROUP } = await import('../dist/shaders/matmul.wgsl.js');
const { elementwiseWorkgroups } = await import('../dist/runtime/kernel.js');
const { vulkanDriver } = await import('../dist/host/node.js');
const { mixtureNll } = await import('../dist/shaders/mixtureNll.js');
const { mixtureParams } = await import('../dist/shaders/mixtureParams.js');
const { mixtureSample, SampleCall } = await import('../dist/shaders/mixtureSample.js');

const ROUNDS = 5;
const gpu = await nodeGpu();
if (!gpu.hasTimestamps) throw new Error(`adapter ${gpu.adapterDescription} offers no timestamp-query`);
const output = [`# mixden kernel variants, ${new Date().toISOString().slice(0, 16)}Z, ${gpu.adapterDescription}`, '# GPU time per dispatch, median of ' + ROUNDS + ' interleaved rounds of 3', ''];
const say = (line) => {
  console.log(line);
  output.push(line);
};
const random = (n) => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 2);

// Times each [label, definition, variant] on the same sizes and buffers, rounds interleaved so drift hits all alike.
async function compare(title, candidates, sizes, buffers, extra = {}) {
  const resources = { ...extra };
  const made = [];
  for (const [name, value] of Object.entries(buffers)) {
    const floats = typeof value === 'number' ? value : value.length;
    const buffer = createStorageBuffer(gpu, name, floats);
    made.push(buffer);
    if (typeof value !== 'number') uploadFloats(gpu, buffer, value);
    resources[name] = { buffer, offset: 0, size: floats * 4 };
  }
  const programs = [];
  // A candidate's optional fourth field: dispatches that follow it in its program, [definition, variant, sizes],
  // timed with it (e.g. a split-K product's sum).
  for (const [, definition, variant, then = []] of candidates) {
    const builder = new ProgramBuilder(gpu, title).add(await compileKernel(gpu, definition, variant), resources, sizes);
    for (const [next, nextVariant, nextSizes] of then) builder.add(await compileKernel(gpu, next, nextVariant), resources, nextSizes);
    programs.push(builder.build());
  }
  const times = candidates.map(() => []);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, program] of programs.entries()) {
      for (let r = 0; r < 3; r++) times[i].push((await timeProgram(gpu, program)).reduce((sum, d) => sum + d.milliseconds, 0));
    }
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
  say(`${title.padEnd(44)} ${candidates.map(([label], i) => `${label} ${median(times[i]).toFixed(3)} ms`).join('   ')}`);
  programs.forEach((p) => p.destroy());
  made.forEach((b) => b.destroy());
}

// The matmul kernel with chosen operands and block; `probe` rewrites its source (the no-loads probe).
function matmulDefinition({ transposeA, transposeB, onesColumnA, onesRowA, vectorB }, block, probe = (s) => s) {
  const variant = { transposeA, transposeB, onesColumnA, onesRowA, vectorB, block, epilogue: 'activation', activation: 'identity' };
  return {
    name: 'matmul',
    bindings: () => [readOnly('a'), readOnly('b', vectorB ? 'vec4<f32>' : 'f32'), readWrite('c'), uniform('shape', MatmulShape)],
    source: () => probe(matmulSource(variant, { a: 'a', b: 'b', c: 'c' })),
    plan: ({ m, n, k, lda, ldb }) => ({ uniforms: { m, n, k, lda, ldb }, workgroups: matmulWorkgroups(m, n, block) }),
  };
}
const noLoads = (source) =>
  source.replace(/let av = a\[[^;]*\];/g, 'let av = f32(k);').replace(/let bv(\d) = b\[[^;]*\];/g, 'let bv$1 = vec4(f32(k));');

async function compareMatmul(title, shape, blocks, withNoLoads = false) {
  const { m, n, k, transposeA, onesColumnA, onesRowA } = shape;
  const storedA = transposeA ? k * (onesRowA ? m - 1 : m) : m * (onesColumnA ? k - 1 : k);
  const candidates = blocks.map((b) => [`${b.rows}x${b.cols}`, matmulDefinition(shape, b), {}]);
  if (withNoLoads) candidates.push([`${blocks[blocks.length - 1].rows}x${blocks[blocks.length - 1].cols} without loads`, matmulDefinition(shape, blocks[blocks.length - 1], noLoads), {}]);
  await compare(title, candidates, shape, { a: random(storedA + 4), b: random(shape.ldb * (shape.transposeB ? n : k) + 4), c: m * n });
}

const forward = (rows, inputs, outputs) => ({ m: rows, n: outputs, k: inputs + 1, lda: inputs, ldb: outputs, transposeA: false, transposeB: false, onesColumnA: true, onesRowA: false, vectorB: outputs % 4 === 0 });
const inputGrad = (rows, inputs, outputs) => ({ m: rows, n: inputs, k: outputs, lda: outputs, ldb: outputs, transposeA: false, transposeB: true, onesColumnA: false, onesRowA: false, vectorB: false });
const weightGrad = (rows, inputs, outputs) => ({ m: inputs + 1, n: outputs, k: rows, lda: inputs, ldb: outputs, transposeA: true, transposeB: false, onesColumnA: false, onesRowA: true, vectorB: outputs % 4 === 0 });
const SQUARE = { rows: 8, cols: 8 };
const TALL = { rows: 16, cols: 8 };
const WIDE = { rows: 8, cols: 16 };

const { denseForward, forwardBlockFor } = await import('../dist/shaders/denseForward.js');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args[outAt + 1] : 'bench/results';
const section = args.find((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
// One file per day and Vulkan driver (lavapipe, swiftshader, system), as the choices differ by adapter class.
const writeOut = (suffix = '') => {
  const file = `${outDir}/kernel-variants-${new Date().toISOString().slice(0, 10)}-${vulkanDriver().driver}${suffix}.txt`;
  writeFileSync(file, output.join('\n') + '\n');
  console.log(`written to ${file}`);
};
if (section === 'weight-grad') {
  // Rows fitted to M as fittedBlock does, but at most 8 of them (fewer accumulators: lavapipe's preference on the forward product).
  const fittedTo8 = (m) => ({ rows: Math.ceil(m / Math.ceil(m / 8)), cols: 8 });
  say('## weight gradient: fittedBlock against rows fitted to at most 8, and 8x8 / 8x16');
  for (const [rows, inputs, outputs] of [[1000, 24, 72], [1000, 1, 24], [10000, 128, 128], [10000, 128, 60], [8192, 256, 256], [8192, 8, 256], [1000, 72, 72]]) {
    const fitted = fittedBlock(inputs + 1, outputs);
    const small = fittedTo8(inputs + 1);
    const blocks = [fitted, small, SQUARE, WIDE];
    await compareMatmul(`weight gradient ${inputs + 1} x ${outputs} over ${rows} (fitted ${fitted.rows}x${fitted.cols}, <=8 ${small.rows}x${small.cols})`, weightGrad(rows, inputs, outputs), blocks);
  }
  writeOut('-weight-grad');
  gpu.destroy();
  process.exit(0);
}
if (section === 'subgroups') {
  // The three dense products as the adapter's class runs them today against X's (or dZ's) loads shared through
  // subgroups, on the shapes of the benchmark's layers and of the sequence workload (rows = 64 steps x 32).
  const { denseInputGrad } = await import('../dist/shaders/denseInputGrad.js');
  const { denseWeightGrad, denseWeightGradVariant } = await import('../dist/shaders/denseWeightGrad.js');
  const { BATCH_ROWS_PER_GROUP, subgroupBlockFor } = await import('../dist/shaders/subgroupMatmul.wgsl.js');
  const size = gpu.subgroupSize;
  if (!size) throw new Error(`adapter ${gpu.adapterDescription} offers no subgroups of one size`);
  const block = forwardBlockFor(gpu.adapterClass);
  // The rows per workgroup the kernels choose first (32 for products over the batch's rows, 16 for the weight
  // gradient), then the other of 16 and 32, then 8.
  const blocks = (n, chosen) => [chosen, chosen === 16 ? 32 : 16, 8].map((rows) => subgroupBlockFor(n, size, rows));
  const label = (b) => `sg ${b.rows}x${b.cols}w${b.lanes}`;
  say(`## dense products: register blocks against subgroup broadcasts (subgroup size ${size})`);
  // The benchmark's layers at its training batch, the sequence workload's (rows = 64 steps x 32), and two heads at
  // the benchmark's inference size.
  const shapes = [[1000, 1, 24], [1000, 24, 72], [1000, 72, 72], [8192, 256, 256], [8192, 8, 256], [2048, 128, 512], [256, 128, 512], [2048, 5, 512], [2048, 128, 63], [65536, 24, 72], [65536, 256, 160]];
  for (const [rows, inputs, outputs] of shapes) {
    const vectorB = outputs % 4 === 0;
    const sizes = { rows, inputs, outputs };
    await compare(`forward ${rows} x ${inputs + 1} -> ${outputs}`, [[`${block.rows}x${block.cols}`, denseForward, { activation: 'tanh', vectorB, block }], ...blocks(outputs, BATCH_ROWS_PER_GROUP).map((b) => [label(b), denseForward, { activation: 'tanh', vectorB, subgroup: b }])],
      sizes, { input: random(rows * inputs), weights: random((inputs + 1) * outputs), output: rows * outputs });
    await compare(`input gradient ${rows} x ${outputs} -> ${inputs}`, [['16x8', denseInputGrad, { inputActivation: 'tanh' }], ...blocks(inputs, BATCH_ROWS_PER_GROUP).map((b) => [label(b), denseInputGrad, { inputActivation: 'tanh', subgroup: b }])],
      sizes, { outputGrad: random(rows * outputs), weights: random((inputs + 1) * outputs), activationOutput: random(rows * inputs).map((v) => v / 3), inputGrad: rows * inputs });
    const fitted = denseWeightGradVariant(sizes);
    await compare(`weight gradient ${inputs + 1} x ${outputs} over ${rows}`, [[`${fitted.block.rows}x${fitted.block.cols}`, denseWeightGrad, fitted], ...blocks(outputs, 16).map((b) => [label(b), denseWeightGrad, { ...fitted, subgroup: b }])],
      sizes, { input: random(rows * inputs), outputGrad: random(rows * outputs), weightGrad: (inputs + 1) * outputs });
  }
  writeOut('-subgroups');
  gpu.destroy();
  process.exit(0);
}
if (section === 'tiled') {
  say('## dense forward: register blocks (16x8, 8x8) against workgroup-memory tiles (64x64 per workgroup of 16x16, 4x4 each)');
  for (const [rows, inputs, outputs] of [[1000, 24, 72], [1000, 72, 72], [10000, 128, 128], [8192, 256, 256], [4096, 512, 512]]) {
    const vectorB = outputs % 4 === 0;
    await compare(
      `forward ${rows} x ${inputs + 1} -> ${outputs}`,
      [
        ['16x8', denseForward, { activation: 'tanh', vectorB }],
        ['8x8', denseForward, { activation: 'tanh', vectorB, block: SQUARE }],
        ['tiled', denseForward, { activation: 'tanh', vectorB, tiled: true }],
      ],
      { rows, inputs, outputs },
      { input: random(rows * inputs), weights: random((inputs + 1) * outputs), output: rows * outputs },
    );
  }
  say('');
  say('## dense gradients: register blocks against workgroup-memory tiles (what GPU-class adapters run)');
  const { denseInputGrad } = await import('../dist/shaders/denseInputGrad.js');
  const { denseWeightGrad, denseWeightGradVariant, weightGradSlices, SPLIT_K_ROWS } = await import('../dist/shaders/denseWeightGrad.js');
  const { splitKSum } = await import('../dist/shaders/splitKSum.js');
  for (const [rows, inputs, outputs] of [[1000, 72, 72], [8192, 256, 256], [4096, 512, 512]]) {
    const sizes = { rows, inputs, outputs };
    await compare(`input gradient ${rows} x ${outputs} -> ${inputs}`, [['16x8', denseInputGrad, { inputActivation: 'tanh' }], ['tiled', denseInputGrad, { inputActivation: 'tanh', tiled: true }]],
      sizes, { outputGrad: random(rows * outputs), weights: random((inputs + 1) * outputs), activationOutput: random(rows * inputs).map((v) => v / 3), inputGrad: rows * inputs });
    const fitted = denseWeightGradVariant(sizes);
    // K split over the rows (what GPU-class training runs), the partial sums' addition timed with it.
    const count = (inputs + 1) * outputs;
    const splitCandidates = [128, SPLIT_K_ROWS].map((rowsPerSlice) => {
      const slices = weightGradSlices(rows, rowsPerSlice);
      return [`tiled, ${slices} slices`, denseWeightGrad, { ...fitted, vectorB: false, tiled: true, split: { rowsPerSlice } }, [[splitKSum, {}, { count, slices }]]];
    });
    await compare(`weight gradient ${inputs + 1} x ${outputs} over ${rows}`, [[`${fitted.block.rows}x${fitted.block.cols}`, denseWeightGrad, fitted], ['tiled', denseWeightGrad, { ...fitted, vectorB: false, tiled: true }], ...splitCandidates],
      sizes, { input: random(rows * inputs), outputGrad: random(rows * outputs), weightGrad: count, partials: weightGradSlices(rows, 128) * count, output: count });
  }
  writeOut('-tiled');
  gpu.destroy();
  process.exit(0);
}

say('## matmul, forward and input gradient: 8x8 against 16x8 blocks (and 16x8 with every load replaced by arithmetic)');
for (const [rows, inputs, outputs] of [[1000, 24, 72], [10000, 128, 128], [8192, 256, 256]]) {
  await compareMatmul(`forward ${rows} x ${inputs + 1} -> ${outputs}`, forward(rows, inputs, outputs), [SQUARE, TALL], true);
}
await compareMatmul('input gradient 1000 x 72 -> 24', inputGrad(1000, 24, 72), [SQUARE, TALL]);
say('');
say('## matmul, forward in 16x8 blocks: B read as scalars against B read as vec4s (vectorB)');
for (const [rows, inputs, outputs] of [[1000, 24, 72], [10000, 128, 128], [8192, 256, 256]]) {
  const shape = forward(rows, inputs, outputs);
  await compare(
    `forward ${rows} x ${inputs + 1} -> ${outputs}`,
    [['scalar B', matmulDefinition({ ...shape, vectorB: false }, TALL), {}], ['vec4 B', matmulDefinition(shape, TALL), {}]],
    shape,
    { a: random(rows * inputs + 4), b: random((inputs + 1) * outputs + 4), c: rows * outputs },
  );
}
say('');
say(`## matmul, forward in 16x8 blocks: workgroups of ${MATMUL_WORKGROUP} invocations (the kernels' size) against 64 and 256`);
// The same kernel with its workgroup size rewritten, and as many workgroups as that size needs.
const withWorkgroup = (definition, size, blocks) => ({
  ...definition,
  source: (v) => definition.source(v).replace(`@workgroup_size(${MATMUL_WORKGROUP})`, `@workgroup_size(${size})`).replace(`* ${MATMUL_WORKGROUP}u + lid.x`, `* ${size}u + lid.x`),
  plan: (sizes, v) => ({ ...definition.plan(sizes, v), workgroups: elementwiseWorkgroups(blocks(sizes), size) }),
});
for (const [rows, inputs, outputs] of [[1000, 24, 72], [10000, 128, 128], [8192, 256, 256]]) {
  const shape = forward(rows, inputs, outputs);
  const base = matmulDefinition(shape, TALL);
  const blocks = ({ m, n }) => Math.ceil(m / TALL.rows) * Math.ceil(n / TALL.cols);
  await compare(
    `forward ${rows} x ${inputs + 1} -> ${outputs}`,
    [[`${MATMUL_WORKGROUP}`, base, {}], ['64', withWorkgroup(base, 64, blocks), {}], ['256', withWorkgroup(base, 256, blocks), {}]],
    shape,
    { a: random(rows * inputs + 4), b: random((inputs + 1) * outputs + 4), c: rows * outputs },
  );
}
say('');
say('## matmul, weight gradient ((inputs + 1) x outputs over the batch): fixed blocks against the fitted one');
for (const [rows, inputs, outputs] of [[1000, 24, 72], [1000, 1, 24], [10000, 128, 128], [10000, 128, 60], [8192, 256, 256], [8192, 8, 256]]) {
  const fitted = fittedBlock(inputs + 1, outputs);
  await compareMatmul(`weight gradient ${inputs + 1} x ${outputs} over ${rows}`, weightGrad(rows, inputs, outputs), [SQUARE, WIDE, TALL, fitted]);
}
say('(the last column is fittedBlock\'s choice)');
say('');

const heads = [[1000, 24, 1, 'exp'], [10000, 20, 1, 'elu1'], [8192, 32, 2, 'exp']];
say('## mixture NLL with its gradient: loops against K and D unrolled');
for (const [batch, K, D, sigma] of heads) {
  const width = K * (1 + 2 * D);
  await compare(
    `mixtureNll B ${batch}, K ${K}, D ${D}, ${sigma} σ`,
    [['loops', mixtureNll, { sigma, withGradient: true, unrolled: null }], ['unrolled', mixtureNll, { sigma, withGradient: true, unrolled: { components: K, dims: D } }]],
    { batch, components: K, dims: D, gradScale: 1 / batch, sigmaEpsilon: 1e-7, sigmaPenalty: 0, sigmaGradScale: 1 },
    { head: random(batch * width).map((v) => v / 2), targets: random(batch * D), headGrad: batch * width, sampleNll: batch },
  );
}
say('');
say('## mixture parameters and sampling: loops against K and D unrolled');
for (const [rows, K, D, sigma] of [[65536, 24, 1, 'exp'], [65536, 20, 1, 'elu1'], [16384, 32, 2, 'exp']]) {
  const head = random(rows * K * (1 + 2 * D)).map((v) => v / 2);
  const unrolled = { components: K, dims: D };
  await compare(`mixtureParams ${rows} rows, K ${K}, D ${D}`, [['loops', mixtureParams, { sigma, unrolled: null }], ['unrolled', mixtureParams, { sigma, unrolled }]],
    { batch: rows, components: K, dims: D, sigmaEpsilon: 1e-7 }, { head, params: head.length });
  const call = new StepRing(gpu, SampleCall, 1, 'sample call');
  call.writeSlot(gpu.device.queue, 0, { temperature: 1, sigmaTemperature: 1, seed: 3, rowOffset: 0 });
  await compare(`mixtureSample ${rows} rows, K ${K}, D ${D}`, [['loops', mixtureSample, { sigma, unrolled: null }], ['unrolled', mixtureSample, { sigma, unrolled }]],
    { rows, samplesPerRow: 1, components: K, dims: D, sigmaEpsilon: 1e-7 }, { head, samples: rows * D }, { call: call.binding() });
  call.destroy();
}
say('');
say('## compile time of the unrolled training NLL kernel (softplus σ), by head width');
for (const [K, D] of [[24, 1], [32, 2], [85, 1]]) {
  const started = performance.now();
  await compileKernel(gpu, mixtureNll, { sigma: 'softplus', withGradient: true, unrolled: { components: K, dims: D } });
  say(`K ${K}, D ${D} (${K * (1 + 2 * D)} outputs): ${((performance.now() - started) / 1000).toFixed(2)} s`);
}

writeOut();
gpu.destroy();
process.exit(0);
