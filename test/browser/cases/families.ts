// Mixture families other than the default Gaussian through every entry point: training steps against the
// float64 reference (stepsAgainstReference, cases/training.ts), then createMdn/fit, predict and logProb against
// the reference of the trained weights (the predictor's tolerances, cases/model.ts), save/load, and the
// inference kernel on a device of its own (bit-identical).
import type { GpuContext } from '../../../src/runtime/device.js';
import { networkLayers } from '../../../src/mdn/architecture.js';
import { createMdn } from '../../../src/mdn/createMdn.js';
import * as ref from '../../../src/mdn/reference/mixture.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { heavyTailed } from '../../../src/mdn/datasets.js';
import { compareArrays } from '../../support/compare.js';
import { same, throughEveryLoader } from '../ownDevice.js';
import { SMALL_ARCHITECTURE, stepsAgainstReference } from './training.js';

type Family = 'laplace' | 'student-t';
// Student-t components with ν = 3: heavy tails, finite variance.
const familyOptions = (family: Family) => (family === 'student-t' ? { family, degreesOfFreedom: 3 } : { family });

export const familyCases = {
  familyTrainingSteps: (gpu: GpuContext, { family, steps, rows }: { family: Family; steps: number; rows: number }) =>
    stepsAgainstReference(gpu, { ...SMALL_ARCHITECTURE, ...familyOptions(family) }, steps, rows, rows + 1, family),

  async familyModelEndToEnd(gpu: GpuContext, { family }: { family: Family }) {
    const d = heavyTailed(400, 3);
    const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 3, ...familyOptions(family), scale: 'zscore', seed: 2, gpu });
    try {
      const fit = await model.fit(d.x, d.y, { steps: 200, learningRate: 0.02, evaluateEvery: 100 });
      const rows = 37;
      const xs = Float32Array.from({ length: rows }, (_, i) => -4 + i / 4.5);
      const ys = Float32Array.from({ length: rows }, (_, i) => Math.sin(i));
      const mixture = await model.predict(xs);
      const logDensity = await model.logProb(xs, ys);
      const calibration = await model.calibration(xs, ys, { levels: [0.9], bins: 4 });
      // The reference from the same weights, scaling applied on the CPU as the GPU applies it.
      const { x: sx, y: sy } = model.scaling!;
      const weights = (await model.getWeights()).map((w) => Float64Array.from(w));
      let h: ArrayLike<number> = Float64Array.from(xs, (v) => (v - sx.shift[0]) / sx.scale[0]);
      for (const l of networkLayers(model.architecture)) h = l.kind.reference.forward(l, weights[l.index], h, rows);
      const shape = { batch: rows, components: 3, dims: 1, sigma: 'softplus' as const, sigmaEpsilon: 1e-7, ...familyOptions(family) };
      const params = ref.mixtureParams(h, shape);
      const scaledY = Float64Array.from(ys, (v) => (v - sy.shift[0]) / sy.scale[0]);
      const expectedLog = ref.mixtureNll(h, scaledY, shape).sampleNll.map((v) => -v - Math.log(sy.scale[0]));
      const pick = (from: number, scale: number, shift: number) => Array.from({ length: rows }, (_, r) => Array.from(params.slice(r * 9 + from, r * 9 + from + 3), (v) => v * scale + shift)).flat();
      const loaders = await throughEveryLoader(model, gpu, xs, ys);
      return {
        losses: fit.history.map((p) => p.loss),
        family: decodeModel(loaders.saved).architecture.family,
        mixtureFamily: mixture.family,
        validation: loaders.validation,
        loadedSame: same(loaders.loadedLogProb, logDensity),
        kernelSame: same(loaders.kernelLogProb, logDensity),
        calibration: { pitRows: calibration.pit.reduce((a, b) => a + b, 0), bins: calibration.pit.length, levels: calibration.coverage.map((c) => c.level), crps: calibration.crps },
        reports: [
          compareArrays(`${family} π`, mixture.pi, pick(0, 1, 0), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays(`${family} μ`, mixture.mu, pick(3, sy.scale[0], sy.shift[0]), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays(`${family} scale`, mixture.sigma, pick(6, sy.scale[0], 0), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays(`${family} log p(y|x)`, logDensity, expectedLog, { atol: 1e-4, rtol: 1e-5 }),
        ],
      };
    } finally {
      model.destroy();
    }
  },
};
