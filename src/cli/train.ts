// `mixden train`: fits an MDN to columns of a CSV file on the GPU and reports NLLs in the original units.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { nodeGpu } from '../host/node.js';
import { createMdn } from '../mdn/model.js';
import { applyScaler, fitScaler, logJacobianOf, type ScalerKind } from '../mdn/data/scaler.js';
import { splitIndices, takeRows } from '../mdn/data/split.js';
import { MixdenError } from '../runtime/errors.js';
import { ACTIVATIONS, type Activation } from '../shaders/activation.wgsl.js';
import { SIGMA_ACTIVATIONS, type SigmaActivation } from '../shaders/sigma.wgsl.js';
import { columnList, readColumns, type ModelData } from './modelData.js';
import { progressReporter } from './progress.js';

export const TRAIN_USAGE = `train --data file.csv --x colA,colB --y colC [--test test.csv | --test-fraction 0.2]
        [--hidden 32,32] [--activation tanh] [--components 5] [--sigma softplus] [--steps 3000 | --epochs N]
        [--batch full|N] [--lr 0.001] [--seed 1] [--scale zscore|minmax|none] [--y-log] [--out model.mixden] [--json]`;

function choice<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new MixdenError(`--${flag} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new MixdenError(`--${flag} must be a positive integer, got '${value}'`);
  return n;
}

export async function train(argv: string[]): Promise<void> {
  const { values: o } = parseArgs({
    args: argv,
    options: {
      data: { type: 'string' },
      x: { type: 'string' },
      y: { type: 'string' },
      test: { type: 'string' },
      'test-fraction': { type: 'string' },
      hidden: { type: 'string', default: '32,32' },
      activation: { type: 'string', default: 'tanh' },
      components: { type: 'string', default: '5' },
      sigma: { type: 'string', default: 'softplus' },
      steps: { type: 'string' },
      epochs: { type: 'string' },
      batch: { type: 'string', default: 'full' },
      lr: { type: 'string', default: '0.001' },
      seed: { type: 'string', default: '1' },
      scale: { type: 'string', default: 'zscore' },
      'y-log': { type: 'boolean', default: false },
      out: { type: 'string', default: 'model.mixden' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!o.data) throw new MixdenError('--data is required: the CSV file to train on');
  const xColumns = columnList('x', o.x);
  const yColumns = columnList('y', o.y);
  if (o.test && o['test-fraction']) throw new MixdenError('give --test or --test-fraction, not both');
  if (o.steps && o.epochs) throw new MixdenError('give --steps or --epochs, not both');
  const hidden = o.hidden.split(',').map((h) => positiveInteger('hidden', h));
  const activation = choice<Activation>('activation', o.activation, ACTIVATIONS);
  const sigma = choice<SigmaActivation>('sigma', o.sigma, SIGMA_ACTIVATIONS);
  const scale = choice<ScalerKind>('scale', o.scale, ['zscore', 'minmax', 'none']);
  const components = positiveInteger('components', o.components);
  const seed = Number(o.seed);
  const learningRate = Number(o.lr);
  if (!(learningRate > 0)) throw new MixdenError(`--lr must be a positive number, got '${o.lr}'`);

  const all = { x: readColumns(o.data, xColumns).values, y: readColumns(o.data, yColumns).values };
  const rows = all.x.length / xColumns.length;
  let trainSet: { x: Float64Array; y: Float64Array };
  let testSet: { x: Float64Array; y: Float64Array };
  if (o.test) {
    trainSet = all;
    testSet = { x: readColumns(o.test, xColumns).values, y: readColumns(o.test, yColumns).values };
  } else {
    const { train: trainRows, test: testRows } = splitIndices(rows, Number(o['test-fraction'] ?? 0.2), seed);
    trainSet = { x: takeRows(all.x, xColumns.length, trainRows), y: takeRows(all.y, yColumns.length, trainRows) };
    testSet = { x: takeRows(all.x, xColumns.length, testRows), y: takeRows(all.y, yColumns.length, testRows) };
  }
  const xScaler = fitScaler(trainSet.x, xColumns.length, scale);
  const yScaler = fitScaler(trainSet.y, yColumns.length, scale, { log: o['y-log'] });
  const trainRows = trainSet.x.length / xColumns.length;
  const batchSize = o.batch === 'full' ? 'full' : positiveInteger('batch', o.batch);

  const log = o.json ? () => {} : (line: string) => console.log(line);
  const gpu = await nodeGpu();
  try {
    log(`mixden: WebGPU adapter ${gpu.adapterDescription}${gpu.isSoftwareAdapter ? ' (software: no GPU found, running on the CPU through SwiftShader)' : ''}`);
    log(`training on ${trainRows} rows of ${o.data}, testing on ${testSet.x.length / xColumns.length}: x = ${xColumns.join(', ')}; y = ${yColumns.join(', ')}`);
    const model = await createMdn({ inputDim: xColumns.length, outputDim: yColumns.length, hidden, activation, components, sigma, seed, gpu });
    const progress = progressReporter();
    const stepsPerEpoch = batchSize === 'full' ? 1 : Math.floor(trainRows / batchSize);
    const total = o.epochs ? positiveInteger('epochs', o.epochs) * stepsPerEpoch : o.steps ? positiveInteger('steps', o.steps) : 3000;
    const started = performance.now();
    const result = await model.fit(applyScaler(xScaler, trainSet.x), applyScaler(yScaler, trainSet.y), {
      steps: total,
      batchSize,
      learningRate,
      seed,
      evaluateEvery: Math.max(1, Math.min(100, Math.ceil(total / 50))),
      onProgress: (p) => progress.update(p.step, total, `loss ${p.loss.toFixed(4)} (scaled units)`),
    });
    progress.done();
    const seconds = (performance.now() - started) / 1000;
    // NLL per row in original units: the scaled targets' NLL minus the change of variables' log-Jacobian.
    const nll = async (set: { x: Float64Array; y: Float64Array }) => {
      const logDensity = await model.logProb(applyScaler(xScaler, set.x), applyScaler(yScaler, set.y));
      const jacobian = logJacobianOf(yScaler, set.y);
      return -logDensity.reduce((s, v, i) => s + v + jacobian[i], 0) / logDensity.length;
    };
    const summary = { trainNll: await nll(trainSet), testNll: await nll(testSet), steps: result.steps, seconds, device: gpu.adapterDescription, out: o.out };
    const metadata: ModelData = { xColumns, yColumns, xScaler, yScaler };
    model.metadata = metadata;
    writeFileSync(o.out, await model.save());
    model.destroy();
    if (o.json) console.log(JSON.stringify(summary));
    else {
      log(`train NLL ${summary.trainNll.toFixed(4)}, test NLL ${summary.testNll.toFixed(4)} nats per row (original units of y)`);
      log(`${summary.steps} steps in ${seconds.toFixed(1)} s; model saved to ${o.out}`);
    }
  } finally {
    gpu.destroy();
  }
}
