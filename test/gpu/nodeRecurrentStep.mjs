// Run by test/gpu/adapters.test.ts in a Node process of its own (the Vulkan driver is chosen at start, by
// MIXDEN_VULKAN): generation's fused recurrent step (src/shaders/recurrentStep.ts) in the variant the adapter
// runs (on lavapipe x's and h's loads through subgroups, one unit a lane) and in register blocks, LSTM and GRU, stepped as
// generation steps it (a first step from zero, then continued steps alternating two output buffers) against the
// float64 reference's walk, with the bound of test/browser/cases/recurrent.ts's recurrentContinued; then training's
// walks in blocked steps as the adapter's class chooses them. Prints one JSON line: the adapter, its subgroup size
// and, per case, the worst error as a fraction of its bound.
const dist = new URL('../../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const { nodeGpu } = await load('host/node.js');
const { compileKernel } = await load('runtime/kernel.js');
const { ProgramBuilder } = await load('runtime/program.js');
const { createStorageBuffer, readFloats, uploadFloats } = await load('runtime/buffers.js');
const { submitCommands } = await load('runtime/transfer.js');
const { lstm, gru, recurrentStages } = await load('mdn/layers/recurrent.js');
const { recurrentStepVariant } = await load('shaders/recurrentStep.js');
const { Random } = await load('mdn/random.js');

const U = 2 ** -24;
const gpu = await nodeGpu();
const size = gpu.subgroupSize;

// A buffer of `floats` (holding `values` where given), listed in `made` to be destroyed.
function bufferIn(made, floats, values) {
  const b = createStorageBuffer(gpu, 'case', floats);
  made.push(b);
  if (values) uploadFloats(gpu, b, Float32Array.from(values));
  return b;
}
// Submits a program alone, in one compute pass.
const submit = (program) =>
  submitCommands(gpu, 'case', (encoder) => {
    const pass = encoder.beginComputePass();
    program.encode(pass, 0);
    pass.end();
  });

async function continuedSteps(kind, { steps, batch, inputs, units }, variant) {
  const layer = { kind, spec: { kind: kind.kind, units }, index: 0, inputs, outputs: units };
  const random = new Random(steps * 131 + batch * 17 + units);
  const params = Float64Array.from(kind.initialParameters(layer, random, 'pytorch'));
  const x = Float64Array.from({ length: steps * batch * inputs }, () => Math.fround(random.range(-1, 1)));
  const expected = kind.reference.forward(layer, params, x, steps * batch, steps);
  const made = [];
  const buffer = (floats, values) => bufferIn(made, floats, values);
  const input = buffer(batch * inputs);
  const weights = buffer(params.length, params);
  const outputs = [buffer(batch * units), buffer(batch * units)];
  const workspace = kind.workspace(layer.spec, inputs, false).map((w) => buffer(batch * w));
  const program = async (continued, set) => {
    const builder = new ProgramBuilder(gpu, 'continued steps');
    const io = { input, weights, output: outputs[set], previousOutput: outputs[1 - set], workspace };
    for (const s of recurrentStages(layer, { design: continued ? 'fusedStep' : 'looped', continued }).forward(false)) {
      builder.add(await compileKernel(gpu, s.definition, continued ? variant : s.variant), s.resources(io), s.sizes(batch, 1, 0));
    }
    return builder.build();
  };
  const programs = [await program(false, 0), await program(true, 1), await program(true, 0)];
  const got = new Float64Array(steps * batch * units);
  for (let t = 0; t < steps; t++) {
    uploadFloats(gpu, input, Float32Array.from(x.subarray(t * batch * inputs, (t + 1) * batch * inputs)));
    submit(programs[t === 0 ? 0 : 2 - (t % 2)]);
    got.set(await readFloats(gpu, outputs[t % 2], batch * units), t * batch * units);
  }
  programs.forEach((p) => p.destroy());
  made.forEach((b) => b.destroy());
  const perStep = (inputs + units + 16) * U * 4;
  return got.reduce((w, v, i) => Math.max(w, Number.isFinite(v) ? Math.abs(v - expected[i]) / ((Math.floor(i / (units * batch)) + 1) * perStep + 1e-7) : Infinity), 0);
}

const cases = [];
const shapes = [
  { steps: 4, batch: 3, inputs: 2, units: 8 },
  { steps: 5, batch: 19, inputs: 3, units: 36 },
  { steps: 3, batch: 40, inputs: 7, units: 132 },
];
for (const kind of [lstm, gru]) {
  for (const shape of shapes) {
    // This adapter's choice (on lavapipe one unit a lane, 32 rows through subgroups), and vec4 lanes in register blocks.
    const variants = [[`chosen for ${gpu.adapterClass}`, recurrentStepVariant(kind.kind, shape.units, gpu.adapterClass, size)], ['vec4 lanes, register blocks of 8 rows', recurrentStepVariant(kind.kind, shape.units)]];
    for (const [label, variant] of variants) cases.push({ cell: kind.kind, variant: label, ...shape, worst: await continuedSteps(kind, shape, variant) });
  }
}
// Training's walks in blocked steps as this adapter's class chooses them (forward with the gates kept, backward,
// the weight gradients after), against the reference's h and parameter gradient, with recurrentLayer's tolerances
// (test/browser/cases/recurrent.ts): h within the per-step bound, gradients within 1e-6 + (steps·perStep + rows·u)·|g|.
const ratio = (got, want, allowed) => got.reduce((w, v, i) => Math.max(w, Number.isFinite(v) ? Math.abs(v - want[i]) / allowed(i) : Infinity), 0);
async function trainingWalk(kind, { steps, batch, inputs, units }) {
  const layer = { kind, spec: { kind: kind.kind, units }, index: 0, inputs, outputs: units };
  const rows = steps * batch;
  const random = new Random(steps * 7 + batch * 3 + units);
  const params = Float64Array.from(kind.initialParameters(layer, random, 'pytorch'));
  const x = Float64Array.from({ length: rows * inputs }, () => Math.fround(random.range(-1, 1)));
  const outputGrad = Float64Array.from({ length: rows * units }, () => Math.fround(random.range(-1, 1)));
  const made = [];
  const buffer = (floats, values) => bufferIn(made, floats, values);
  const io = {
    input: buffer(rows * inputs, x),
    weights: buffer(params.length, params),
    output: buffer(rows * units),
    workspace: kind.workspace(layer.spec, inputs, true, gpu.adapterClass).map((w) => buffer(rows * w)),
    outputGrad: buffer(rows * units, outputGrad),
    inputGrad: buffer(rows * inputs),
    weightGrad: buffer(params.length),
  };
  const stages = recurrentStages(layer, { design: 'blockedSteps', adapterClass: gpu.adapterClass, subgroupSize: size });
  const builder = new ProgramBuilder(gpu, 'training walk');
  for (const s of [...stages.forward(true), ...stages.backward(undefined)]) {
    const kernel = await compileKernel(gpu, s.definition, s.variant);
    for (let pass = 0; pass < (s.passes?.(steps) ?? 1); pass++) builder.add(kernel, s.resources(io), s.sizes(rows, steps, pass));
  }
  const program = builder.build();
  submit(program);
  const h = await readFloats(gpu, io.output, rows * units);
  const paramGrad = await readFloats(gpu, io.weightGrad, params.length);
  program.destroy();
  made.forEach((b) => b.destroy());
  const expected = kind.reference.forward(layer, params, x, rows, steps);
  const grads = kind.reference.backward(layer, params, x, outputGrad, rows, 'identity', steps);
  const perStep = (inputs + units + 16) * U * 4;
  const gradientScale = steps * perStep + rows * U;
  return Math.max(
    ratio(h, expected, (i) => 1e-7 + (Math.floor(i / (units * batch)) + 1) * perStep),
    ratio(paramGrad, grads.paramGrad, (i) => 1e-6 + gradientScale * Math.abs(grads.paramGrad[i])),
  );
}
for (const kind of [lstm, gru]) {
  for (const shape of [{ steps: 7, batch: 37, inputs: 3, units: 12 }, { steps: 4, batch: 9, inputs: 2, units: 132 }]) {
    cases.push({ cell: kind.kind, variant: `training walk, blocked steps as chosen for ${gpu.adapterClass}`, ...shape, worst: await trainingWalk(kind, shape) });
  }
}
console.log(JSON.stringify({ adapter: gpu.adapterDescription, subgroupSize: size ?? null, cases }));
gpu.destroy();
process.exit(0);
