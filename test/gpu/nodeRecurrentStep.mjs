// Run by test/gpu/adapters.test.ts in a Node process of its own (the Vulkan driver is chosen at start, by
// MIXDEN_VULKAN): generation's fused recurrent step (src/shaders/recurrentStep.ts) in the variant the adapter
// runs (on lavapipe x's and h's loads through subgroups, one unit a lane) and in register blocks, LSTM and GRU, stepped as
// generation steps it (a first step from zero, then continued steps alternating two output buffers) against the
// float64 reference's walk, with the bound of test/browser/cases/recurrent.ts's recurrentContinued. Prints one
// JSON line: the adapter, its subgroup size and, per case, the worst error as a fraction of its bound.
const dist = new URL('../../dist/', import.meta.url);
const load = (path) => import(new URL(path, dist).href);
const { nodeGpu } = await load('host/node.js');
const { compileKernel } = await load('runtime/kernel.js');
const { ProgramBuilder } = await load('runtime/program.js');
const { createStorageBuffer, readFloats, uploadFloats } = await load('runtime/buffers.js');
const { lstm, gru, recurrentStages } = await load('mdn/layers/recurrent.js');
const { recurrentStepVariant } = await load('shaders/recurrentStep.js');
const { Random } = await load('mdn/random.js');

const U = 2 ** -24;
const gpu = await nodeGpu();
const size = gpu.subgroupSize;

async function continuedSteps(kind, { steps, batch, inputs, units }, variant) {
  const layer = { kind, spec: { kind: kind.kind, units }, index: 0, inputs, outputs: units };
  const random = new Random(steps * 131 + batch * 17 + units);
  const params = Float64Array.from(kind.initialParameters(layer, random, 'pytorch'));
  const x = Float64Array.from({ length: steps * batch * inputs }, () => Math.fround(random.range(-1, 1)));
  const expected = kind.reference.forward(layer, params, x, steps * batch, steps);
  const made = [];
  const buffer = (floats, values) => {
    const b = createStorageBuffer(gpu, 'step', floats);
    made.push(b);
    if (values) uploadFloats(gpu, b, Float32Array.from(values));
    return b;
  };
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
    const encoder = gpu.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    programs[t === 0 ? 0 : 2 - (t % 2)].encode(pass, 0);
    pass.end();
    gpu.device.queue.submit([encoder.finish()]);
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
console.log(JSON.stringify({ adapter: gpu.adapterDescription, subgroupSize: size ?? null, cases }));
gpu.destroy();
process.exit(0);
