#!/usr/bin/env node
// The README's screenshot of the handwriting page: the built demo (npm run build:demo) served statically, opened
// in headless Chromium (SwiftShader), trained on three letters for STEPS steps, then a screenshot to
// docs/demo-handwriting.png. Usage: node bench/record-handwriting-screenshot.mjs [STEPS]   (default 600)
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
} finally {
  await browser.close();
  server.close();
}
