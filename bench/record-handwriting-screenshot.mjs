#!/usr/bin/env node
// The README's screenshot of the handwriting page: the built demo (npm run build:demo) served statically, opened
// in headless Chromium (SwiftShader), trained on three letters for STEPS steps, then a screenshot to
// docs/demo-handwriting.png; then the bowl of an a written with the mouse and continued by the model, the whole
// page to docs/demo-handwriting-continued.png. Usage: node bench/record-handwriting-screenshot.mjs [STEPS]   (default 600)
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import puppeteer from 'puppeteer';

const steps = Number(process.argv[2] ?? 600);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };
const root = normalize('dist-demo');
const server = createServer((request, response) => {
  const path = normalize(join(root, decodeURIComponent(new URL(request.url, 'http://x').pathname)));
  try {
    if (!path.startsWith(root)) throw new Error('outside');
    response.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' });
    response.end(readFileSync(path));
  } catch {
    response.writeHead(404);
    response.end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const browser = await puppeteer.launch({
  headless: true,
  executablePath: process.env.MIXDEN_CHROMIUM ?? '/usr/bin/chromium',
  protocolTimeout: 1_800_000,
  // As bench/chromium.ts launches it for the tests.
  args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  page.on('console', (m) => m.type() === 'error' && console.error(m.text()));
  await page.goto(`http://127.0.0.1:${server.address().port}/handwriting.html?autostart=1&steps=${steps}&letters=abc`);
  const started = Date.now();
  await page.waitForFunction(`window.demo.state.error !== '' || (window.demo.state.step >= ${steps} && window.demo.state.settled)`, { timeout: 1_800_000, polling: 1000 });
  const state = await page.evaluate(() => window.demo.state);
  if (state.error) throw new Error(state.error);
  await page.screenshot({ path: 'docs/demo-handwriting.png' });
  console.log(`${steps} steps in ${((Date.now() - started) / 1000).toFixed(0)} s; loss ${state.firstLoss.toFixed(3)} -> ${state.lastLoss.toFixed(3)}; docs/demo-handwriting.png`);
  // The bowl of an a, counter-clockwise from its top right, as a hand would start one; then "Continue it".
  await page.$eval('#write', (e) => e.scrollIntoView({ block: 'center' }));
  const box = await (await page.$('#write')).boundingBox();
  const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
  const bowl = [[22, -22], [0, -33], [-27, -18], [-33, 12], [-12, 30], [15, 15], [22, -22]];
  await page.mouse.move(cx + bowl[0][0], cy + bowl[0][1]);
  await page.mouse.down();
  for (const [x, y] of bowl.slice(1)) await page.mouse.move(cx + x, cy + y, { steps: 8 });
  await page.mouse.up();
  await page.click('#continue');
  await page.waitForFunction("window.demo.state.error !== '' || window.demo.state.primedDrawings > 0", { timeout: 120_000 });
  await page.screenshot({ path: 'docs/demo-handwriting-continued.png', fullPage: true });
  console.log('docs/demo-handwriting-continued.png');
} finally {
  await browser.close();
  server.close();
}
