// A model with layerNorm layers through every entry point, with no layer-specific code outside its layer module:
// training steps against the float64 reference (stepsAgainstReference, cases/training.ts), then createMdn/fit,
// predict, logProb and sample against the reference of the trained weights (the predictor's tolerances,
// cases/model.ts), save/load, the inference kernel on a device of its own, and exportWgsl's kernels run by hand
// (bit-identical to the inference kernel).
import type { GpuContext } from '../../../src/runtime/device.js';
import { type MdnArchitecture, networkLayers, withLayers } from '../../../src/mdn/architecture.js';
import type { LayerSpec } from '../../../src/mdn/layers/index.js';
import { createMdn, loadMdn } from '../../../src/mdn/createMdn.js';
import * as ref from '../../../src/mdn/reference/mixture.js';
import { exportWgsl, loadInferenceKernel } from '../../../src/inference.js';
import { decodeModel } from '../../../src/mdn/serialization.js';
import { inverseSine, standardize } from '../../../src/mdn/datasets.js';
import { compareArrays } from '../../support/compare.js';
import { encodeExportedModel, onOwnDevice, read, same } from '../ownDevice.js';
import { stepsAgainstReference } from './training.js';

const TRUNK: LayerSpec[] = [
  { kind: 'dense', units: 7, activation: 'tanh' },
  { kind: 'layerNorm' },
  { kind: 'dense', units: 5, activation: 'elu' },
  { kind: 'layerNorm', epsilon: 1e-3 },
];

// The reference forward pass of a network from its weights: the raw head of each row.
function referenceHead(arch: MdnArchitecture, weights: readonly ArrayLike<number>[], x: ArrayLike<number>, rows: number): Float64Array {
  let h: ArrayLike<number> = x;
  for (const l of networkLayers(arch)) h = l.kind.reference.forward(l, weights[l.index], h, rows);
  return h as Float64Array;
}

export const layerNormModelCases = {
  layerNormTrainingSteps: (gpu: GpuContext, { steps, rows }: { steps: number; rows: number }) =>
    stepsAgainstReference(gpu, withLayers({ inputDim: 3, outputDim: 2, components: 3, sigma: 'softplus', sigmaEpsilon: 1e-7 }, TRUNK), steps, rows, rows, 'layerNorm trunk'),

  async layerNormModelEndToEnd(gpu: GpuContext) {
    const d = inverseSine(300, 3);
    const x = Float32Array.from(standardize(d.x, 300, 1).values);
    const y = Float32Array.from(standardize(d.y, 300, 1).values);
    const layers: LayerSpec[] = [{ kind: 'dense', units: 16, activation: 'tanh' }, { kind: 'layerNorm' }, { kind: 'dense', units: 12, activation: 'tanh' }];
    const model = await createMdn({ inputDim: 1, outputDim: 1, layers, components: 3, sigma: 'softplus', seed: 2, gpu });
    try {
      const fit = await model.fit(x, y, { steps: 200, learningRate: 0.02, evaluateEvery: 100 });
      const rows = 37;
      const xs = Float32Array.from({ length: rows }, (_, i) => -2 + i / 9);
      const ys = Float32Array.from({ length: rows }, (_, i) => Math.sin(i));
      const mixture = await model.predict(xs);
      const logDensity = await model.logProb(xs, ys);
      const drawn = [await model.sample(xs, 4, { seed: 5 }), await model.sample(xs, 4, { seed: 5 })];
      const weights = (await model.getWeights()).map((w) => Float64Array.from(w));
      const head = referenceHead(model.architecture, weights, xs, rows);
      const shape = { batch: rows, components: 3, dims: 1, sigma: 'softplus' as const, sigmaEpsilon: 1e-7 };
      const params = ref.mixtureParams(head, shape);
      const pick = (from: number) => Array.from({ length: rows }, (_, r) => Array.from(params.slice(r * 9 + from, r * 9 + from + 3))).flat();
      const saved = await model.save();
      const loaded = await loadMdn(saved, gpu);
      const again = await loaded.predict(xs);
      loaded.destroy();
      const embedded = await onOwnDevice(async (device) => {
        const kernel = await loadInferenceKernel(device, saved);
        const viaKernel = await kernel.run(xs);
        // exportWgsl's kernels run by hand, as another program would.
        const { blocks, architecture } = decodeModel(saved);
        const stages = exportWgsl(saved);
        const encoder = device.createCommandEncoder();
        const mixtureRows = encodeExportedModel(device, encoder, stages, blocks, networkLayers(architecture).map((l) => l.outputs), xs, rows, 9);
        device.queue.submit([encoder.finish()]);
        const byHand = await read(device, mixtureRows, rows * 9);
        kernel.destroy();
        return { viaKernel: Array.from(viaKernel), exportedIdentical: same(byHand, viaKernel), labels: stages.map((s) => s.label) };
      });
      const flat = Array.from({ length: rows }, (_, r) => [...mixture.pi.slice(r * 3, r * 3 + 3), ...mixture.mu.slice(r * 3, r * 3 + 3), ...mixture.sigma.slice(r * 3, r * 3 + 3)]).flat();
      return {
        losses: fit.history.map((h) => h.loss),
        layers: model.architecture.layers,
        labels: embedded.labels,
        validation: embedded.validation,
        exportedIdentical: embedded.exportedIdentical,
        samplesFinite: drawn[0].length === rows * 4 && Array.from(drawn[0]).every(Number.isFinite),
        samplesRepeat: same(drawn[0], drawn[1]),
        reports: [
          compareArrays('π', mixture.pi, pick(0), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('μ', mixture.mu, pick(3), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('σ', mixture.sigma, pick(6), { atol: 1e-5, rtol: 1e-4 }),
          compareArrays('log p(y|x)', logDensity, ref.mixtureNll(head, ys, shape).sampleNll.map((v) => -v), { atol: 1e-4, rtol: 1e-5 }),
          compareArrays('loaded model predicts the same π', again.pi, mixture.pi, { atol: 0, rtol: 0 }),
          compareArrays('loaded model predicts the same μ', again.mu, mixture.mu, { atol: 0, rtol: 0 }),
          compareArrays('the inference kernel predicts what the model does', embedded.viaKernel, flat, { atol: 0, rtol: 0 }),
        ],
      };
    } finally {
      model.destroy();
    }
  },
};
