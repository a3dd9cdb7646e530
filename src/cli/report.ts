// `mixden report`: the MDN against the standard baselines on the same split, by test NLL in original units and,
// for one-dimensional y, by calibration (CRPS, coverage of the central 50% and 90% intervals); for one-dimensional
// x and y a plot of p(y | x) with the data and drawn samples, and the MDN's PIT histogram.
import { cwd } from 'node:process';
import { tmpdir } from 'node:os';
import { nodeGpu } from '../host/node.js';
import { writeWithFallback } from '../host/atomicFile.js';
import { renderDensityPlot } from '../host/densityPlot.js';
import { type GaussianPrediction, linearModelPrediction, mlpMsePrediction, nullModelPrediction, predictionNll } from '../mdn/baselines.js';
import { type Calibration, calibrationOf } from '../mdn/calibration.js';
import type { Mixture } from '../mdn/mixture.js';
import type { ModelScaling } from '../mdn/scaling.js';
import type { Mdn } from '../mdn/model.js';
import { MixdenError } from '../runtime/errors.js';
import { DATA_USAGE, type TrainingRun, prepareRun, scaled, toOriginalUnits, trainRun } from './trainingRun.js';
import { saveModel } from './train.js';

export const REPORT_USAGE = `report ${DATA_USAGE}
        [--heatmap file.png] [--out model.mixden] [--json]`;

export async function report(argv: string[]): Promise<void> {
  const { run, values } = await prepareRun('report', REPORT_USAGE, argv, { heatmap: { type: 'string' }, out: { type: 'string' } }, ['heatmap', 'out']);
  if (run.sideColumns.length) {
    throw new MixdenError('mixden report compares NLL, CRPS and coverage of the continuous targets with baselines that have no side outputs; train a model with --bernoulli/--categorical with `mixden train`');
  }
  const heatmap = values.heatmap as string | undefined;
  const out = values.out as string | undefined;
  // Refused before training, not after it.
  if (heatmap && (run.xColumns.length !== 1 || run.yColumns.length !== 1)) {
    throw new MixdenError(`--heatmap draws p(y | x) for one x and one y column; this run has ${run.xColumns.length} and ${run.yColumns.length}`);
  }
  const log = run.json ? () => {} : (line: string) => console.log(line);
  const gpu = await nodeGpu();
  try {
    const { model, trainNll, testNll, seconds } = await trainRun(gpu, run, log);
    const scaling = model.scaling!;
    const dims = { inputDim: run.xColumns.length, outputDim: run.yColumns.length };
    const train = { ...scaled(scaling, run.train), ...dims };
    const test = { ...scaled(scaling, run.test), ...dims };
    const inUnits = (nll: number) => toOriginalUnits(scaling, nll, run.test.y);
    const architecture = { ...model.architecture };
    const oneY = dims.outputDim === 1;
    const baseline = (model: string, p: GaussianPrediction) => ({
      model,
      testNll: inUnits(predictionNll(test, p)),
      ...(oneY ? calibrationColumns(calibrationOf(baselineMixture(p, scaling), run.test.y)) : {}),
    });
    const mdnCalibration = oneY ? await model.calibration(run.test.x, run.test.y) : undefined;
    const rows = [
      baseline('null model (mean, constant σ)', nullModelPrediction(train, test)),
      baseline('linear, constant σ', linearModelPrediction(train, test)),
      baseline('MLP by MSE, constant σ', await mlpMsePrediction(gpu, architecture, train, test, { ...run.fit, batchSize: run.fit.batchSize === 'full' ? undefined : run.fit.batchSize, seed: run.seed })),
      {
        model: `MDN (K = ${architecture.components}, ${familyLabel(architecture)}${architecture.sigma} σ)`,
        testNll,
        trainNll,
        ...(mdnCalibration ? calibrationColumns(mdnCalibration) : {}),
      },
    ];
    const written: string[] = [];
    if (heatmap) written.push(save('plot', heatmap, await densityPlot(model, run, rows[3].model, mdnCalibration?.pit)));
    if (out) written.push(await saveModel(model, run, out));
    model.destroy();
    if (run.json) console.log(JSON.stringify({ source: run.source, device: gpu.adapterDescription, seconds, models: rows }));
    else {
      log(`\ntest NLL per row, nats, original units of y (lower is better), on ${run.test.x.length / dims.inputDim} held-out rows of ${run.source}:`);
      // CRPS in the units of y (lower is better); the share of rows inside the central 50% and 90% predictive intervals.
      // The label column fits the longest model name (32 wide at least, as it always was).
      const labelWidth = Math.max(32, ...rows.map((r) => r.model.length));
      if (oneY) log(`  ${''.padEnd(labelWidth)} ${'NLL'.padStart(6)}  ${'CRPS'.padStart(9)}  rows inside the 50% / 90% intervals`);
      for (const r of rows) {
        const calibration = 'crps' in r ? `  ${r.crps!.toPrecision(4).padStart(9)}  ${percent(r.coverage50!)} / ${percent(r.coverage90!)}` : '';
        log(`  ${r.model.padEnd(labelWidth)} ${r.testNll.toFixed(4)}${calibration}`);
      }
      for (const line of written) log(line);
    }
  } finally {
    gpu.destroy();
  }
}

// Writes a finished file atomically, to a fallback path if the chosen one fails; says where it went.
function save(what: string, path: string, bytes: Uint8Array): string {
  const saved = writeWithFallback(path, bytes, [cwd(), tmpdir()]);
  if (saved.failure) console.error(`mixden: ${saved.failure}; the ${what} was saved to ${saved.path} instead`);
  return `${what} written to ${saved.path}`;
}

// The family in the MDN's row, where it is not the Gaussian default.
const familyLabel = ({ family, degreesOfFreedom }: { family?: string; degreesOfFreedom?: number | 'learned' }) =>
  !family || family === 'gaussian' ? '' : family === 'student-t' ? (degreesOfFreedom === 'learned' ? 'student-t, learned ν, ' : `student-t ν = ${degreesOfFreedom}, `) : `${family}, `;

const percent = (v: number) => `${(100 * v).toFixed(1)}%`;

// A report row's calibration columns: CRPS in the units of y, and the two intervals' coverage.
const calibrationColumns = (c: Calibration) => ({ crps: c.crps, coverage50: c.coverage[0].fraction, coverage90: c.coverage[1].fraction });

// A baseline's Gaussian prediction (scaled units) as a one-component mixture in original units: the scalers'
// shift and scale undone, log-normal where the model log-transforms its targets (one-dimensional y).
function baselineMixture(p: GaussianPrediction, scaling: ModelScaling): Mixture {
  const rows = p.mean.length;
  const { shift, scale, log } = scaling.y;
  return {
    rows,
    components: 1,
    dims: 1,
    pi: new Float32Array(rows).fill(1),
    mu: Float32Array.from(p.mean, (m) => m * scale[0] + shift[0]),
    sigma: new Float32Array(rows).fill(p.sigma[0] * scale[0]),
    ...(log ? { logNormal: true } : {}),
  };
}

/** p(y | x) over the data's range in original units, with the data and 20 draws per column, and the PIT histogram. */
async function densityPlot(model: Mdn, run: TrainingRun, mdnName: string, pit: readonly number[] | undefined): Promise<Uint8Array> {
  const columns = 120;
  const rowsOfGrid = 90;
  const all = { x: [...run.train.x, ...run.test.x], y: [...run.train.y, ...run.test.y] };
  const range = (v: number[]): [number, number] => {
    const low = Math.min(...v);
    const high = Math.max(...v);
    const pad = 0.05 * (high - low || 1);
    return [low - pad, high + pad];
  };
  const [x0, x1] = range(all.x);
  const [y0, y1] = run.scale.logY ? [Math.min(...all.y) * 0.9, Math.max(...all.y) * 1.1] : range(all.y);
  const xs = Float64Array.from({ length: columns }, (_, j) => x0 + ((j + 0.5) / columns) * (x1 - x0));
  const ys = Float64Array.from({ length: rowsOfGrid }, (_, i) => y0 + ((i + 0.5) / rowsOfGrid) * (y1 - y0));
  const density = await model.density(xs, ys);
  const sampleColumns = Float64Array.from({ length: 96 }, (_, j) => x0 + ((j + 0.5) / 96) * (x1 - x0));
  const draws = await model.sample(sampleColumns, 20, { seed: run.seed });
  return renderDensityPlot({
    title: `p(${run.yColumns[0]} | ${run.xColumns[0]}): ${mdnName}, ${run.source}`,
    xName: run.xColumns[0],
    yName: run.yColumns[0],
    xs,
    ys,
    density,
    points: all,
    samples: { x: Array.from(draws, (_, i) => sampleColumns[Math.floor(i / 20)]), y: draws },
    ...(pit ? { pit } : {}),
  });
}
