// The handwriting page: letters from the Hershey script font as pen strokes (mixden's stroke set), a recurrent
// MDN (LSTM or GRU, bivariate correlated Gaussians for the pen move, a 3-way pen state) trained live on the GPU,
// and new letters drawn from it between rounds of training at the chosen temperatures, or continued from the start
// of a letter the user writes with the mouse or a pen (primed generation). `?autostart=1&steps=40&
// letters=ab&per-letter=8&units=16` starts by itself and pauses after 40 steps (the demo's browser test).
import fonts from 'hersheytext/hersheytext.min.json' with { type: 'json' };
import { browserGpu } from '../src/host/browser.js';
import type { GpuContext } from '../src/runtime/device.js';
import { type SequenceMdn, type SequenceTrainingSession, createSequenceMdn } from '../src/mdn/sequence/sequenceMdn.js';
import { type HersheyFont, PEN_DOWN, PEN_FINISHED, PEN_LIFTED, strokeLetters, strokePath } from '../src/mdn/sequence/strokes.js';
import { drawLoss } from './plots.js';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const params = new URLSearchParams(location.search);
const STEPS_PER_ROUND = 20;
const ROUNDS_PER_DRAWING = 5;
const DRAWINGS = 8;
const stopAfter = Number(params.get('steps') ?? Infinity);
const font = (fonts as unknown as Record<string, HersheyFont>).scripts;

const status = $('status');
const readout = $('readout');
const letterSelect = $<HTMLSelectElement>('draw-letter');
for (const id of ['letters', 'per-letter', 'units']) if (params.get(id)) $<HTMLInputElement>(id).value = params.get(id)!;
let gpu: GpuContext | undefined;
let model: SequenceMdn | undefined;
let session: SequenceTrainingSession | undefined;
let letters = '';
let running = false;
let loopDone: Promise<void> = Promise.resolve();
const history: { step: number; loss: number }[] = [];
const state = { step: 0, firstLoss: NaN, lastLoss: NaN, drawings: 0, drawnSteps: 0, primeSteps: 0, primedDrawings: 0, error: '', running: false, settled: false, dispatchesPerStep: 0 };
Object.assign(window, { demo: { state } });

function fail(error: unknown): void {
  state.error = error instanceof Error ? error.message : String(error);
  status.textContent = state.error;
  status.className = 'error';
}

// Each sequence in a cell of a grid; `prime`, where given, drawn first in each (in blue), the sequence after it.
function drawGrid(canvas: HTMLCanvasElement, sequences: readonly ArrayLike<number>[], columns: number, prime?: ArrayLike<number>): void {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.lineWidth = 2;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  const cell = canvas.width / columns;
  const rows = Math.ceil(sequences.length / columns);
  const height = canvas.height / Math.max(rows, 1);
  // The same pen walk as the command line's pictures (strokePath's SVG path data), drawn as a Path2D.
  sequences.forEach((s, i) => {
    const at = [(i % columns) * cell + cell / 2, Math.floor(i / columns) * height + height / 2, Math.min(cell, height) / 3.2] as const;
    ctx.strokeStyle = '#111';
    ctx.stroke(new Path2D(strokePath(prime ? [...Array.from(prime), ...Array.from(s)] : s, ...at)));
    if (!prime) return;
    ctx.strokeStyle = '#1565c0';
    ctx.stroke(new Path2D(strokePath(prime, ...at)));
  });
}

// What the user writes on the small canvas, as steps in the stroke set's units (a letter is 2.2 high, from the
// cell's centre): a point wherever the pen has moved a fifth of a unit (about the font's own spacing), each
// stroke's last one lifting the pen but the last stroke's, which the model goes on drawing.
const WRITE_HEIGHT = 2.2;
const POINT_SPACING = 0.2;
const writeCanvas = $<HTMLCanvasElement>('write');
const written: [number, number][][] = [];
function writtenSteps(): number[] {
  const steps: number[] = [];
  let [px, py] = [0, 0];
  written.forEach((stroke, s) =>
    stroke.forEach(([x, y], i) => {
      steps.push(x - px, y - py, i === stroke.length - 1 && s < written.length - 1 ? PEN_LIFTED : PEN_DOWN);
      [px, py] = [x, y];
    }),
  );
  return steps;
}
function drawWritten(): void {
  const ctx = writeCanvas.getContext('2d')!;
  ctx.clearRect(0, 0, writeCanvas.width, writeCanvas.height);
  ctx.strokeStyle = '#1565c0';
  ctx.lineWidth = 3;
  ctx.lineCap = 'round';
  ctx.stroke(new Path2D(strokePath(writtenSteps(), writeCanvas.width / 2, writeCanvas.height / 2, writeCanvas.height / (WRITE_HEIGHT * 1.2))));
  state.primeSteps = written.reduce((n, stroke) => n + stroke.length, 0);
  $<HTMLButtonElement>('continue').disabled = state.primeSteps === 0;
}
function penAt(event: PointerEvent): [number, number] {
  const box = writeCanvas.getBoundingClientRect();
  const unit = box.height / (WRITE_HEIGHT * 1.2);
  return [(event.clientX - box.left - box.width / 2) / unit, (event.clientY - box.top - box.height / 2) / unit];
}
writeCanvas.addEventListener('pointerdown', (event) => {
  writeCanvas.setPointerCapture(event.pointerId);
  written.push([penAt(event)]);
  drawWritten();
});
writeCanvas.addEventListener('pointermove', (event) => {
  const stroke = written.at(-1);
  if (!stroke || !writeCanvas.hasPointerCapture(event.pointerId)) return;
  const [x, y] = penAt(event);
  const [lx, ly] = stroke[stroke.length - 1];
  if (Math.hypot(x - lx, y - ly) < POINT_SPACING) return;
  stroke.push([x, y]);
  drawWritten();
});

// New drawings of the chosen letter; after "Continue it" (until "Clear"), continuing what the user wrote.
let continueWritten = false;
async function drawLetters(): Promise<void> {
  if (!model) return;
  const index = Math.max(0, letters.indexOf(letterSelect.value));
  const condition = Array.from({ length: letters.length }, (_, j) => (j === index ? 1 : 0));
  const prime = continueWritten && state.primeSteps > 0 ? writtenSteps() : undefined;
  const generated = await model.generate({
    ...(prime ? { prime } : {}),
    count: DRAWINGS,
    maxSteps: 80,
    conditions: condition,
    temperature: Number($<HTMLInputElement>('temperature').value),
    sigmaTemperature: Number($<HTMLInputElement>('sigma-temperature').value),
    seed: state.drawings,
    stopWhen: { column: 2, value: PEN_FINISHED },
  });
  drawGrid($<HTMLCanvasElement>('drawings'), generated.sequences, 4, prime);
  state.drawings++;
  if (prime) state.primedDrawings++;
  state.drawnSteps = generated.lengths.reduce((a, b) => a + b, 0);
}

async function newModel(): Promise<void> {
  pause();
  await loopDone;
  session?.destroy();
  model?.destroy();
  session = undefined;
  model = undefined;
  history.length = 0;
  state.step = 0;
  state.firstLoss = NaN;
  letters = [...new Set($<HTMLInputElement>('letters').value.replace(/[^a-z]/g, ''))].join('') || 'a';
  letterSelect.replaceChildren(...[...letters].map((l) => new Option(l, l)));
  const perLetter = Math.max(1, Math.min(200, Math.round(Number($<HTMLInputElement>('per-letter').value))));
  const sequences = strokeLetters(font, { letters, perLetter, seed: 1 });
  drawGrid($<HTMLCanvasElement>('examples'), sequences.slice(0, Math.min(letters.length * 2, 12)).map((s) => s.y), 6);
  gpu ??= await browserGpu();
  const units = Math.max(4, Math.min(256, Math.round(Number($<HTMLInputElement>('units').value))));
  model = await createSequenceMdn({
    outputDim: 2,
    conditionDim: letters.length,
    layers: `${$<HTMLSelectElement>('cell').value}:${units},dense:64:tanh`,
    family: 'gaussian-full',
    components: 10,
    sideOutputs: [{ kind: 'categorical', classes: 3, name: 'pen' }],
    seed: 1,
    gpu,
  });
  session = await model.trainingSession(sequences, { batchSize: Math.min(32, sequences.length), learningRate: Number($<HTMLInputElement>('lr').value), clipNorm: 1, seed: 1 });
  state.dispatchesPerStep = session.dispatchesPerStep;
  status.textContent = `${gpu.adapterDescription}: ${sequences.length} drawings of ${letters.length} letters; ${session.dispatchesPerStep} dispatches per training step`;
}

async function loop(): Promise<void> {
  let rounds = 0;
  while (running && session && state.step < stopAfter) {
    const steps = Math.min(STEPS_PER_ROUND, stopAfter - state.step);
    const started = performance.now();
    const loss = await session.train(steps);
    state.step += steps;
    if (Number.isNaN(state.firstLoss)) state.firstLoss = loss;
    state.lastLoss = loss;
    history.push({ step: state.step, loss });
    drawLoss($<HTMLCanvasElement>('loss'), history.map((h) => ({ step: h.step, loss: h.loss })));
    readout.textContent = `step ${state.step}: loss ${loss.toFixed(3)} nats per step, ${((performance.now() - started) / steps).toFixed(1)} ms per step`;
    if (++rounds % ROUNDS_PER_DRAWING === 0) await drawLetters();
  }
  await drawLetters();
}

function start(): void {
  if (running || !session) return;
  running = true;
  state.running = true;
  state.settled = false;
  $<HTMLButtonElement>('pause').disabled = false;
  loopDone = loop()
    .catch(fail)
    .finally(() => {
      running = false;
      state.running = false;
      state.settled = true;
      $<HTMLButtonElement>('pause').disabled = true;
    });
}

function pause(): void {
  running = false;
}

$('start').addEventListener('click', start);
$('pause').addEventListener('click', pause);
$('reset').addEventListener('click', () => newModel().catch(fail));
$('draw').addEventListener('click', () => drawLetters().catch(fail));
$('continue').addEventListener('click', () => {
  continueWritten = true;
  if (!running) drawLetters().catch(fail);
});
$('clear').addEventListener('click', () => {
  written.length = 0;
  continueWritten = false;
  drawWritten();
});
for (const id of ['temperature', 'sigma-temperature']) {
  const input = $<HTMLInputElement>(id);
  input.addEventListener('input', () => {
    $(`${id}-value`).textContent = input.value;
  });
  input.addEventListener('change', () => running || drawLetters().catch(fail));
}
letterSelect.addEventListener('change', () => running || drawLetters().catch(fail));

newModel()
  .then(() => {
    if (params.get('autostart') === '1') start();
  })
  .catch(fail);
