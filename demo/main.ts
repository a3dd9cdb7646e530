// The demo page: pick a problem, train an MDN live on the GPU beside an MSE regression of the same size, and
// watch p(y|x), samples, a conditional slice and the losses. `?problem=bimodal&autostart=1&steps=300` starts
// by itself and pauses after 300 steps (used by the demo's browser test).
import { browserGpu } from '../src/host/browser.js';
import type { GpuContext } from '../src/runtime/device.js';
import type { Activation } from '../src/shaders/activation.wgsl.js';
import type { SigmaActivation } from '../src/shaders/sigma.wgsl.js';
import { BUILT_IN, type Problem, csvProblem, readCsvFile } from './problems.js';
import { DemoRun } from './run.js';
import { drawHeatmap, drawLoss, drawSlice } from './plots.js';
import type { CsvTable } from '../src/mdn/data/csv.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const STEPS_PER_ROUND = 25;
const stopAfter = Number(params.get('steps') ?? Infinity);

const problemSelect = $<HTMLSelectElement>('problem');
const heatmap = $<HTMLCanvasElement>('heatmap');
const status = $('status');
const readout = $('readout');
let gpu: GpuContext | undefined;
let run: DemoRun | undefined;
let running = false;
let loopDone: Promise<void> = Promise.resolve();
let sliceX = 0;
let csvTable: CsvTable | undefined;
let lastGrid: Float32Array | undefined;
let lastSamples: { x: number[]; y: number[] } | undefined;
let lastLine: { x: number[]; y: number[] } | undefined;
const state = { step: 0, firstLoss: NaN, lastLoss: NaN, contrast: NaN, redraws: 0, error: '', running: false, settled: false };
Object.assign(window, { demo: { state } });

for (const [value, { label }] of Object.entries(BUILT_IN)) problemSelect.add(new Option(label, value));
problemSelect.add(new Option('Your own CSV…', 'csv'));
problemSelect.value = params.get('problem') ?? 'inverse-sine';

function settings() {
  const hidden = $<HTMLInputElement>('hidden').value.split(',').map((v) => Number(v.trim()));
  if (!hidden.every((h) => Number.isInteger(h) && h >= 1 && h <= 512)) throw new Error('hidden layers: comma-separated sizes from 1 to 512');
  const batch = $<HTMLSelectElement>('batch').value;
  return {
    hidden,
    activation: $<HTMLSelectElement>('activation').value as Activation,
    components: Math.max(1, Math.min(64, Math.round(Number($<HTMLInputElement>('components').value)))),
    sigma: $<HTMLSelectElement>('sigma').value as SigmaActivation,
    learningRate: Number($<HTMLInputElement>('lr').value),
    batchSize: batch === 'full' ? ('full' as const) : Number(batch),
  };
}

function problem(): Problem {
  if (problemSelect.value !== 'csv') return BUILT_IN[problemSelect.value].make();
  if (!csvTable) throw new Error('choose a CSV file first');
  return csvProblem(csvTable, $<HTMLSelectElement>('csv-x').value, $<HTMLSelectElement>('csv-y').value, 'your data');
}

const temperatures = () => [Number($<HTMLInputElement>('temperature').value), Number($<HTMLInputElement>('sigma-temperature').value)];

async function redrawSlice(): Promise<void> {
  if (!run) return;
  const comps = drawSlice($('slice'), await run.slice(sliceX), run.frame.yRange);
  $('slice-title').textContent = `p(y | x = ${sliceX.toFixed(2)})`;
  $('component-table').querySelector('tbody')!.innerHTML = comps
    .slice(0, 6)
    .map((c) => `<tr><td>${c.pi.toFixed(3)}</td><td>${c.mu.toFixed(2)}</td><td>${c.sigma.toFixed(3)}</td></tr>`)
    .join('');
}

function paintHeatmap(): void {
  if (!run || !lastGrid) return;
  drawHeatmap(heatmap, run.frame, { width: 160, height: 110, density: lastGrid }, run.problem, lastSamples, lastLine, sliceX);
}

async function redraw(): Promise<void> {
  if (!run) return;
  lastGrid = await run.densityGrid(160, 110);
  const [t, s] = temperatures();
  lastSamples = await run.samples(80, 6, t, s);
  lastLine = await run.mseLine(120);
  paintHeatmap();
  await redrawSlice();
  state.contrast = await run.densityContrast(lastGrid);
  state.redraws++;
}

async function loop(): Promise<void> {
  const started = performance.now();
  const firstStep = run!.history.length ? run!.history[run!.history.length - 1].step : 0;
  let rounds = 0;
  while (running && run) {
    const p = await run.train(STEPS_PER_ROUND);
    state.step = p.step;
    if (Number.isNaN(state.firstLoss)) state.firstLoss = p.loss;
    state.lastLoss = p.loss;
    const rate = (p.step - firstStep) / ((performance.now() - started) / 1000);
    readout.textContent = `step ${p.step} · loss ${p.loss.toFixed(3)} · validation ${p.validationLoss?.toFixed(3)} · ${rate.toFixed(0)} steps/s`;
    drawLoss($('loss'), run.history);
    if (rounds++ % 4 === 0) await redraw();
    if (p.step >= stopAfter) setRunning(false);
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
  await redraw();
  state.settled = true;
}

function setRunning(value: boolean): void {
  running = value;
  state.running = value;
  if (value) state.settled = false;
  $<HTMLButtonElement>('start').disabled = value;
  $<HTMLButtonElement>('pause').disabled = !value;
  $<HTMLButtonElement>('reset').disabled = !run;
}

async function start(): Promise<void> {
  try {
    if (!run) {
      run = await DemoRun.create(gpu!, problem(), settings());
      sliceX = run.problem.sliceX;
      Object.assign(state, { step: 0, firstLoss: NaN, lastLoss: NaN, contrast: NaN });
    }
    setRunning(true);
    loopDone = loop().catch(fail);
  } catch (error) {
    fail(error);
  }
}

async function reset(): Promise<void> {
  setRunning(false);
  await loopDone;
  run?.destroy();
  run = undefined;
  lastGrid = lastSamples = lastLine = undefined;
  for (const id of ['heatmap', 'slice', 'loss']) $<HTMLCanvasElement>(id).getContext('2d')!.clearRect(0, 0, 9999, 9999);
  readout.textContent = 'Not started.';
  setRunning(false);
}

function fail(error: unknown): void {
  setRunning(false);
  state.error = error instanceof Error ? error.message : String(error);
  readout.textContent = `Stopped: ${state.error}`;
}

$('start').addEventListener('click', () => void start());
$('pause').addEventListener('click', () => setRunning(false));
$('reset').addEventListener('click', () => void reset());
problemSelect.addEventListener('change', () => {
  $('csv-controls').hidden = problemSelect.value !== 'csv';
  void reset();
});
for (const id of ['hidden', 'activation', 'components', 'sigma', 'batch']) $(id).addEventListener('change', () => void reset());
$('lr').addEventListener('change', () => {
  if (run) run.learningRate = Number($<HTMLInputElement>('lr').value);
});
for (const id of ['temperature', 'sigma-temperature']) {
  $(id).addEventListener('input', () => {
    $(`${id}-value`).textContent = Number($<HTMLInputElement>(id).value).toFixed(1);
    if (!running) void redraw();
  });
}
$('csv-file').addEventListener('change', async () => {
  const file = $<HTMLInputElement>('csv-file').files?.[0];
  if (!file) return;
  try {
    csvTable = await readCsvFile(file);
    for (const id of ['csv-x', 'csv-y']) {
      const select = $<HTMLSelectElement>(id);
      select.replaceChildren(...csvTable.columns.map((c) => new Option(c, c)));
    }
    $<HTMLSelectElement>('csv-y').selectedIndex = Math.min(1, csvTable.columns.length - 1);
    await reset();
    readout.textContent = `${csvTable.rows.length} rows read from ${file.name}; choose the columns and press Start.`;
  } catch (error) {
    fail(error);
  }
});
heatmap.addEventListener('pointermove', (event) => {
  if (!run || event.buttons === 0) return;
  const rect = heatmap.getBoundingClientRect();
  const [x0, x1] = run.frame.xRange;
  sliceX = x0 + ((event.clientX - rect.left) / rect.width) * (x1 - x0);
  paintHeatmap();
  void redrawSlice();
});
heatmap.addEventListener('pointerdown', (event) => heatmap.dispatchEvent(new PointerEvent('pointermove', event)));

try {
  gpu = await browserGpu();
  status.textContent = `WebGPU adapter: ${gpu.adapterDescription}${gpu.isSoftwareAdapter ? ' (software: no GPU found, so this runs on the CPU)' : ''}`;
  $<HTMLButtonElement>('start').disabled = false;
  if (params.get('autostart')) void start();
} catch (error) {
  status.textContent = `This page needs WebGPU, and it is not available here: ${error instanceof Error ? error.message : String(error)}`;
  status.classList.add('error');
  $<HTMLButtonElement>('start').disabled = true;
}
