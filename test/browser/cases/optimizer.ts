// Adam and SGD kernels against the float64 reference on random state. One step does a handful of f32
// operations per element, each within 1 ulp, and sqrt within 1 ulp more: atol 1e-6 and rtol 1e-6
// (about 16 ulps at magnitude 1) cover them with room, and still catch any wrong term.
import type { GpuContext } from '../../../src/runtime/device.js';
import { StepRing } from '../../../src/runtime/stepRing.js';
import { AdamStep, adam, adamStepValues } from '../../../src/shaders/adam.js';
import { SgdStep, sgd } from '../../../src/shaders/sgd.js';
import { gradNorm } from '../../../src/shaders/gradNorm.js';
import { adamUpdate, sgdUpdate } from '../../../src/mdn/reference/optimizer.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { runKernel, toF32 } from '../runKernel.js';

const TOLERANCE = { atol: 1e-6, rtol: 1e-6 };

export const optimizerCases = {
  async adam(gpu: GpuContext, { count, t, weightDecay }: { count: number; t: number; weightDecay: number }) {
    const random = new Random(count + t);
    const params = toF32(random.fill(count, (r) => r.range(-1, 1)));
    const grads = toF32(random.fill(count, (r) => r.range(-0.1, 0.1)));
    const m = toF32(random.fill(count, (r) => r.range(-0.05, 0.05)));
    const v = toF32(random.fill(count, (r) => r.range(0, 0.01)));
    const settings = { learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay };
    const step = adamStepValues(t, settings.learningRate, settings.beta1, settings.beta2);
    const ring = new StepRing(gpu, AdamStep, 1, 'test adam ring');
    try {
      ring.write(gpu.device.queue, [step]);
      const out = await runKernel(gpu, adam, { clipped: false }, { count, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay }, {
        buffers: { params, grads, firstMoment: m, secondMoment: v, loss: [1.5], health: 4 },
        resources: { step: ring.binding() },
        read: ['params', 'firstMoment', 'secondMoment', 'health'],
      });
      // The reference sees the f32-rounded per-step scalars the kernel sees.
      const f32 = (x: number) => Math.fround(x);
      const expected = { p: Float64Array.from(params), m: Float64Array.from(m), v: Float64Array.from(v) };
      adamUpdate(expected.p, grads, expected.m, expected.v, t, { ...settings, learningRate: f32(settings.learningRate) });
      return [
        compareArrays(`adam t=${t} health stays 0 on finite values`, new Uint32Array(out.health.buffer), [0, 0, 0, 0], { atol: 0, rtol: 0 }),
        compareArrays(`adam t=${t} params`, out.params, expected.p, TOLERANCE),
        compareArrays(`adam t=${t} m`, out.firstMoment, expected.m, TOLERANCE),
        compareArrays(`adam t=${t} v`, out.secondMoment, expected.v, TOLERANCE),
      ];
    } finally {
      ring.destroy();
    }
  },

  // A NaN loss, or a NaN in one gradient, must leave every parameter as it was and record the step and quantity.
  async adamHalts(gpu: GpuContext, { badLoss }: { badLoss: boolean }) {
    const count = 4096;
    const params = toF32(new Random(1).fill(count, (r) => r.range(-1, 1)));
    const grads = toF32(new Random(2).fill(count, (r) => r.range(-0.1, 0.1)));
    if (!badLoss) grads[3001] = Number.POSITIVE_INFINITY;
    const ring = new StepRing(gpu, AdamStep, 1, 'test adam ring');
    try {
      ring.write(gpu.device.queue, [adamStepValues(7, 0.01, 0.9, 0.999)]);
      const out = await runKernel(gpu, adam, { clipped: false }, { count, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, weightDecay: 0 }, {
        buffers: { params, grads, firstMoment: count, secondMoment: count, loss: [badLoss ? Number.NaN : 0.5], health: 4 },
        resources: { step: ring.binding() },
        read: ['params', 'health'],
      });
      return { unchanged: out.params.every((v, i) => v === params[i] || !badLoss), health: Array.from(new Uint32Array(out.health.buffer)) };
    } finally {
      ring.destroy();
    }
  },

  // The clip factor: a sum of `count` squares in f32 (relative error ~count·u, under 1e-3 here), then a sqrt and
  // a division: rtol 1e-4 (count <= 70,000).
  async gradNorm(gpu: GpuContext, { count, maxNorm }: { count: number; maxNorm: number }) {
    const random = new Random(count + 99);
    const grads = toF32(random.fill(count, (r) => r.range(-0.1, 0.1)));
    const norm = Math.sqrt(grads.reduce((s, g) => s + g * g, 0));
    const { clip } = await runKernel(gpu, gradNorm, {}, { count, maxNorm }, { buffers: { grads, clip: 1 }, read: ['clip'] });
    return { norm, reports: [compareArrays(`clip factor, ‖g‖ ${norm.toFixed(3)}, max ${maxNorm}`, clip, [Math.min(1, Math.fround(maxNorm) / norm)], { atol: 0, rtol: 1e-4 })] };
  },

  async sgd(gpu: GpuContext, { count, momentum, weightDecay }: { count: number; momentum: number; weightDecay: number }) {
    const random = new Random(count + 17);
    const params = toF32(random.fill(count, (r) => r.range(-1, 1)));
    const grads = toF32(random.fill(count, (r) => r.range(-0.1, 0.1)));
    const velocity = toF32(random.fill(count, (r) => r.range(-0.1, 0.1)));
    const ring = new StepRing(gpu, SgdStep, 1, 'test sgd ring');
    try {
      ring.write(gpu.device.queue, [{ learningRate: 0.05 }]);
      const out = await runKernel(gpu, sgd, {}, { count, momentum, weightDecay }, {
        buffers: { params, grads, velocity },
        resources: { step: ring.binding() },
        read: ['params', 'velocity'],
      });
      const p = Float64Array.from(params);
      const v = Float64Array.from(velocity);
      sgdUpdate(p, grads, v, { learningRate: Math.fround(0.05), momentum: Math.fround(momentum), weightDecay: Math.fround(weightDecay) });
      return [compareArrays('sgd params', out.params, p, TOLERANCE), compareArrays('sgd velocity', out.velocity, v, TOLERANCE)];
    } finally {
      ring.destroy();
    }
  },
};
