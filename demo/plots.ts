// The demo's drawings on 2-D canvases: the loss curves, the heatmap of p(y|x) with data, samples and the MSE
// line, and the conditional density at one x with its components.
import type { Mixture } from '../src/mdn/mixture.js';
import { drawAxes } from './axes.js';

export interface Frame {
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  /** Axis names (default 'x' and 'y'). */
  readonly xName?: string;
  readonly yName?: string;
}

const STOPS = [[13, 8, 135], [126, 3, 168], [204, 71, 120], [248, 149, 64], [240, 249, 33]];
function color(t: number): number[] {
  const s = Math.min(0.9999, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.floor(s);
  return STOPS[i].map((c, k) => Math.round(c + (s - i) * (STOPS[i + 1][k] - c)));
}

/** p(y|x) on a grid (rows = y from the top, columns = x), the data, samples and the MSE fit. */
export function drawHeatmap(
  canvas: HTMLCanvasElement,
  frame: Frame,
  grid: { width: number; height: number; density: ArrayLike<number> },
  data: { x: ArrayLike<number>; y: ArrayLike<number> },
  samples: { x: ArrayLike<number>; y: ArrayLike<number> } | undefined,
  mseLine: { x: ArrayLike<number>; y: ArrayLike<number> } | undefined,
  sliceX: number,
): void {
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(grid.width, grid.height);
  let max = 0;
  for (let i = 0; i < grid.density.length; i++) max = Math.max(max, grid.density[i]);
  for (let i = 0; i < grid.width * grid.height; i++) {
    image.data.set([...color(Math.sqrt(grid.density[i] / (max || 1))), 255], i * 4);
  }
  const buffer = new OffscreenCanvas(grid.width, grid.height);
  buffer.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(buffer, 0, 0, canvas.width, canvas.height);
  const px = (x: number) => ((x - frame.xRange[0]) / (frame.xRange[1] - frame.xRange[0])) * canvas.width;
  const py = (y: number) => (1 - (y - frame.yRange[0]) / (frame.yRange[1] - frame.yRange[0])) * canvas.height;
  ctx.fillStyle = 'rgba(255,255,255,0.55)';
  for (let i = 0; i < data.x.length; i++) ctx.fillRect(px(data.x[i]) - 1, py(data.y[i]) - 1, 2, 2);
  if (samples) {
    ctx.fillStyle = 'rgba(0,230,118,0.9)';
    for (let i = 0; i < samples.x.length; i++) ctx.fillRect(px(samples.x[i]) - 1.5, py(samples.y[i]) - 1.5, 3, 3);
  }
  if (mseLine) {
    ctx.strokeStyle = '#00e5ff';
    ctx.lineWidth = 2.5;
    ctx.beginPath();
    for (let i = 0; i < mseLine.x.length; i++) (i ? ctx.lineTo : ctx.moveTo).call(ctx, px(mseLine.x[i]), py(mseLine.y[i]));
    ctx.stroke();
  }
  ctx.strokeStyle = 'rgba(255,255,255,0.9)';
  ctx.setLineDash([6, 4]);
  ctx.lineWidth = 1.5;
  ctx.beginPath();
  ctx.moveTo(px(sliceX), 0);
  ctx.lineTo(px(sliceX), canvas.height);
  ctx.stroke();
  ctx.setLineDash([]);
  drawAxes(canvas, { xRange: frame.xRange, yRange: frame.yRange, xName: frame.xName ?? 'x', yName: frame.yName ?? 'y' });
}

/** Training (and validation) loss against step. */
export function drawLoss(canvas: HTMLCanvasElement, history: readonly { step: number; loss: number; validationLoss?: number }[]): void {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  const values = history.flatMap((h) => [h.loss, h.validationLoss ?? h.loss]);
  const low = Math.min(...values);
  const high = Math.max(...values);
  const last = history[history.length - 1].step;
  const line = (value: (h: (typeof history)[number]) => number | undefined, stroke: string) => {
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.beginPath();
    history.forEach((h, i) => {
      const v = value(h);
      if (v === undefined) return;
      const x = 30 + ((canvas.width - 40) * h.step) / last;
      const y = 10 + (canvas.height - 30) * (1 - (v - low) / (high - low || 1));
      (i ? ctx.lineTo : ctx.moveTo).call(ctx, x, y);
    });
    ctx.stroke();
  };
  line((h) => h.loss, '#1565c0');
  line((h) => h.validationLoss, '#ef6c00');
  // The curves span x from 30 to width − 10 (steps 0 to last) and y from 10 to height − 20 (high to low).
  drawAxes(canvas, { xRange: [0, last], yRange: [low - (high - low) * (20 / (canvas.height - 30)), high + (high - low) * (10 / (canvas.height - 30))], xName: 'step', yName: 'loss (nats)', color: '#333', area: { left: 30, top: 0, width: canvas.width - 40, height: canvas.height } });
}

/** p(y | x = sliceX) as a curve, each weighted component dashed; returns the components, heaviest first. */
export function drawSlice(canvas: HTMLCanvasElement, m: Mixture, yRange: readonly [number, number]) {
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const comps = Array.from({ length: m.components }, (_, k) => ({ pi: m.pi[k], mu: m.mu[k], sigma: m.sigma[k] }));
  const points = 200;
  const ys = Array.from({ length: points }, (_, i) => yRange[0] + ((i + 0.5) / points) * (yRange[1] - yRange[0]));
  const pdf = (c: (typeof comps)[number], y: number) => (c.pi * Math.exp(-0.5 * ((y - c.mu) / c.sigma) ** 2)) / (c.sigma * Math.sqrt(2 * Math.PI));
  const total = ys.map((y) => comps.reduce((s, c) => s + pdf(c, y), 0));
  const max = Math.max(...total, 1e-12);
  const plot = (values: number[], stroke: string, dash: number[]) => {
    ctx.strokeStyle = stroke;
    ctx.setLineDash(dash);
    ctx.lineWidth = dash.length ? 1 : 2.5;
    ctx.beginPath();
    values.forEach((v, i) => (i ? ctx.lineTo : ctx.moveTo).call(ctx, (i / (points - 1)) * canvas.width, canvas.height - 8 - (v / max) * (canvas.height - 20)));
    ctx.stroke();
  };
  for (const c of comps) if (c.pi > 0.01) plot(ys.map((y) => pdf(c, y)), '#9e9e9e', [4, 3]);
  ctx.setLineDash([]);
  plot(total, '#6a1b9a', []);
  drawAxes(canvas, { xRange: yRange, xName: 'y', color: '#333' });
  return comps.sort((a, b) => b.pi - a.pi);
}
