// Run by test/gpu/adapters.test.ts in a Node process of its own (the Vulkan driver is chosen at start, by
// MIXDEN_VULKAN): the three dense products with loads shared through subgroups, at this adapter's subgroup size,
// and (on lavapipe) in the GPU class's workgroup-memory tiles (the weight gradient also with K split), against the float64 reference, with the rounding bounds of
// test/browser/cases/dense.ts. Prints one JSON line:
// the adapter, its subgroup size and, per case, the worst error as a fraction of its bound (above 1 fails).
const dist = new URL('../../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const { nodeGpu } = await load('host/node.js');
const { compileKernel } = await load('runtime/kernel.js');
const { ProgramBuilder } = await load('runtime/program.js');
const { createStorageBuffer, uploadFloats } = await load('runtime/buffers.js');
const { StagingBuffer, submitCommands } = await load('runtime/transfer.js');
const { denseForward } = await load('shaders/denseForward.js');
const { denseInputGrad } = await load('shaders/denseInputGrad.js');
const { denseWeightGrad, denseWeightGradVariant, weightGradSlices } = await load('shaders/denseWeightGrad.js');
const { splitKSum } = await load('shaders/splitKSum.js');
const { BATCH_ROWS_PER_GROUP, subgroupBlockFor } = await load('shaders/subgroupMatmul.wgsl.js');
const ref = await load('mdn/reference/dense.js');
const { activate, activationGradFromOutput } = await load('mdn/reference/activations.js');
const { Random } = await load('mdn/random.js');

const U = 2 ** -24;
const gpu = await nodeGpu();
const size = gpu.subgroupSize;
const f32 = (n, draw) => Float64Array.from({ length: n }, () => Math.fround(draw()));

async function run(definition, variant, sizes, buffers, readName) {
  const resources = {};
  const made = [];
  for (const [name, value] of Object.entries(buffers)) {
    const floats = typeof value === 'number' ? value : value.length;
    const buffer = createStorageBuffer(gpu, name, floats);
    made.push(buffer);
    if (typeof value !== 'number') uploadFloats(gpu, buffer, Float32Array.from(value));
    resources[name] = { buffer, offset: 0, size: floats * 4 };
  }
  const program = new ProgramBuilder(gpu, definition.name).add(await compileKernel(gpu, definition, variant), resources, sizes).build();
  const floats = resources[readName].size / 4;
  const staging = new StagingBuffer(gpu, 'read', floats);
  submitCommands(gpu, definition.name, (encoder) => {
    const pass = encoder.beginComputePass();
    program.encode(pass, 0);
    pass.end();
    staging.copyFrom(encoder, resources[readName].buffer, 0, 0, floats);
  });
  const values = Float64Array.from(await staging.read(0, floats));
  staging.destroy();
  program.destroy();
  made.forEach((b) => b.destroy());
  return values;
}

// The worst |actual − expected| / (bound + atol) over the elements.
const worst = (actual, expected, bound, atol) => actual.reduce((w, v, i) => Math.max(w, Number.isFinite(v) ? Math.abs(v - expected[i]) / (bound[i] + atol) : Infinity), 0);

const cases = [];
const shapes = [[1, 3, 24, 'tanh'], [7, 24, 36, 'relu'], [33, 130, 12, 'elu'], [1000, 24, 130, 'sigmoid'], [70, 36, 36, 'identity']];
for (const [rows, inputs, outputs, activation] of shapes) {
  const shape = { rows, inputs, outputs };
  const random = new Random(rows * 31 + inputs * 7 + outputs);
  const x = f32(rows * inputs, () => random.range(-1, 1));
  const params = f32((inputs + 1) * outputs, () => random.range(-1, 1));
  const dPre = f32(rows * outputs, () => random.range(-1, 1));
  const previous = f32(rows * inputs, () => activate(activation, random.range(-3, 3)));
  // Forward: act(X·W + b), bound (inputs + 2)·u·Σ|x||w| plus the activation's own error.
  const pre = ref.denseForward(x, params, shape, 'identity');
  const expected = pre.map((p) => activate(activation, p));
  const magnitude = ref.denseForward(x.map(Math.abs), params.map(Math.abs), shape, 'identity');
  const forwardBound = magnitude.map((m, i) => (inputs + 2) * U * m + (8 + 4 * Math.abs(pre[i])) * U * (1 + Math.abs(expected[i])));
  // Input gradient: (dZ·Wᵀ) ⊙ act'(previous).
  const { inputGrad } = ref.denseBackward(new Float64Array(rows * inputs), dPre, params, shape);
  const wantInput = inputGrad.map((g, i) => g * activationGradFromOutput(activation, previous[i]));
  const { inputGrad: inputMagnitude } = ref.denseBackward(new Float64Array(rows * inputs), dPre.map(Math.abs), params.map(Math.abs), shape);
  const inputBound = inputMagnitude.map((m, i) => (outputs + 1) * U * m * Math.abs(activationGradFromOutput(activation, previous[i])) + 4 * U * Math.abs(wantInput[i]));
  // Weight gradient: [X | 1]ᵀ·dZ.
  const { paramGrad } = ref.denseBackward(x, dPre, params, shape);
  const { paramGrad: gradMagnitude } = ref.denseBackward(x.map(Math.abs), dPre.map(Math.abs), params, shape);
  // The three products in one variant each: `forward`, `inputGrad` and `weightGrad` are the variants' extra fields.
  const check = async (label, variants) => {
    const y = await run(denseForward, { activation, vectorB: outputs % 4 === 0 && !variants.forward.tiled, ...variants.forward }, shape, { input: x, weights: params, output: rows * outputs }, 'output');
    cases.push({ kernel: 'denseForward', variant: label, rows, inputs, outputs, worst: worst(y, expected, forwardBound, 1e-6) });
    const gotInput = await run(denseInputGrad, { inputActivation: activation, ...variants.inputGrad }, shape, { outputGrad: dPre, weights: params, activationOutput: previous, inputGrad: rows * inputs }, 'inputGrad');
    cases.push({ kernel: 'denseInputGrad', variant: label, rows, inputs, outputs, worst: worst(gotInput, wantInput, inputBound, 1e-7) });
    const gotGrad = await run(denseWeightGrad, { ...denseWeightGradVariant(shape), ...variants.weightGrad }, shape, { input: x, outputGrad: dPre, weightGrad: (inputs + 1) * outputs }, 'weightGrad');
    cases.push({ kernel: 'denseWeightGrad', variant: label, rows, inputs, outputs, worst: worst(gotGrad, paramGrad, gradMagnitude.map((m) => (rows + 1) * U * m), 1e-7) });
  };
  if (size) {
    // One subgroup's rows a workgroup (the weight gradient's choice for narrow layers), then the rows the kernels
    // choose: BATCH_ROWS_PER_GROUP (32) for the products over the batch's rows, 16 for the weight gradient.
    const rowsOf = (n, rows) => subgroupBlockFor(n, size, rows);
    await check(`subgroups, ${size} rows a workgroup`, { forward: { subgroup: rowsOf(outputs, size) }, inputGrad: { subgroup: rowsOf(inputs, size) }, weightGrad: { subgroup: rowsOf(outputs, size) } });
    await check(`subgroups, ${BATCH_ROWS_PER_GROUP} rows a workgroup (16 for the weight gradient)`, {
      forward: { subgroup: rowsOf(outputs, BATCH_ROWS_PER_GROUP) },
      inputGrad: { subgroup: rowsOf(inputs, BATCH_ROWS_PER_GROUP) },
      weightGrad: { subgroup: rowsOf(outputs, 16) },
    });
  }
  // The tiles on lavapipe only: Chromium's dense sweep runs them on SwiftShader already.
  if (gpu.adapterClass === 'lavapipe') {
    await check('tiles (the GPU class)', { forward: { tiled: true }, inputGrad: { tiled: true }, weightGrad: { tiled: true, vectorB: false } });
    // The weight gradient with K split over the rows in slices of at least 4, their partial sums added by splitKSum.
    const count = (inputs + 1) * outputs;
    const slices = weightGradSlices(rows, 4);
    const variant = { ...denseWeightGradVariant(shape), vectorB: false, tiled: true, split: { rowsPerSlice: 4 } };
    const buffers = { input: x, outputGrad: dPre, weightGrad: count, partials: slices * count };
    const got = slices === 1 ? await run(denseWeightGrad, variant, shape, buffers, 'weightGrad') : await run(splitKSum, {}, { count, slices }, { partials: await run(denseWeightGrad, variant, shape, buffers, 'partials'), output: count }, 'output');
    cases.push({ kernel: 'denseWeightGrad', variant: `tiles, K split in ${slices} slices`, rows, inputs, outputs, worst: worst(got, paramGrad, gradMagnitude.map((m) => (rows + 1) * U * m), 1e-7) });
  }
}
console.log(JSON.stringify({ adapter: gpu.adapterDescription, subgroupSize: size ?? null, cases }));
gpu.destroy();
process.exit(0);
