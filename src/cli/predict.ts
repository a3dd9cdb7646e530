// `mixden predict`: the predictive mean and standard deviation (and optional samples) of each row of a CSV,
// in the original units, from a model saved by `mixden train`.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { nodeGpu } from '../host/node.js';
import { loadMdn } from '../mdn/model.js';
import { applyScaler, invertScaler } from '../mdn/data/scaler.js';
import { MixdenError } from '../runtime/errors.js';
import { modelDataOf, readColumns } from './modelData.js';

export const PREDICT_USAGE = 'predict --model model.mixden --data x.csv [--samples N] [--seed 0] [--json]';

export async function predict(argv: string[]): Promise<void> {
  const { values: o } = parseArgs({
    args: argv,
    options: { model: { type: 'string' }, data: { type: 'string' }, samples: { type: 'string', default: '0' }, seed: { type: 'string', default: '0' }, json: { type: 'boolean', default: false } },
  });
  if (!o.model || !o.data) throw new MixdenError('--model and --data are required');
  const samples = Number(o.samples);
  if (!Number.isInteger(samples) || samples < 0) throw new MixdenError(`--samples must be an integer >= 0, got '${o.samples}'`);
  const gpu = await nodeGpu();
  try {
    const model = await loadMdn(readFileSync(o.model), gpu);
    const { inputDim, outputDim } = model.architecture;
    const meta = modelDataOf(model.metadata, inputDim, outputDim);
    const [columns] = await readColumns(o.data, meta.xColumns);
    const x = applyScaler(meta.xScaler, columns);
    const rows = x.length / inputDim;
    // Mean and sd in original units: exact through a linear scaler; through a log transform, from 1000 draws.
    const draws = samples > 0 || meta.yScaler.log ? Math.max(samples, meta.yScaler.log ? 1000 : 0) : 0;
    const drawn = draws > 0 ? invertScaler(meta.yScaler, await model.sample(x, draws, { seed: Number(o.seed) })) : undefined;
    let mean: Float64Array;
    let sd: Float64Array;
    if (meta.yScaler.log) {
      mean = new Float64Array(rows * outputDim);
      sd = new Float64Array(rows * outputDim);
      for (let r = 0; r < rows; r++) {
        for (let d = 0; d < outputDim; d++) {
          let sum = 0;
          let squares = 0;
          for (let j = 0; j < draws; j++) {
            const v = drawn![(r * draws + j) * outputDim + d];
            sum += v;
            squares += v * v;
          }
          mean[r * outputDim + d] = sum / draws;
          sd[r * outputDim + d] = Math.sqrt(Math.max(0, squares / draws - (sum / draws) ** 2));
        }
      }
    } else {
      mean = invertScaler(meta.yScaler, await model.mean(x));
      const variance = await model.variance(x);
      sd = variance.map((v, i) => Math.sqrt(v) * meta.yScaler.scale[i % outputDim]);
    }
    const records = Array.from({ length: rows }, (_, r) => {
      const record: Record<string, number | number[]> = {};
      meta.yColumns.forEach((name, d) => {
        record[`mean_${name}`] = mean[r * outputDim + d];
        record[`sd_${name}`] = sd[r * outputDim + d];
        if (samples > 0) record[`samples_${name}`] = Array.from({ length: samples }, (_, j) => drawn![(r * draws + j) * outputDim + d]);
      });
      return record;
    });
    if (o.json) console.log(JSON.stringify(records));
    else {
      const header = meta.yColumns.flatMap((n) => [`mean_${n}`, `sd_${n}`, ...(samples > 0 ? Array.from({ length: samples }, (_, j) => `sample${j + 1}_${n}`) : [])]);
      console.log(header.join(','));
      for (const rec of records) console.log(meta.yColumns.flatMap((n) => [rec[`mean_${n}`], rec[`sd_${n}`], ...((rec[`samples_${n}`] as number[]) ?? [])]).join(','));
    }
    model.destroy();
  } finally {
    gpu.destroy();
  }
}
