// The project's main job: the inverse-sine problem trained on the GPU with the classic settings (1000 points, one
// hidden layer of 24 sigmoid units, 24 components, exp σ, Adam at lr 0.01, full batch, standardised data).
import type { GpuContext } from '../runtime/device.js';
import type { MdnArchitecture } from './architecture.js';
import { inverseSine, logJacobian, standardize } from './datasets.js';
import { type LossRecord, MdnTrainer } from './trainer.js';

export const INVERSE_SINE_ARCHITECTURE: MdnArchitecture = {
  inputDim: 1,
  outputDim: 1,
  hidden: [24],
  activation: 'sigmoid',
  components: 24,
  sigma: 'exp',
  sigmaEpsilon: 1e-7,
};

export interface InverseSineOptions {
  readonly steps?: number;
  readonly rows?: number;
  readonly components?: number;
  readonly seed?: number;
  readonly learningRate?: number;
  /** Read the loss back every this many steps (default 100). */
  readonly lossEvery?: number;
  readonly onProgress?: (record: LossRecord & { nll: number }) => void;
}

export interface InverseSineResult {
  /** Mean NLL per sample at the last step, in the original units of y (nats). */
  readonly nll: number;
  readonly steps: number;
  readonly seconds: number;
  readonly dispatchesPerStep: number;
  readonly history: readonly { step: number; nll: number }[];
}

/**
 * Trains the inverse-sine MDN on `gpu` and reports the NLL in original units.
 * @example
 * const result = await trainInverseSine(gpu, { steps: 3000 });
 */
export async function trainInverseSine(gpu: GpuContext, options: InverseSineOptions = {}): Promise<InverseSineResult> {
  const rows = options.rows ?? 1000;
  const steps = options.steps ?? 3000;
  const data = inverseSine(rows, options.seed ?? 0);
  const x = standardize(data.x, rows, 1);
  const y = standardize(data.y, rows, 1);
  const shift = logJacobian(y.std);
  const arch = { ...INVERSE_SINE_ARCHITECTURE, components: options.components ?? INVERSE_SINE_ARCHITECTURE.components };
  const trainer = await MdnTrainer.create(gpu, arch, {
    rows,
    seed: options.seed ?? 0,
    optimizer: { kind: 'adam', learningRate: options.learningRate ?? 0.01 },
  });
  try {
    trainer.setData(x.values, y.values);
    const history: { step: number; nll: number }[] = [];
    const started = performance.now();
    const lossEvery = options.lossEvery ?? 100;
    // Train in blocks so progress arrives while training runs; each block reads back one loss.
    for (let done = 0; done < steps; done += lossEvery) {
      const block = Math.min(lossEvery, steps - done);
      const [record] = (await trainer.train(block, { lossEvery: block })).slice(-1);
      const entry = { ...record, nll: record.loss + shift };
      history.push({ step: entry.step, nll: entry.nll });
      options.onProgress?.(entry);
    }
    const seconds = (performance.now() - started) / 1000;
    // The recorded loss is from the last step's forward pass; evaluate once more after its update.
    await trainer.train(1, { lossEvery: 1 }).then(([r]) => history.push({ step: r.step, nll: r.loss + shift }));
    return { nll: history[history.length - 1].nll, steps, seconds, dispatchesPerStep: trainer.dispatchesPerStep, history };
  } finally {
    trainer.destroy();
  }
}
