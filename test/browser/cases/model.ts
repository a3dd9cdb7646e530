// The model API end to end on the GPU: fit, inference against the float64 reference, save/load, schedules.
// Inference tolerances are the predictor's (cases/inference.ts): atol 1e-5 + rtol 1e-4 on an f32 forward pass;
// log-densities are compared with atol 1e-4 + rtol 1e-5 (a sum of terms up to ~10 in size, each f32-rounded).
import type { GpuContext } from '../../../src/runtime/device.js';
import { createMdn, loadMdn } from '../../../src/mdn/createMdn.js';
import { denseLayers } from '../../../src/mdn/architecture.js';
import { denseForward } from '../../../src/mdn/reference/dense.js';
import * as ref from '../../../src/mdn/reference/mixture.js';
import { inverseSine, standardize } from '../../../src/mdn/datasets.js';
import { Random } from '../../../src/mdn/random.js';
import { compareArrays } from '../../support/compare.js';
import { failure } from '../failure.js';

function data(rows: number) {
  const d = inverseSine(rows, 3);
  return { x: Float32Array.from(standardize(d.x, rows, 1).values), y: Float32Array.from(standardize(d.y, rows, 1).values) };
}


export const modelCases = {
  async modelEndToEnd(gpu: GpuContext) {
    const { x, y } = data(400);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], activation: 'tanh', components: 5, sigma: 'softplus', seed: 2, gpu });
    try {
      const fit = await model.fit(x, y, { steps: 600, learningRate: 0.01, evaluateEvery: 100, validationSplit: 0.25 });
      const xs = Float32Array.from({ length: 37 }, (_, i) => -2 + i / 9);
      const ys = Float32Array.from({ length: 37 }, (_, i) => Math.sin(i));
      const mixture = await model.predict(xs);
      const logDensity = await model.logProb(xs, ys);
      const mean = await model.mean(xs);
      const variance = await model.variance(xs);
      // The float64 reference from the same weights.
      const weights = (await model.getWeights()).map((w) => Float64Array.from(w));
      let h: ArrayLike<number> = xs;
      denseLayers(model.architecture).forEach((l, i) => (h = denseForward(h, weights[i], { rows: 37, ...l }, l.activation)));
      const shape = { batch: 37, components: 5, dims: 1, sigma: 'softplus' as const, sigmaEpsilon: 1e-7 };
      const params = ref.mixtureParams(h, shape);
      const expectedNll = ref.mixtureNll(h, ys, shape).sampleNll;
      const pi = Array.from({ length: 37 }, (_, r) => Array.from(params.slice(r * 15, r * 15 + 5)));
      const mu = Array.from({ length: 37 }, (_, r) => Array.from(params.slice(r * 15 + 5, r * 15 + 10)));
      const sd = Array.from({ length: 37 }, (_, r) => Array.from(params.slice(r * 15 + 10, r * 15 + 15)));
      const expectedMean = pi.map((p, r) => p.reduce((s, w, k) => s + w * mu[r][k], 0));
      const expectedVariance = pi.map((p, r) => p.reduce((s, w, k) => s + w * (sd[r][k] ** 2 + (mu[r][k] - expectedMean[r]) ** 2), 0));
      // Save, load, and compare predictions exactly: the same weights through the same kernels.
      const saved = await model.save();
      const loaded = await loadMdn(saved, gpu);
      const again = await loaded.predict(xs);
      const resaved = await loaded.save();
      loaded.destroy();
      return {
        history: fit.history.map((h) => ({ step: h.step, loss: h.loss, validationLoss: h.validationLoss })),
        reports: [
          compareArrays('π', mixture.pi, pi.flat(), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('μ', mixture.mu, mu.flat(), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('σ', mixture.sigma, sd.flat(), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('log p(y|x)', logDensity, expectedNll.map((v) => -v), { atol: 1e-4, rtol: 1e-5 }),
          compareArrays('mean', mean, expectedMean, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('variance', variance, expectedVariance, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('loaded model predicts the same π', again.pi, mixture.pi, { atol: 0, rtol: 0 }),
          compareArrays('loaded model predicts the same σ', again.sigma, mixture.sigma, { atol: 0, rtol: 0 }),
          compareArrays('save(load(save(m))) == save(m)', resaved, saved, { atol: 0, rtol: 0 }),
        ],
      };
    } finally {
      model.destroy();
    }
  },

  async schedules(gpu: GpuContext) {
    const { x, y } = data(200);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [8], components: 3, gpu });
    try {
      // A learning rate too small to move the loss by minDelta: no evaluation after the first improves.
      const result = await model.fit(x, y, {
        steps: 5000,
        learningRate: 1e-9,
        evaluateEvery: 10,
        minDelta: 1e-3,
        earlyStopping: { patience: 4 },
        reduceLrOnPlateau: { patience: 2, factor: 0.5, minLearningRate: 1e-12 },
      });
      return { steps: result.steps, bestStep: result.bestStep, stoppedEarly: result.stoppedEarly, rates: result.history.map((h) => h.learningRate) };
    } finally {
      model.destroy();
    }
  },

  async restoresBestWeights(gpu: GpuContext) {
    const { x, y } = data(200);
    const random = new Random(4);
    // Validation targets unrelated to the inputs: fitting the training data soon makes validation worse.
    const validation = { x: x.slice(0, 100), y: Float32Array.from({ length: 100 }, () => random.normal() * 3) };
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 5, gpu });
    try {
      const result = await model.fit(x, y, { steps: 3000, learningRate: 0.02, evaluateEvery: 50, validationData: validation, earlyStopping: { patience: 3 } });
      const best = Math.min(...result.history.map((h) => h.validationLoss!));
      const now = -(await model.logProb(validation.x, validation.y)).reduce((a, b) => a + b, 0) / 100;
      return { stoppedEarly: result.stoppedEarly, bestStep: result.bestStep, steps: result.steps, best, now };
    } finally {
      model.destroy();
    }
  },

  async modelDistribution(gpu: GpuContext) {
    const { x, y } = data(400);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 6, sigma: 'softplus', seed: 1, gpu });
    try {
      await model.fit(x, y, { steps: 300, learningRate: 0.02 });
      const x0 = [0.3];
      const step = 0.004;
      const ys = Float32Array.from({ length: 4001 }, (_, i) => -8 + i * step);
      const p = await model.density(x0, ys);
      const integral = p.reduce((s, v, i) => s + v * (i === 0 || i === p.length - 1 ? 0.5 : 1), 0) * step;
      const logs = Array.from(p, (v) => (v > 0 ? Math.log(v) : 0));
      const entropyGrid = -p.reduce((s, v, i) => s + v * logs[i], 0) * step;
      const secondMoment = p.reduce((s, v, i) => s + v * logs[i] ** 2, 0) * step;
      const samples = 4000;
      const [entropyMc] = await model.entropy(x0, { samples, seed: 2 });
      const [median] = await model.quantile(x0, 0.5);
      const [atMedian] = await model.cdf(x0, [median]);
      const [mode] = await model.mode(x0);
      const [atMode] = await model.density(x0, [mode]);
      return {
        integral,
        entropyGrid,
        entropyMc,
        entropyBound: 5 * Math.sqrt((secondMoment - entropyGrid ** 2) / samples) + 1e-3,
        atMedian,
        atMode,
        gridMax: Math.max(...p),
        twoD: await failure(async () => {
          const m2 = await createMdn({ inputDim: 1, outputDim: 2, hidden: [4], gpu });
          try {
            await m2.density([0], [0]);
          } finally {
            m2.destroy();
          }
        }),
      };
    } finally {
      model.destroy();
    }
  },

  async minibatchFit(gpu: GpuContext) {
    const { x, y } = data(200);
    const run = async (seed: number) => {
      const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 4, seed: 3, gpu });
      try {
        const result = await model.fit(x, y, { batchSize: 32, epochs: 20, learningRate: 0.01, seed });
        return { result, weights: (await model.getWeights()).flatMap((w) => Array.from(w)) };
      } finally {
        model.destroy();
      }
    };
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    return {
      steps: a.result.steps,
      epochs: a.result.history.map((h) => h.epoch),
      first: a.result.history[0].loss,
      last: a.result.history[a.result.history.length - 1].loss,
      sameSeedSameWeights: a.weights.every((v, i) => Object.is(v, b.weights[i])),
      otherSeedDiffers: a.weights.some((v, i) => v !== c.weights[i]),
      badBatch: await failure(async () => {
        const m = await createMdn({ inputDim: 1, outputDim: 1, hidden: [4], gpu });
        try {
          await m.fit(x, y, { batchSize: 500 });
        } finally {
          m.destroy();
        }
      }),
    };
  },

  async sessionContinues(gpu: GpuContext) {
    const { x, y } = data(200);
    const make = () => createMdn({ inputDim: 1, outputDim: 1, hidden: [8], components: 3, seed: 4, gpu });
    const a = await make();
    const b = await make();
    try {
      await a.fit(x, y, { steps: 100, learningRate: 0.01, batchSize: 50, seed: 2 });
      const session = await b.trainingSession(x, y, { learningRate: 0.01, batchSize: 50, seed: 2 });
      const first = await session.run(50);
      const between = await b.predict([0.5]); // inference between runs must not disturb training
      const second = await session.run(50);
      session.destroy();
      const wa = (await a.getWeights()).flatMap((w) => Array.from(w));
      const wb = (await b.getWeights()).flatMap((w) => Array.from(w));
      return { steps: [first.step, second.step], identical: wa.every((v, i) => Object.is(v, wb[i])), piSum: between.pi.reduce((s, v) => s + v, 0) };
    } finally {
      a.destroy();
      b.destroy();
    }
  },

  async divergence(gpu: GpuContext) {
    const { x, y } = data(200);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [8], components: 3, sigma: 'exp', seed: 2, gpu });
    try {
      const before = (await model.getWeights()).flatMap((w) => Array.from(w));
      // A learning rate no MDN survives: exp σ overflows within a few steps.
      const error = await failure(() => model.fit(x, y, { steps: 200, learningRate: 1e4, evaluateEvery: 20 }));
      const after = (await model.getWeights()).flatMap((w) => Array.from(w));
      const mixture = await model.predict([0.5]);
      return { error, rolledBack: after.every((v, i) => Object.is(v, before[i])), predictsFinite: [...mixture.pi, ...mixture.mu, ...mixture.sigma].every(Number.isFinite) };
    } finally {
      model.destroy();
    }
  },

  // The model on a device of its own, which is destroyed at a seeded random moment during fit.
  async deviceLostAndRestored(gpu: GpuContext, { seed }: { seed: number }) {
    const { acquireGpu } = await import('../../../src/runtime/device.js');
    const { x, y } = data(400);
    const random = new Random(seed);
    const doomed = await acquireGpu();
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 4, seed: 1, gpu: doomed });
    try {
      // Destroyed at a seeded random evaluation (2 to 9, every 10 steps), just after that evaluation's mirror.
      const at = 2 + Math.floor(random.uniform() * 8);
      const error = await failure(() =>
        model.fit(x, y, {
          steps: 100_000,
          learningRate: 0.01,
          evaluateEvery: 10,
          onProgress: (p) => {
            if (p.step === at * 10) doomed.device.destroy();
          },
        }),
      );
      const mirrored = model.mirroredStep;
      const duringLoss = await failure(() => model.predict([0.5]));
      const step = await model.restore(gpu);
      const afterRestore = await model.predict([0.5]);
      const resumed = await model.fit(x, y, { steps: 200, learningRate: 0.01, evaluateEvery: 50 });
      return {
        at,
        error,
        duringLoss,
        mirrored,
        restoredStep: step,
        predictsFinite: [...afterRestore.pi, ...afterRestore.mu, ...afterRestore.sigma].every(Number.isFinite),
        resumedLosses: resumed.history.map((h) => h.loss),
      };
    } finally {
      model.destroy();
    }
  },

  async destroyInFlight(gpu: GpuContext) {
    const { x, y } = data(400);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 4, gpu });
    const fitting = failure(() => model.fit(x, y, { steps: 100_000, evaluateEvery: 20 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    model.destroy();
    const fitError = await fitting;
    const other = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 4, gpu });
    const predicting = failure(() => other.predict(Float32Array.from({ length: 100_000 }, (_, i) => i / 1e5)));
    await new Promise((resolve) => setTimeout(resolve, 20)); // 100,000 rows take longer than this here
    other.destroy();
    const predictError = await predicting;
    // The shared device is unharmed: a new model works.
    const third = await createMdn({ inputDim: 1, outputDim: 1, hidden: [4], gpu });
    const works = (await third.predict([0])).pi.length === 5;
    third.destroy();
    return { fitError, predictError, works };
  },

  async concurrentTraining(gpu: GpuContext) {
    const { x, y } = data(300);
    const make = (seed: number) => createMdn({ inputDim: 1, outputDim: 1, hidden: [12], components: 4, seed, gpu });
    const options = (seed: number) => ({ steps: 150, learningRate: 0.01, batchSize: 64, seed, evaluateEvery: 25 });
    const weights = async (m: Awaited<ReturnType<typeof make>>) => (await m.getWeights()).flatMap((w) => Array.from(w));
    // Each alone.
    const a = await make(1);
    await a.fit(x, y, options(1));
    const aloneA = await weights(a);
    a.destroy();
    const b = await make(2);
    await b.fit(x, y, options(2));
    const aloneB = await weights(b);
    b.destroy();
    // Both at once on the same device.
    const [c, d] = [await make(1), await make(2)];
    await Promise.all([c.fit(x, y, options(1)), d.fit(x, y, options(2))]);
    const together = { a: await weights(c), b: await weights(d) };
    c.destroy();
    d.destroy();
    return { sameA: together.a.every((v, i) => Object.is(v, aloneA[i])), sameB: together.b.every((v, i) => Object.is(v, aloneB[i])) };
  },

  async modelRefusals(gpu: GpuContext) {
    const model = await createMdn({ inputDim: 2, outputDim: 1, hidden: [4], components: 2, gpu });
    const results = {
      noComponents: await failure(() => createMdn({ inputDim: 1, outputDim: 1, components: 0, gpu })),
      raggedX: await failure(() => model.predict([1, 2, 3])),
      emptyX: await failure(() => model.predict([])),
      nanY: await failure(() => model.fit([1, 2, 3, 4], [0.5, Number.NaN])),
      rowMismatch: await failure(() => model.logProb([1, 2, 3, 4], [1, 2, 3])),
      badSplit: await failure(() => model.fit([1, 2, 3, 4], [1, 2], { validationSplit: 0.9 })),
      badFile: await failure(() => loadMdn(new Uint8Array([1, 2, 3]), gpu)),
      afterDestroy: null as { name: string; message: string } | null,
    };
    model.destroy();
    model.destroy();
    results.afterDestroy = await failure(() => model.predict([1, 2]));
    return results;
  },
};
