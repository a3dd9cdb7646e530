// Connects to the shared Chromium and opens the test page; `run` calls a case registered in the page.
import puppeteer, { type Browser, type Page } from 'puppeteer';
import { afterAll, beforeAll, expect, inject } from 'vitest';

export interface GpuPage {
  readonly page: Page;
  run<T>(name: string, args?: unknown): Promise<T>;
  /** Console errors and page errors seen so far. */
  readonly errors: string[];
  close(): Promise<void>;
}

/** Opens `path` on the test server (default: the page of browser test cases) and waits for `ready`. */
export async function openGpuPage(path = 'test/browser/index.html', ready = 'window.mixdenReady === true'): Promise<GpuPage> {
  const browser: Browser = await puppeteer.connect({ browserWSEndpoint: inject('browserEndpoint') });
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${inject('serverUrl')}${path}`);
  await page.waitForFunction(ready, { timeout: 60_000 });
  return {
    page,
    errors,
    run: <T>(name: string, args?: unknown) =>
      page.evaluate((n: string, a: unknown) => (window as unknown as { runCase(n: string, a: unknown): Promise<T> }).runCase(n, a), name, args) as Promise<T>,
    close: async () => {
      await page.close();
      await browser.disconnect();
    },
  };
}

/**
 * Opens the case page once for the file, and on closing fails the file if any console error appeared.
 * Returns a getter, since the page exists only once beforeAll has run.
 */
export function useGpuPage(): () => GpuPage {
  let page: GpuPage | undefined;
  beforeAll(async () => {
    page = await openGpuPage();
  });
  afterAll(async () => {
    if (!page) return;
    expect(page.errors).toEqual([]);
    await page.close();
  });
  return () => {
    if (!page) throw new Error('the GPU page is not open yet');
    return page;
  };
}
