// Draws the benchmark chart on a canvas: for each figure, mixden's speed as a multiple of each tfjs backend
// on each workload (log scale; the line at 1x is parity). Returns a PNG data URL.
import type { BenchmarkResult, SystemFigures } from './figures.js';

const COLORS: Record<string, string> = { 'tfjs-webgpu': '#c62828', 'tfjs-webgl': '#ef6c00', 'tfjs-wasm': '#2e7d32', 'tfjs-cpu': '#6a1b9a' };
const PANELS: { title: string; value: (f: SystemFigures) => number | undefined }[] = [
  { title: 'training steps/s (loss read every 100 steps)', value: (f) => f.trainStepsPerSecond?.median },
  { title: 'one step, loss read back (1 / latency)', value: (f) => (f.stepLatencyMs ? 1 / f.stepLatencyMs.median : undefined) },
  { title: 'inference samples/s', value: (f) => f.inferenceSamplesPerSecond?.median },
];

export function drawChart(result: BenchmarkResult): string {
  const canvas = document.createElement('canvas');
  const width = 1200;
  const panelHeight = 300;
  canvas.width = width;
  canvas.height = panelHeight * PANELS.length + 60;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = 'white';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#111';
  ctx.font = '16px sans-serif';
  ctx.fillText(`mixden ÷ tfjs 4.22, same run (${result.adapter}; ${result.date.slice(0, 10)})`, 20, 28);
  const workloads = [...new Set(result.figures.map((f) => f.workload))];
  const backends = Object.keys(COLORS);
  const maxLog = 4; // 10^4 x
  const minLog = -1;
  PANELS.forEach((panel, p) => {
    const top = 50 + p * panelHeight;
    const plotTop = top + 30;
    const plotHeight = panelHeight - 80;
    const y = (ratio: number) => plotTop + plotHeight * (1 - (Math.log10(ratio) - minLog) / (maxLog - minLog));
    ctx.fillStyle = '#111';
    ctx.font = '14px sans-serif';
    ctx.fillText(panel.title, 20, top + 18);
    ctx.strokeStyle = '#ccc';
    for (let e = minLog; e <= maxLog; e++) {
      ctx.beginPath();
      ctx.moveTo(60, y(10 ** e));
      ctx.lineTo(width - 20, y(10 ** e));
      ctx.stroke();
      ctx.fillText(`${10 ** e}x`, 10, y(10 ** e) + 4);
    }
    const groupWidth = (width - 100) / workloads.length;
    workloads.forEach((w, g) => {
      const mine = result.figures.find((f) => f.system === 'mixden' && f.workload === w);
      const mineValue = mine && panel.value(mine);
      backends.forEach((b, i) => {
        const theirs = result.figures.find((f) => f.system === b && f.workload === w);
        const theirValue = theirs && panel.value(theirs);
        if (!mineValue || !theirValue) return;
        const ratio = Math.min(Math.max(mineValue / theirValue, 10 ** minLog), 10 ** maxLog);
        const x = 80 + g * groupWidth + i * (groupWidth / (backends.length + 1));
        const barWidth = groupWidth / (backends.length + 1) - 8;
        ctx.fillStyle = COLORS[b];
        const y0 = y(1);
        ctx.fillRect(x, Math.min(y0, y(ratio)), barWidth, Math.abs(y(ratio) - y0));
        ctx.fillStyle = '#111';
        ctx.fillText(`${ratio >= 10 ? ratio.toFixed(0) : ratio.toFixed(1)}x`, x, Math.min(y0, y(ratio)) - 4);
      });
      ctx.fillText(w, 80 + g * groupWidth + groupWidth / 3, plotTop + plotHeight + 22);
    });
  });
  backends.forEach((b, i) => {
    ctx.fillStyle = COLORS[b];
    ctx.fillRect(width - 560 + i * 135, 14, 14, 14);
    ctx.fillStyle = '#111';
    ctx.fillText(`vs ${b}`, width - 540 + i * 135, 26);
  });
  return canvas.toDataURL('image/png');
}
