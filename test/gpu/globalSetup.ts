// Starts one Vite server on 127.0.0.1 (WebGPU needs a secure context) and one headless Chromium for the
// whole browser tier; test files connect to it through the endpoint provided here.
import { createServer, type ViteDevServer } from 'vite';
import type { Browser } from 'puppeteer';
import type { TestProject } from 'vitest/node';
import { launchChromium } from '../../bench/chromium.js';

declare module 'vitest' {
  export interface ProvidedContext {
    browserEndpoint: string;
    /** Base URL of the Vite server, ending in '/'. */
    serverUrl: string;
  }
}

let server: ViteDevServer | undefined;
let browser: Browser | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await createServer({
    configFile: false,
    root: process.cwd(),
    logLevel: 'warn',
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('vite did not report a port');
  browser = await launchChromium();
  project.provide('browserEndpoint', browser.wsEndpoint());
  project.provide('serverUrl', `http://127.0.0.1:${address.port}/`);
}

export async function teardown(): Promise<void> {
  await browser?.close();
  await server?.close();
}
