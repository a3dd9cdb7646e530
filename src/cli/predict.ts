// `mixden predict`: per row of a CSV, the x columns it read, then what was asked of p(y | x) in original units:
// mean and standard deviation (always), quantiles, the mode, samples, or the whole mixture.
import { readFileSync } from 'node:fs';
import { nodeGpu } from '../host/node.js';
import { loadMdn } from '../mdn/createMdn.js';
import { mixtureMean, mixtureVariance } from '../mdn/mixture.js';
import { mixtureMode, mixtureQuantile } from '../mdn/distribution.js';
import { MixdenError } from '../runtime/errors.js';
import { integerOption, parseCommandArgs, seedOption } from './args.js';
import { modelDataOf, printableColumn, readColumns } from './modelData.js';

export const PREDICT_USAGE = `predict --model model.mixden --data x.csv [--quantiles 0.05,0.5,0.95] [--mode] [--samples N] [--seed S]
        [--mixture] [--json]
    Prints the x columns of each row, the mean and sd of each y, and what is asked: quantiles (one y column),
    the mode (the highest-density point), N samples (fresh draws unless --seed), or the mixture
    (π, μ, σ of every component; of log y for a model trained with --y-log).`;

export async function predict(argv: string[]): Promise<void> {
  const { values: o } = parseCommandArgs('predict', PREDICT_USAGE, argv, {
    model: { type: 'string' },
    data: { type: 'string' },
    quantiles: { type: 'string' },
    mode: { type: 'boolean', default: false },
    samples: { type: 'string', default: '0' },
    seed: { type: 'string' },
    mixture: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  });
  if (!o.model || !o.data) throw new MixdenError('--model and --data are required (mixden predict --help)');
  const samples = integerOption('samples', o.samples as string, 0, 100_000);
  const seed = o.seed === undefined ? undefined : seedOption(o.seed as string);
  const quantiles = o.quantiles === undefined ? [] : (o.quantiles as string).split(',').map((q) => {
    const value = Number(q);
    if (q.trim() === '' || !(value > 0 && value < 1)) throw new MixdenError(`--quantiles must be numbers strictly between 0 and 1, got '${q}'`);
    return value;
  });
  const gpu = await nodeGpu();
  try {
    const model = await loadMdn(readFileSync(o.model as string), gpu);
    const { inputDim, outputDim, components: K } = model.architecture;
    const meta = modelDataOf(model.metadata, inputDim, outputDim);
    if (quantiles.length && outputDim !== 1) throw new MixdenError(`--quantiles needs a model with one y column; this one has ${outputDim}`);
    const [x] = await readColumns(o.data as string, meta.xColumns);
    const rows = x.length / inputDim;
    // One GPU pass for the mixture; every summary of it is computed from that on the CPU.
    const mixture = await model.predict(x);
    const mean = mixtureMean(mixture);
    const sd = mixtureVariance(mixture).map(Math.sqrt);
    const quantileValues = quantiles.map((q) => mixtureQuantile(mixture, q));
    const mode = o.mode ? mixtureMode(mixture) : undefined;
    const drawn = samples > 0 ? await model.sample(x, samples, seed === undefined ? {} : { seed }) : undefined;
    const xNames = meta.xColumns.map(printableColumn);
    const yNames = meta.yColumns.map(printableColumn);
    const log = mixture.logNormal ? 'log_' : '';
    const columns: { name: string; value: (r: number) => number }[] = [
      ...xNames.map((name, i) => ({ name, value: (r: number) => x[r * inputDim + i] })),
      ...yNames.flatMap((name, d) => [
        { name: `mean_${name}`, value: (r: number) => mean[r * outputDim + d] },
        { name: `sd_${name}`, value: (r: number) => sd[r * outputDim + d] },
        ...quantiles.map((q, i) => ({ name: `q${q}_${name}`, value: (r: number) => quantileValues[i][r] })),
        ...(mode ? [{ name: `mode_${name}`, value: (r: number) => mode[r * outputDim + d] }] : []),
        ...Array.from({ length: samples }, (_, j) => ({ name: `sample${j + 1}_${name}`, value: (r: number) => drawn![(r * samples + j) * outputDim + d] })),
      ]),
      ...(o.mixture
        ? Array.from({ length: K }, (_, k) => [
            { name: `pi${k + 1}`, value: (r: number) => mixture.pi[r * K + k] },
            ...yNames.flatMap((name, d) => [
              { name: `mu${k + 1}_${log}${name}`, value: (r: number) => mixture.mu[(r * K + k) * outputDim + d] },
              { name: `sigma${k + 1}_${log}${name}`, value: (r: number) => mixture.sigma[(r * K + k) * outputDim + d] },
            ]),
          ]).flat()
        : []),
    ];
    if (o.json) {
      const records = Array.from({ length: rows }, (_, r) => Object.fromEntries(columns.map((c) => [c.name, c.value(r)])));
      console.log(JSON.stringify(records));
    } else {
      const csvName = (n: string) => (/[",\n\r]/.test(n) ? `"${n.replace(/"/g, '""')}"` : n);
      const lines = [columns.map((c) => csvName(c.name)).join(',')];
      for (let r = 0; r < rows; r++) lines.push(columns.map((c) => c.value(r)).join(','));
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    model.destroy();
  } finally {
    gpu.destroy();
  }
}
