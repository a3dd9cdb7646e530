// `mixden predict`: per row of a CSV, the x columns it read, then what was asked of p(y | x) in original units:
// mean and standard deviation (always), quantiles, the mode, samples, or the whole mixture.
import { readFileSync } from 'node:fs';
import { csvField } from '../mdn/data/csv.js';
import { nodeGpu } from '../host/node.js';
import { loadMdn } from '../mdn/createMdn.js';
import { mixtureMean, mixtureVariance } from '../mdn/mixture.js';
import { mixtureMode, mixtureQuantile } from '../mdn/distribution.js';
import { MixdenError } from '../runtime/errors.js';
import { integerOption, parseCommandArgs, seedOption } from './args.js';
import { modelDataOf, printableColumn, readColumns } from './modelData.js';

export const PREDICT_USAGE = `predict --model model.mixden --data x.csv [--quantiles 0.05,0.5,0.95] [--mode] [--samples N] [--seed S]
        [--mixture] [--json]
    Prints the x columns of each row, the mean and sd of each y (von Mises: the mean direction and the circular
    variance 1 − R), and what is asked: quantiles (one y column),
    the mode (the highest-density point), N samples (fresh draws unless --seed), or the mixture
    (π, μ, σ of every component, and ν where it is learned; of log y for a model trained with --y-log; --family gaussian-full adds
    each component's Cholesky factor below its diagonal as L{k}_{yi}_{yj}, σ being its diagonal).
    A model with side outputs adds p_{column} (P = 1) for each Bernoulli column, p_{column}_{c} for each class
    of a categorical one, and their draws with --samples.`;

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
    const sides = model.architecture.sideOutputs ?? [];
    const meta = modelDataOf(model.metadata, inputDim, outputDim, sides.length);
    const drawWidth = outputDim + sides.length;
    if (quantiles.length && outputDim !== 1) throw new MixdenError(`--quantiles needs a model with one y column; this one has ${outputDim}`);
    const [x] = await readColumns(o.data as string, meta.xColumns);
    const rows = x.length / inputDim;
    // One GPU pass for the mixture; every summary of it is computed from that on the CPU.
    const mixture = await model.predict(x);
    const mean = mixtureMean(mixture);
    // Angles (von Mises): the circular variance 1 − R in place of a standard deviation, and the mean direction.
    const circular = mixture.family === 'von-mises';
    const sd = circular ? mixtureVariance(mixture) : mixtureVariance(mixture).map(Math.sqrt);
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
        { name: `${circular ? 'circular_variance' : 'sd'}_${name}`, value: (r: number) => sd[r * outputDim + d] },
        ...quantiles.map((q, i) => ({ name: `q${q}_${name}`, value: (r: number) => quantileValues[i][r] })),
        ...(mode ? [{ name: `mode_${name}`, value: (r: number) => mode[r * outputDim + d] }] : []),
        ...Array.from({ length: samples }, (_, j) => ({ name: `sample${j + 1}_${name}`, value: (r: number) => drawn![(r * samples + j) * drawWidth + d] })),
      ]),
      ...(meta.sideColumns ?? []).map(printableColumn).flatMap((name, s) => {
        const p = mixture.sideOutputs![s];
        const probabilities =
          p.kind === 'bernoulli'
            ? [{ name: `p_${name}`, value: (r: number) => p.probabilities[r] }]
            : Array.from({ length: p.classes }, (_, c) => ({ name: `p_${name}_${c}`, value: (r: number) => p.probabilities[r * p.classes + c] }));
        return [...probabilities, ...Array.from({ length: samples }, (_, j) => ({ name: `sample${j + 1}_${name}`, value: (r: number) => drawn![(r * samples + j) * drawWidth + outputDim + s] }))];
      }),
      ...(o.mixture
        ? Array.from({ length: K }, (_, k) => [
            { name: `pi${k + 1}`, value: (r: number) => mixture.pi[r * K + k] },
            ...yNames.flatMap((name, d) => [
              { name: `mu${k + 1}_${log}${name}`, value: (r: number) => mixture.mu[(r * K + k) * outputDim + d] },
              { name: `sigma${k + 1}_${log}${name}`, value: (r: number) => mixture.sigma[(r * K + k) * outputDim + d] },
              // Learned Student-t degrees of freedom.
              ...(mixture.nu ? [{ name: `nu${k + 1}_${name}`, value: (r: number) => mixture.nu![(r * K + k) * outputDim + d] }] : []),
            ]),
            // Full covariance: the Cholesky factor below its diagonal (sigma holds its diagonal), entry (i, j) as L{k}_yi_yj.
            ...(mixture.lower ? lowerColumns(k, yNames, (r, e) => mixture.lower![(r * K + k) * ((outputDim * (outputDim - 1)) / 2) + e]) : []),
          ]).flat()
        : []),
    ];
    if (o.json) {
      const records = Array.from({ length: rows }, (_, r) => Object.fromEntries(columns.map((c) => [c.name, c.value(r)])));
      console.log(JSON.stringify(records));
    } else {
      const lines = [columns.map((c) => csvField(c.name)).join(',')];
      for (let r = 0; r < rows; r++) lines.push(columns.map((c) => c.value(r)).join(','));
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    model.destroy();
  } finally {
    gpu.destroy();
  }
}

// The columns of component k's factor below its diagonal, row by row: (1, 0), (2, 0), (2, 1), …
function lowerColumns(k: number, yNames: readonly string[], value: (row: number, entry: number) => number): { name: string; value: (r: number) => number }[] {
  return yNames.flatMap((yi, i) => yNames.slice(0, i).map((yj, j) => ({ name: `L${k + 1}_${yi}_${yj}`, value: (r: number) => value(r, (i * (i - 1)) / 2 + j) })));
}
