// `mixden report`: the MDN against the standard baselines on the same split, by test NLL in original units, and
// for one-dimensional x and y a heatmap of p(y | x) with the data and drawn samples.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { nodeGpu } from '../host/node.js';
import { linearModelNll, mlpMseNll, nullModelNll } from '../mdn/baselines.js';
import { type Mdn } from '../mdn/model.js';
import { renderHeatmap } from '../mdn/heatmap.js';
import { encodePng } from '../host/png.js';
import { invertScaler } from '../mdn/data/scaler.js';
import { DATA_USAGE, type TrainingRun, prepareRun, scaled, toOriginalUnits, trainRun } from './trainingRun.js';

export const REPORT_USAGE = `report ${DATA_USAGE}
        [--heatmap file.png] [--out model.mixden] [--json]`;

export async function report(argv: string[]): Promise<void> {
  const { run, values } = await prepareRun(argv, { heatmap: { type: 'string' }, out: { type: 'string' } });
  const log = run.json ? () => {} : (line: string) => console.log(line);
  const gpu = await nodeGpu();
  try {
    const { model, trainNll, testNll, seconds } = await trainRun(gpu, run, log);
    const dims = { inputDim: run.xColumns.length, outputDim: run.yColumns.length };
    const train = { ...scaled(run, run.train), ...dims };
    const test = { ...scaled(run, run.test), ...dims };
    const inUnits = (nll: number) => toOriginalUnits(run, nll, run.test.y);
    const architecture = { ...model.architecture };
    const rows = [
      { model: 'null model (mean, constant σ)', testNll: inUnits(nullModelNll(train, test)) },
      { model: 'linear, constant σ', testNll: inUnits(linearModelNll(train, test)) },
      { model: 'MLP by MSE, constant σ', testNll: inUnits(await mlpMseNll(gpu, architecture, train, test, { ...run.fit, batchSize: run.fit.batchSize === 'full' ? undefined : run.fit.batchSize, seed: run.seed })) },
      { model: `MDN (K = ${architecture.components}, ${architecture.sigma} σ)`, testNll, trainNll },
    ];
    if (typeof values.heatmap === 'string') await writeHeatmap(model, run, values.heatmap);
    if (typeof values.out === 'string') {
      model.metadata = { xColumns: run.xColumns, yColumns: run.yColumns, xScaler: run.xScaler, yScaler: run.yScaler };
      mkdirSync(dirname(values.out), { recursive: true });
      writeFileSync(values.out, await model.save());
    }
    model.destroy();
    if (run.json) console.log(JSON.stringify({ source: run.source, device: gpu.adapterDescription, seconds, models: rows }));
    else {
      log(`\ntest NLL per row, nats, original units of y (lower is better), on ${run.test.x.length / dims.inputDim} held-out rows of ${run.source}:`);
      for (const r of rows) log(`  ${r.model.padEnd(32)} ${r.testNll.toFixed(4)}`);
      if (typeof values.heatmap === 'string') log(`heatmap written to ${values.heatmap}`);
      if (typeof values.out === 'string') log(`model saved to ${values.out}`);
    }
  } finally {
    gpu.destroy();
  }
}

/** p(y | x) over the data's range in original units, data in white, 20 draws per column in red. */
export async function writeHeatmap(model: Mdn, run: TrainingRun, path: string): Promise<void> {
  if (run.xColumns.length !== 1 || run.yColumns.length !== 1) throw new Error('a heatmap needs one x and one y column');
  const width = 480;
  const height = 360;
  const all = { x: [...run.train.x, ...run.test.x], y: [...run.train.y, ...run.test.y] };
  const range = (v: number[]): [number, number] => {
    const low = Math.min(...v);
    const high = Math.max(...v);
    const pad = 0.05 * (high - low || 1);
    return [low - pad, high + pad];
  };
  const xRange = range(all.x);
  const yRange = range(all.y);
  const xs = Float64Array.from({ length: width }, (_, j) => xRange[0] + ((j + 0.5) / width) * (xRange[1] - xRange[0]));
  const ys = Float64Array.from({ length: height }, (_, i) => yRange[1] - ((i + 0.5) / height) * (yRange[1] - yRange[0]));
  const xScaled = Float32Array.from(run.xScaler.log ? xs.map(Math.log) : xs, (v) => (v - run.xScaler.shift[0]) / run.xScaler.scale[0]);
  const yScaled = Float32Array.from(ys, (v) => (v - run.yScaler.shift[0]) / run.yScaler.scale[0]);
  const density = run.yScaler.log ? await model.density(xScaled, Float32Array.from(ys, (v) => (Math.log(v) - run.yScaler.shift[0]) / run.yScaler.scale[0])) : await model.density(xScaled, yScaled);
  const columns = Float32Array.from({ length: 96 }, (_, j) => xScaled[Math.floor(((j + 0.5) / 96) * width)]);
  const draws = invertScaler(run.yScaler, await model.sample(columns, 20, { seed: run.seed }));
  const samples = { x: Array.from(draws, (_, i) => xs[Math.floor(((Math.floor(i / 20) + 0.5) / 96) * width)]), y: Array.from(draws) };
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodePng(renderHeatmap({ width, height, density, xRange, yRange, points: all, samples }), width, height));
}
