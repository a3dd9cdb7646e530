// A first demo: train the inverse-sine problem live and draw the loss. `?steps=N` sets the number of steps.
import { browserGpu } from '../src/host/browser.js';
import { trainInverseSine } from '../src/mdn/inverseSineJob.js';

const status = document.getElementById('status')!;
const button = document.getElementById('train') as HTMLButtonElement;
const readout = document.getElementById('readout')!;
const canvas = document.getElementById('loss') as HTMLCanvasElement;
const steps = Number(new URLSearchParams(location.search).get('steps') ?? 3000);

function drawLoss(history: readonly { step: number; nll: number }[]): void {
  const ctx = canvas.getContext('2d')!;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (history.length < 2) return;
  const values = history.map((h) => h.nll);
  const low = Math.min(...values);
  const high = Math.max(...values);
  ctx.strokeStyle = '#1565c0';
  ctx.lineWidth = 2;
  ctx.beginPath();
  history.forEach((h, i) => {
    const x = (h.step / steps) * (canvas.width - 20) + 10;
    const y = canvas.height - 10 - ((h.nll - low) / (high - low || 1)) * (canvas.height - 20);
    if (i === 0) ctx.moveTo(x, y);
    else ctx.lineTo(x, y);
  });
  ctx.stroke();
}

try {
  const gpu = await browserGpu();
  status.textContent = `WebGPU adapter: ${gpu.adapterDescription}${gpu.isSoftwareAdapter ? ' (software: no GPU found)' : ''}`;
  button.disabled = false;
  button.addEventListener('click', async () => {
    button.disabled = true;
    document.body.dataset.state = 'training';
    const history: { step: number; nll: number }[] = [];
    const started = performance.now();
    const result = await trainInverseSine(gpu, {
      steps,
      onProgress: (r) => {
        history.push({ step: r.step, nll: r.nll });
        const rate = r.step / ((performance.now() - started) / 1000);
        readout.textContent = `step ${r.step} of ${steps}: NLL ${r.nll.toFixed(4)} nats, ${rate.toFixed(0)} steps/s`;
        drawLoss(history);
      },
    });
    readout.textContent = `done: NLL ${result.nll.toFixed(4)} nats after ${result.steps} steps, ${(result.steps / result.seconds).toFixed(0)} steps/s, ${result.dispatchesPerStep} GPU dispatches per step`;
    Object.assign(document.body.dataset, { state: 'done', firstNll: String(history[0].nll), lastNll: String(result.nll) });
    button.disabled = false;
  });
} catch (error) {
  status.textContent = `This page needs WebGPU, and it is not available here: ${error instanceof Error ? error.message : String(error)}`;
  status.classList.add('error');
}
