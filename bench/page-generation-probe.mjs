#!/usr/bin/env node
// `node bench/page-generation-probe.mjs [--out DIR]`: how far generation in the page (headless Chromium, its
// SwiftShader) is from what its arithmetic allows. In the page: the sequence benchmark's model (lstm:128,
// gaussian-full K 10, a 3-way pen) generating 256 sequences of 100 steps (wall time), the GPU time of each dispatch
// of one generated step, the fused recurrent step alone as it runs and with its loads replaced by arithmetic (a
// probe: what the step would cost if loads were free), and the adapter's FMA ceiling. Writes
// bench/results/page-generation-probe-<date>.txt.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createServer } from 'vite';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'bench/results' } } });
const server = await createServer({ configFile: false, root: process.cwd(), logLevel: 'warn', server: { host: '127.0.0.1', port: 0, hmr: false } });
await server.listen();
const { launchChromium, openBenchPage } = await server.ssrLoadModule('/bench/chromium.ts');
const browser = await launchChromium(0);
try {
  const { page, env } = await openBenchPage(browser, server.resolvedUrls.local[0]);
  const lines = await page.evaluate(async () => {
    const { mixdenGpu } = await import('/bench/systems/mixden.ts');
    const { createSequenceMdn } = await import('/src/mdn/sequence/sequenceMdn.ts');
    const { measureCeiling } = await import('/bench/ceiling.ts');
    const { compileKernel } = await import('/src/runtime/kernel.ts');
    const { ProgramBuilder } = await import('/src/runtime/program.ts');
    const { createStorageBuffer } = await import('/src/runtime/buffers.ts');
    const { timeProgram } = await import('/src/runtime/timestamps.ts');
    const { recurrentStep, recurrentStepVariant } = await import('/src/shaders/recurrentStep.ts');
    const gpu = await mixdenGpu();
    const out = [`adapter class ${gpu.adapterClass}, subgroup size ${gpu.subgroupSize}, timestamps ${gpu.hasTimestamps}`];
    const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    const model = await createSequenceMdn({ outputDim: 2, layers: [{ kind: 'lstm', units: 128 }], family: 'gaussian-full', components: 10, sideOutputs: [{ kind: 'categorical', classes: 3 }], seed: 1, gpu });
    const generator = await model.generator({ count: 256, maxSteps: 100, seed: 1 });
    await generator.run();
    const walls = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      await generator.run();
      walls.push(performance.now() - started);
    }
    out.push(`generation of 256 sequences x 100 steps: ${walls.map((w) => w.toFixed(0)).join(' / ')} ms (one submit, one readback each)`);
    if (!gpu.hasTimestamps) throw new Error('the page offers no timestamp-query');
    out.push('GPU time of each dispatch of one generated step:');
    for (const d of await generator.profileStep()) out.push(`  ${d.label.padEnd(52)} ${d.milliseconds.toFixed(3)} ms`);
    generator.destroy();
    model.destroy();
    // The fused step alone on the benchmark's sizes, and probes with its loads replaced by arithmetic.
    const [N, H, I] = [256, 128, 3];
    const offset = Math.ceil(((I + 1) * 4 * H) / 64) * 64;
    const buffer = (n) => createStorageBuffer(gpu, 'probe', n);
    const resources = { input: buffer(N * I), previousOutput: buffer(N * H), weights: buffer(offset + (H + 1) * 4 * H), cells: buffer(N * H), output: buffer(N * H) };
    const probed = (name, probe) => ({ ...recurrentStep, name: `recurrentStep-${name}`, source: (v) => probe(recurrentStep.source(v)) });
    const noWeights = (src) => src.replace(/let bv(\d) = weights\[bRow \+ c\d\];/g, (_, q) => `let bv${q} = T(f32(k) * 0.001 + ${q}.0);`);
    const noLoads = (src) => noWeights(src).replace(/(input|previousOutput)\[(x|p)(\d+) \+ k\]/g, (_, b, o, i) => `(f32(${o}${i} + k) * 1e-6)`);
    const flops = 2 * N * (I + H + 2) * 4 * H;
    out.push(`the fused recurrent step alone (${N} sequences, ${I} -> ${H} LSTM, ${(flops / 1e6).toFixed(1)} MFLOP), GPU time, median of 7:`);
    for (const [label, variant] of [['as chosen', recurrentStepVariant('lstm', H, gpu.adapterClass, gpu.subgroupSize)], ['register blocks', recurrentStepVariant('lstm', H, gpu.adapterClass)]]) {
      for (const [name, definition] of [['as it runs', recurrentStep], ['probe: no weight loads', probed('w', noWeights)], ['probe: no loads in its loops', probed('wa', noLoads)]]) {
        const program = new ProgramBuilder(gpu, name).add(await compileKernel(gpu, definition, variant), resources, { rows: N, inputs: I, units: H, recurrentOffset: offset, step: 0 }).build();
        const times = [];
        for (let r = 0; r < 7; r++) times.push((await timeProgram(gpu, program)).reduce((a, d) => a + d.milliseconds, 0));
        const t = median(times);
        out.push(`  ${`${label}, ${name}`.padEnd(52)} ${t.toFixed(2)} ms  ${(flops / t / 1e6).toFixed(1)} GFLOP/s`);
        program.destroy();
      }
    }
    const ceiling = await measureCeiling(gpu, 3);
    out.push(`FMA ceiling ${ceiling.ceilingGflops.toFixed(1)} GFLOP/s; the dense matmul ${ceiling.matmulShape} ${ceiling.matmulGflops.toFixed(1)} GFLOP/s`);
    return out;
  });
  const text = [`# page generation probe, ${new Date().toISOString().slice(0, 16)}Z, ${env.adapter}, ${env.browser}`, '# node bench/page-generation-probe.mjs', '', ...lines].join('\n');
  console.log(text);
  mkdirSync(values.out, { recursive: true });
  const file = `${values.out}/page-generation-probe-${new Date().toISOString().slice(0, 10)}.txt`;
  writeFileSync(file, `${text}\n`);
  console.log(`written: ${file}`);
} finally {
  await browser.close();
  await server.close();
}
process.exit(0);
