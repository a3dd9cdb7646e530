// An app that owns its GPUDevice and its frame loop, with a trained MDN dropped in as a kernel: every frame it
// records "sample y for each particle's x" into its own command encoder, then draws the particles from the same
// buffers in a render pass of that encoder. No readback, no copies through the CPU.
import { acquireGpu } from '../../src/runtime/device.js';
import { createMdn } from '../../src/mdn/createMdn.js';
import { inverseSine, standardize } from '../../src/mdn/datasets.js';
import { loadInferenceKernel } from '../../src/inference.js';

const PARTICLES = 8192;
const status = document.getElementById('status')!;
const canvas = document.getElementById('view') as HTMLCanvasElement;

const adapter = await navigator.gpu?.requestAdapter();
if (!adapter) throw new Error('this example needs WebGPU');
const device = await adapter.requestDevice({ label: 'the app' });

// 1. A model, trained here for the example (an app would fetch a saved .mixden file instead).
const data = inverseSine(1000, 0);
const xScale = standardize(data.x, 1000, 1);
const yScale = standardize(data.y, 1000, 1);
const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [24], activation: 'sigmoid', components: 12, sigma: 'softplus', gpu: await acquireGpu({ device }) });
await model.fit(xScale.values, yScale.values, { steps: 600, learningRate: 0.02 });
const kernel = await loadInferenceKernel(device, await model.save());
model.destroy();

// 2. The app's own buffers: particle x (scaled units, drifting each frame) and the sampled y.
const xs = device.createBuffer({ label: 'particle x', size: PARTICLES * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
const ys = device.createBuffer({ label: 'particle y', size: PARTICLES * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
// ?offscreen=1 draws into a texture instead of the canvas: headless Chromium on SwiftShader loses a device that
// presents to a WebGPU canvas, so the example's test renders offscreen and counts the lit pixels.
const offscreen = new URLSearchParams(location.search).has('offscreen');
const format: GPUTextureFormat = offscreen ? 'rgba8unorm' : navigator.gpu.getPreferredCanvasFormat();
const target = offscreen
  ? device.createTexture({ label: 'offscreen frame', size: [canvas.width, canvas.height], format, usage: GPUTextureUsage.RENDER_ATTACHMENT | GPUTextureUsage.COPY_SRC })
  : undefined;
const context = offscreen ? undefined : canvas.getContext('webgpu')!;
context?.configure({ device, format, alphaMode: 'opaque' });
const module = device.createShaderModule({
  label: 'particles',
  code: `
@group(0) @binding(0) var<storage, read> xs: array<f32>;
@group(0) @binding(1) var<storage, read> ys: array<f32>;
@vertex fn vs(@builtin(vertex_index) i: u32) -> @builtin(position) vec4<f32> {
  return vec4(xs[i] / 2.2, ys[i] / 2.0, 0.0, 1.0);
}
@fragment fn fs() -> @location(0) vec4<f32> { return vec4(1.0, 0.75, 0.3, 1.0); }`,
});
const pipeline = device.createRenderPipeline({
  label: 'particles',
  layout: 'auto',
  vertex: { module, entryPoint: 'vs' },
  fragment: { module, entryPoint: 'fs', targets: [{ format }] },
  primitive: { topology: 'point-list' },
});
const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: [{ binding: 0, resource: { buffer: xs } }, { binding: 1, resource: { buffer: ys } }] });
const positions = new Float32Array(PARTICLES);
let frame = 0;

function render(): void {
  for (let i = 0; i < PARTICLES; i++) positions[i] = -2 + 4 * (((i / PARTICLES) + frame * 0.001) % 1);
  device.queue.writeBuffer(xs, 0, positions);
  const encoder = device.createCommandEncoder({ label: `frame ${frame}` });
  kernel.encode(encoder, { mode: 'sample', input: xs, output: ys, count: PARTICLES, samples: 1, seed: frame });
  const view = target ? target.createView() : context!.getCurrentTexture().createView();
  const pass = encoder.beginRenderPass({ colorAttachments: [{ view, loadOp: 'clear', storeOp: 'store', clearValue: { r: 0.02, g: 0.02, b: 0.06, a: 1 } }] });
  pass.setPipeline(pipeline);
  pass.setBindGroup(0, bindGroup);
  pass.draw(PARTICLES);
  pass.end();
  device.queue.submit([encoder.finish()]);
  frame++;
  requestAnimationFrame(render);
}
status.textContent = `${PARTICLES} particles, y sampled from the MDN inside each frame's command encoder`;
requestAnimationFrame(render);

/** For the example's test: frames drawn, the sampled y, and (offscreen) how many pixels the particles lit. */
async function check() {
  const read = async (copy: (encoder: GPUCommandEncoder, staging: GPUBuffer) => void, bytes: number) => {
    const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = device.createCommandEncoder();
    copy(encoder, staging);
    device.queue.submit([encoder.finish()]);
    await staging.mapAsync(GPUMapMode.READ);
    const data = staging.getMappedRange().slice(0);
    staging.destroy();
    return data;
  };
  const y = new Float32Array(await read((e, s) => e.copyBufferToBuffer(ys, 0, s, 0, PARTICLES * 4), PARTICLES * 4));
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mean) ** 2, 0) / y.length);
  let lit = 0;
  if (target) {
    const bytesPerRow = canvas.width * 4; // 3840, a multiple of 256
    const pixels = new Uint8Array(await read((e, s) => e.copyTextureToBuffer({ texture: target }, { buffer: s, bytesPerRow }, [canvas.width, canvas.height]), bytesPerRow * canvas.height));
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] > 128) lit++;
  }
  return { frames: frame, finite: y.every(Number.isFinite), mean, sd, lit };
}
Object.assign(window, { particles: { check, frames: () => frame } });
