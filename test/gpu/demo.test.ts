// The demo page: finds WebGPU, trains the inverse-sine problem when asked, and the loss falls, with no console error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import puppeteer from 'puppeteer';
import { inject } from 'vitest';
import { type GpuPage, openGpuPage } from './page.js';

let demo: GpuPage;
beforeAll(async () => {
  demo = await openGpuPage('demo/index.html?steps=300', "!document.getElementById('train').disabled");
});
afterAll(async () => {
  await demo.close();
});

describe('demo page', () => {
  it('names the adapter, trains on click, and the loss falls', async () => {
    const status = await demo.page.$eval('#status', (e) => e.textContent ?? '');
    expect(status).toMatch(/WebGPU adapter: /);
    await demo.page.click('#train');
    await demo.page.waitForFunction("document.body.dataset.state === 'done'", { timeout: 120_000 });
    const { firstNll, lastNll } = await demo.page.evaluate(() => ({ ...document.body.dataset }));
    expect(Number(lastNll)).toBeLessThan(Number(firstNll));
    expect(await demo.page.$eval('#readout', (e) => e.textContent ?? '')).toMatch(/^done: NLL \d\.\d{4} nats after 300 steps/);
    expect(demo.errors).toEqual([]);
  });
});

describe('demo page without WebGPU', () => {
  it('says so plainly instead of showing a blank page', async () => {
    const browser = await puppeteer.connect({ browserWSEndpoint: inject('browserEndpoint') });
    const page = await browser.newPage();
    try {
      await page.evaluateOnNewDocument(() => {
        Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined });
      });
      await page.goto(`${inject('serverUrl')}demo/index.html`);
      await page.waitForFunction("document.getElementById('status').classList.contains('error')", { timeout: 60_000 });
      expect(await page.$eval('#status', (e) => e.textContent)).toMatch(/needs WebGPU.*navigator\.gpu is missing/);
      expect(await page.$eval('#train', (e) => (e as HTMLButtonElement).disabled)).toBe(true);
    } finally {
      await page.close();
      await browser.disconnect();
    }
  });
});
