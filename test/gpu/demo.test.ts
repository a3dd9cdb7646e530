// The built demo (npm run build:demo), served statically as any host would: it trains the inverse-sine problem
// for 300 steps, the loss falls, the heatmap shows the density where the data are, nothing is logged as an
// error, and it lays out at 1280x800 and at a phone's width. Screenshots go to test-artifacts/.
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.png': 'image/png' };
const ROOT = normalize('dist-demo');
let server: Server;
let base: string;
let browser: Browser;

beforeAll(async () => {
  await promisify(execFile)(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'demo', '--base', './', '--outDir', '../dist-demo', '--emptyOutDir', '--logLevel', 'error'], { timeout: 120_000 });
  server = createServer((request, response) => {
    const path = normalize(join(ROOT, decodeURIComponent(new URL(request.url!, 'http://x').pathname)));
    try {
      if (!path.startsWith(ROOT)) throw new Error('outside');
      const file = path.endsWith('/') || path === ROOT ? join(path, 'index.html') : path;
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
      response.end(readFileSync(file));
    } catch {
      response.writeHead(404);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  browser = await puppeteer.connect({ browserWSEndpoint: inject('browserEndpoint') });
  mkdirSync('test-artifacts', { recursive: true });
}, 180_000);

afterAll(async () => {
  await browser?.disconnect();
  // A page's keep-alive connection would hold close() open until the hook times out.
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
});

async function open(query: string, width: number, height: number, file = 'index.html'): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.setViewport({ width, height });
  await page.goto(`${base}${file}${query}`);
  return { page, errors };
}

describe('demo page (built)', () => {
  it('trains the inverse-sine problem: the loss falls and the heatmap puts the density on the data', async () => {
    const { page, errors } = await open('?problem=inverse-sine&autostart=1&steps=300', 1280, 800);
    try {
      await page.waitForFunction("window.demo.state.error !== '' || (window.demo.state.step >= 300 && window.demo.state.settled)", { timeout: 150_000 });
      const state = await page.evaluate(() => (window as unknown as { demo: { state: Record<string, number | string> } }).demo.state);
      expect(state.error).toBe('');
      expect(state.lastLoss).toBeLessThan(state.firstLoss as number);
      // Mean density at the data points over the mean over the whole picture: well above 1 once the model has
      // found the branches (a flat density would give about 1).
      expect(state.contrast).toBeGreaterThan(3);
      const pixels = await page.evaluate(() => {
        const canvas = document.getElementById('heatmap') as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let sum = 0;
        let squares = 0;
        for (let i = 0; i < data.length; i += 4) {
          const v = (data[i] + data[i + 1] + data[i + 2]) / 3;
          sum += v;
          squares += v * v;
        }
        const n = data.length / 4;
        return { mean: sum / n, sd: Math.sqrt(squares / n - (sum / n) ** 2) };
      });
      expect(pixels.sd).toBeGreaterThan(10); // not blank, not flat
      expect(await page.$eval('#readout', (e) => e.textContent)).toMatch(/step 300 · loss -?\d\.\d{3} · validation -?\d\.\d{3} · \d+ steps\/s/);
      expect(await page.$eval('#status', (e) => e.textContent)).toMatch(/WebGPU adapter: /);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(overflow).toBe(false);
      await page.screenshot({ path: 'test-artifacts/demo-desktop.png' });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("trains on the visitor's own CSV, read in the page, with the columns they choose", async () => {
    const csv = join('test-artifacts', 'demo-upload.csv');
    const rows = Array.from({ length: 300 }, (_, i) => {
      const x = -3 + (6 * i) / 299;
      return `${i},${x.toFixed(4)},${(Math.sin(2 * x) + (i % 2 ? 0.8 : -0.8)).toFixed(4)}`;
    });
    writeFileSync(csv, `id,input,target\n${rows.join('\n')}\n`);
    const { page, errors } = await open('?steps=50', 1280, 800);
    try {
      await page.waitForFunction("!document.getElementById('start').disabled", { timeout: 60_000 });
      await page.select('#problem', 'csv');
      const input = await page.$('#csv-file');
      await (input as unknown as { uploadFile(path: string): Promise<void> }).uploadFile(csv);
      await page.waitForFunction("document.getElementById('readout').textContent.includes('300 rows read')", { timeout: 30_000 });
      await page.select('#csv-x', 'input');
      await page.select('#csv-y', 'target');
      await page.click('#start');
      await page.waitForFunction("window.demo.state.error !== '' || (window.demo.state.step >= 50 && window.demo.state.settled)", { timeout: 120_000 });
      const state = await page.evaluate(() => (window as unknown as { demo: { state: Record<string, number | string> } }).demo.state);
      expect(state.error).toBe('');
      expect(state.lastLoss).toBeLessThan(state.firstLoss as number);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('handwriting: trains a recurrent MDN on letters live, the loss falls, letters are drawn from it, and it continues one written with the mouse', async () => {
    const { page, errors } = await open('?autostart=1&steps=40&letters=ab&per-letter=8&units=16', 1280, 800, 'handwriting.html');
    try {
      await page.waitForFunction("window.demo.state.error !== '' || (window.demo.state.step >= 40 && window.demo.state.settled)", { timeout: 150_000 });
      const state = await page.evaluate(() => (window as unknown as { demo: { state: Record<string, number | string> } }).demo.state);
      expect(state.error).toBe('');
      expect(state.lastLoss).toBeLessThan(state.firstLoss as number);
      expect(state.drawings).toBeGreaterThan(0);
      expect(state.drawnSteps).toBeGreaterThan(0);
      // Ink on the drawing canvas: some pixels are dark.
      const dark = await page.evaluate(() => {
        const canvas = document.getElementById('drawings') as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 128) n++;
        return n;
      });
      expect(dark).toBeGreaterThan(50);
      expect(await page.$eval('#readout', (e) => e.textContent)).toMatch(/step 40: loss -?\d\.\d{3} nats per step/);
      expect(await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth)).toBe(false);
      // Write the start of a letter with the mouse (two strokes), then let the model continue it: the drawings
      // start with it, in blue.
      await page.$eval('#write', (e) => e.scrollIntoView({ block: 'center' }));
      const box = (await (await page.$('#write'))!.boundingBox())!;
      const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
      for (const stroke of [[[-40, 20], [-20, -10], [0, -25], [10, 0]], [[20, -20], [25, 15]]]) {
        await page.mouse.move(cx + stroke[0][0], cy + stroke[0][1]);
        await page.mouse.down();
        for (const [x, y] of stroke.slice(1)) await page.mouse.move(cx + x, cy + y, { steps: 6 });
        await page.mouse.up();
      }
      expect(await page.$eval('#continue', (e) => (e as HTMLButtonElement).disabled)).toBe(false);
      await page.click('#continue');
      await page.waitForFunction("window.demo.state.error !== '' || window.demo.state.primedDrawings > 0", { timeout: 60_000 });
      const primed = await page.evaluate(() => (window as unknown as { demo: { state: Record<string, number | string> } }).demo.state);
      expect(primed.error).toBe('');
      expect(primed.primeSteps).toBeGreaterThan(6);
      const blue = await page.evaluate(() => {
        const canvas = document.getElementById('drawings') as HTMLCanvasElement;
        const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 128 && data[i + 2] > data[i] + 80) n++;
        return n;
      });
      expect(blue).toBeGreaterThan(50);
      await page.screenshot({ path: 'test-artifacts/demo-handwriting.png' });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('fits a phone-width screen without horizontal scrolling', async () => {
    const { page, errors } = await open('', 390, 844);
    try {
      await page.waitForFunction("!document.getElementById('start').disabled", { timeout: 60_000 });
      const layout = await page.evaluate(() => ({
        overflow: document.documentElement.scrollWidth > window.innerWidth,
        heatmapWidth: document.getElementById('heatmap')!.getBoundingClientRect().width,
      }));
      expect(layout.overflow).toBe(false);
      expect(layout.heatmapWidth).toBeGreaterThan(300);
      await page.screenshot({ path: 'test-artifacts/demo-phone.png', fullPage: true });
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('says plainly when WebGPU is missing instead of showing a blank page', async () => {
    const page = await browser.newPage();
    try {
      await page.evaluateOnNewDocument(() => {
        Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
      });
      await page.goto(`${base}index.html`);
      await page.waitForFunction("document.getElementById('status').classList.contains('error')", { timeout: 60_000 });
      expect(await page.$eval('#status', (e) => e.textContent)).toMatch(/needs WebGPU.*navigator\.gpu is missing/);
      expect(await page.$eval('#start', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
    } finally {
      await page.close();
    }
  });
});
