// A model that scales its inputs and targets (createMdn's `scale`) on the GPU, against the same weights without
// scaling and the float64 scalers applied on the CPU: every entry point takes and returns original units.
// Tolerances: the GPU applies each scaler in f32 (one multiply-add per value, ~1e-7 relative to the larger of
// the value, its shift and its scale), and its f32-scaled inputs differ from the CPU's by ~2e-7, which the
// network carries with gains of order 1: π to the predictor's own atol 1e-5 + rtol 1e-4; μ and samples to
// rtol 1e-6 + atol 1e-6 · (|shift| + scale); log-densities to atol 1e-4 (sums of f32 terms up to ~10).
import type { GpuContext } from '../../../src/runtime/device.js';
import { Mdn } from '../../../src/mdn/model.js';
import { createMdn, loadMdn } from '../../../src/mdn/createMdn.js';
import { exportWgsl, loadInferenceKernel } from '../../../src/inference.js';
import { applyScaler, invertScaler, logJacobianOf } from '../../../src/mdn/data/scaler.js';
import { mixtureMean } from '../../../src/mdn/mixture.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { compareArrays } from '../../support/compare.js';
import { failure } from '../failure.js';
import { encodeExportedStage, storage as storageOn } from '../ownDevice.js';

// Two inputs and two targets far from unit scale; the second target positive for the log case.
function data(rows: number) {
  const x = new Float64Array(rows * 2);
  const y = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    const t = -3 + (6 * r) / (rows - 1);
    x.set([1000 + 300 * t, -0.02 * t], r * 2);
    y.set([100 + 50 * Math.sin(2 * t) + 10 * Math.cos(7 * r), Math.exp(1 + 0.5 * t + 0.3 * Math.sin(5 * r))], r * 2);
  }
  return { x, y };
}

const originalTolerance = (shift: readonly number[], scale: readonly number[]) => ({ atol: 1e-6 * Math.max(...shift.map((s, i) => Math.abs(s) + scale[i])), rtol: 1e-6 });

async function scaledAndPlain(gpu: GpuContext, logY: boolean) {
  const { x, y } = data(120);
  const scaled = await createMdn({ inputDim: 2, outputDim: 2, hidden: [10], components: 3, seed: 4, scale: { x: 'zscore', y: logY ? 'minmax' : 'zscore', logY }, gpu });
  const fit = await scaled.fit(x, y, { steps: 40, learningRate: 0.01, validationSplit: 0.25 });
  const plain = await Mdn.fromWeights(scaled.architecture, await scaled.getWeights(), gpu);
  return { x, y, scaled, plain, fit };
}

export const scalingCases = {
  async scaledModelInOriginalUnits(gpu: GpuContext, args: { logY: boolean }) {
    const { x, y, scaled, plain, fit } = await scaledAndPlain(gpu, args.logY);
    try {
      const s = scaled.scaling!;
      const rows = 30;
      const xs = x.subarray(0, rows * 2);
      const ys = y.subarray(0, rows * 2);
      const sx = applyScaler(s.x, xs);
      const sy = applyScaler(s.y, ys);
      const [mixture, plainMixture] = [await scaled.predict(xs), await plain.predict(sx)];
      const logDensity = await scaled.logProb(xs, ys);
      const plainLogDensity = await plain.logProb(sx, sy);
      const jacobian = logJacobianOf(s.y, ys);
      const draws = await scaled.sample(xs, 4, { seed: 11 });
      const plainDraws = await plain.sample(sx, 4, { seed: 11 });
      const transformedShift = s.y.shift;
      const tol = originalTolerance(transformedShift, s.y.scale);
      const K = 3;
      const muExpected = Array.from(plainMixture.mu, (v, i) => v * s.y.scale[i % 2] + s.y.shift[i % 2]);
      const sigmaExpected = Array.from(plainMixture.sigma, (v, i) => v * s.y.scale[i % 2]);
      // Validation rows (the last quarter) were scored in original units: their mean NLL from logProb.
      const heldLogDensity = await scaled.logProb(x.subarray(90 * 2), y.subarray(90 * 2));
      const heldNll = -heldLogDensity.reduce((a, b) => a + b, 0) / heldLogDensity.length;
      // The scalers were fitted on the training rows only (the first 90).
      const trainY = y.subarray(0, 90 * 2);
      const firstColumn = Array.from({ length: 90 }, (_, r) => (args.logY ? Math.log(trainY[r * 2]) : trainY[r * 2]));
      return {
        logNormal: mixture.logNormal ?? false,
        shapes: { logProb: logDensity.shape, sample: draws.shape },
        validationLoss: fit.validationLoss,
        heldNll,
        fittedOnTraining: args.logY ? Math.min(...firstColumn) : firstColumn.reduce((a, b) => a + b, 0) / 90,
        shift0: s.y.shift[0],
        reports: [
          compareArrays('π', mixture.pi, plainMixture.pi, { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('μ', mixture.mu, muExpected, tol),
          compareArrays('σ', mixture.sigma, sigmaExpected, { atol: 1e-6 * Math.max(...s.y.scale), rtol: 1e-6 }),
          // Sums of a few terms of size up to ~10, each with an f32 rounding: atol 1e-4.
          compareArrays('log p(y | x) in original units', logDensity, Array.from(plainLogDensity, (v, i) => v + jacobian[i]), { atol: 1e-4, rtol: 1e-5 }),
          compareArrays('samples', draws, invertScaler(s.y, plainDraws), args.logY ? { atol: 1e-6, rtol: 1e-5 } : tol),
        ],
        components: K,
      };
    } finally {
      scaled.destroy();
      plain.destroy();
    }
  },

  async scaledModelEverywhere(gpu: GpuContext) {
    const { x, y, scaled, plain } = await scaledAndPlain(gpu, false);
    plain.destroy();
    try {
      const rows = 25;
      const xs = Float32Array.from(x.subarray(0, rows * 2));
      const ys = Float32Array.from(y.subarray(0, rows * 2));
      const bytes = await scaled.save();
      const loaded = await loadMdn(bytes, gpu);
      const [a, b] = [await scaled.predict(xs), await loaded.predict(xs)];
      loaded.destroy();
      const kernel = await loadInferenceKernel(gpu.device, bytes, { maxRows: 16 });
      const viaKernel = await kernel.run(xs);
      const library = await (async () => {
        const m = await scaled.predict(xs);
        const width = 3 * 5;
        const out = new Float32Array(rows * width);
        for (let r = 0; r < rows; r++) {
          out.set(m.pi.subarray(r * 3, r * 3 + 3), r * width);
          out.set(m.mu.subarray(r * 6, r * 6 + 6), r * width + 3);
          out.set(m.sigma.subarray(r * 6, r * 6 + 6), r * width + 9);
        }
        return out;
      })();
      const kernelLogProb = await kernel.logProb(xs, ys);
      const libraryLogProb = await scaled.logProb(xs, ys);
      const kernelDraws = await kernel.sample(xs, 3, { seed: 2 });
      const libraryDraws = await scaled.sample(xs, 3, { seed: 2 });
      // exportWgsl's stages run by hand, as another program would: scaling first and last, in place.
      const stages = exportWgsl(bytes);
      const { blocks } = decodeModel(bytes);
      const device = gpu.device;
      const storage = (values: Float32Array | number) => storageOn(device, values);
      let current = storage(xs);
      const made: GPUBuffer[] = [current];
      const encoder = device.createCommandEncoder();
      const widths = [10, 15];
      let layer = 0;
      for (const stage of stages) {
        let resources: Record<string, GPUBuffer>;
        if (stage.columns) resources = { values: current, columns: storage(stage.columns) };
        else if (stage.label === 'mixture parameters') {
          const out = storage(rows * 15);
          resources = { head: current, params: out };
          current = out;
        } else {
          const out = storage(rows * widths[layer]);
          resources = { input: current, weights: storage(blocks[layer]), output: out };
          layer++;
          current = out;
        }
        made.push(...Object.values(resources), encodeExportedStage(device, encoder, stage, rows, resources));
      }
      const staging = device.createBuffer({ size: rows * 15 * 4, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
      encoder.copyBufferToBuffer(current, 0, staging, 0, rows * 15 * 4);
      device.queue.submit([encoder.finish()]);
      await staging.mapAsync(GPUMapMode.READ);
      const byHand = new Float32Array(staging.getMappedRange().slice(0));
      staging.destroy();
      for (const b of made) b.destroy();
      kernel.destroy();
      const same = (p: ArrayLike<number>, q: ArrayLike<number>) => p.length === q.length && Array.from(p).every((v, i) => Object.is(v, q[i]));
      return {
        loadedSame: same(a.mu, b.mu) && same(a.sigma, b.sigma),
        kernelSame: same(viaKernel, library),
        kernelShape: viaKernel.shape,
        logProbSame: same(kernelLogProb, libraryLogProb),
        samplesSame: same(kernelDraws, libraryDraws),
        stages: stages.map((s) => s.label),
        exportedSame: same(byHand, viaKernel),
      };
    } finally {
      scaled.destroy();
    }
  },

  async commandLineFileOfRelease010(gpu: GpuContext) {
    const bytes = new Uint8Array(await (await fetch('/test/fixtures/cli-0.1.0.mixden')).arrayBuffer());
    const expected: { mean_y: number; sd_y: number }[] = await (await fetch('/test/fixtures/cli-0.1.0-predict.json')).json();
    const x = [[-2], [-0.5], [0], [0.7], [2.5]];
    const model = await loadMdn(bytes, gpu);
    const mean = await model.mean(x);
    const sd = (await model.variance(x)).map(Math.sqrt);
    model.destroy();
    const kernel = await loadInferenceKernel(gpu.device, bytes);
    const params = await kernel.run(x);
    kernel.destroy();
    const K = 3;
    const kernelMean = mixtureMean({ rows: 5, components: K, dims: 1, pi: Float32Array.from({ length: 5 * K }, (_, i) => params[Math.floor(i / K) * 3 * K + (i % K)]), mu: Float32Array.from({ length: 5 * K }, (_, i) => params[Math.floor(i / K) * 3 * K + K + (i % K)]), sigma: new Float32Array(5 * K) });
    // The command line computed these in float64 from scaled f32 predictions; the GPU now unscales in f32.
    const tol = { atol: 1e-5, rtol: 1e-5 };
    return {
      reports: [
        compareArrays('loadMdn mean', mean, expected.map((e) => e.mean_y), tol),
        compareArrays('loadMdn sd', sd, expected.map((e) => e.sd_y), tol),
        compareArrays('mixden/inference mean', kernelMean, expected.map((e) => e.mean_y), tol),
      ],
    };
  },

  async planSurvivesSave(gpu: GpuContext) {
    const { x, y } = data(40);
    const fresh = await createMdn({ inputDim: 2, outputDim: 2, hidden: [4], components: 2, scale: 'zscore', gpu });
    const loaded = await loadMdn(await fresh.save(), gpu);
    fresh.destroy();
    try {
      const before = loaded.scaling;
      await loaded.fit(x, y, { steps: 3 });
      const meanY0 = Array.from({ length: 40 }, (_, r) => y[r * 2]).reduce((a, b) => a + b, 0) / 40;
      return { before: before === undefined, shift0: loaded.scaling?.y.shift[0], meanY0 };
    } finally {
      loaded.destroy();
    }
  },

  async apiEdgeErrors(gpu: GpuContext) {
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: 6, components: 2, gpu });
    const x = [0, 0.5, 1, 1.5];
    const y = [1, 2, 3, 4];
    try {
      return {
        hiddenNumber: model.architecture.hidden,
        unknownFitKey: await failure(() => model.fit(x, y, { lr: 0.01 } as never)),
        unknownCreateKey: await failure(() => createMdn({ inputDim: 1, outputDim: 1, hiden: [3], gpu } as never)),
        nestedRagged: await failure(() => model.predict([[0], [0.1, 2]])),
        validationNaN: await failure(() => model.fit(x, y, { steps: 2, validationData: { x: [0, NaN], y: [1, 2] } })),
        validationShape: await failure(() => model.fit(x, y, { steps: 2, validationData: { x: [0, 1, 2], y: [1, 2] } })),
        badSeed: await failure(() => model.sample(x, 2, { seed: -1 })),
        badSampleKey: await failure(() => model.sample(x, 2, { temprature: 0.5 } as never)),
        path: await failure(() => loadMdn('model.mixden' as never, gpu)),
        hugeEpsilon: await failure(() => createMdn({ inputDim: 1, outputDim: 1, sigma: 'elu1', sigmaEpsilon: 1e300, gpu })),
        createSeed: await failure(() => createMdn({ inputDim: 1, outputDim: 1, seed: NaN, gpu })),
        freshDraws: Array.from(await model.sample([0], 3)).join() !== Array.from(await model.sample([0], 3)).join(),
        seededDraws: Array.from(await model.sample([0], 3, { seed: 5 })).join() === Array.from(await model.sample([0], 3, { seed: 5 })).join(),
      };
    } finally {
      model.destroy();
    }
  },
};
