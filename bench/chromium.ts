// Launches the system Chromium headless with WebGPU on (SwiftShader where there is no GPU). Puppeteer cannot
// download its own browser on our machines; MIXDEN_CHROMIUM overrides the binary.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer';

/** `protocolTimeout` (ms, 0 for none): how long one page.evaluate may run; the benchmark's slowest runs take minutes. */
export async function launchChromium(protocolTimeout = 180_000): Promise<Browser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'mixden-chromium-'));
  return puppeteer.launch({
    protocolTimeout,
    executablePath: process.env.MIXDEN_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    userDataDir,
    args: [
      '--headless=new',
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(process.env.MIXDEN_CHROMIUM_ARGS?.split(' ').filter(Boolean) ?? []),
    ],
  });
}

/**
 * Opens the benchmark page (bench/index.html, served at `serverUrl`), waits until it is ready, and prints the
 * adapter and browser it reports.
 */
export async function openBenchPage(browser: Browser, serverUrl: string): Promise<{ page: Page; env: { adapter: string; browser: string } }> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.error(`page error: ${e}`));
  await page.goto(`${serverUrl}bench/index.html`);
  await page.waitForFunction('window.benchReady === true', { timeout: 120_000 });
  const env = await page.evaluate(() => (window as unknown as { bench: { environment(): Promise<{ adapter: string; browser: string }> } }).bench.environment());
  console.log(`adapter: ${env.adapter}\nbrowser: ${env.browser}`);
  return { page, env };
}
