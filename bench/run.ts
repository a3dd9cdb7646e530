// Drives the benchmark page in headless Chromium: every system on every workload, then the table, the
// results JSON and the chart. Loaded by bench/cli.mjs through Vite, which also serves the page.
import { writeFileSync, mkdirSync } from 'node:fs';
import { launchChromium, openBenchPage } from './chromium.js';
import { TARGET_NLL } from './workloads.js';
import type { BenchmarkResult, RunOptions, SystemFigures } from './figures.js';
import type { CeilingFigures } from './ceiling.js';
import type { LatencyFigure } from './embedded.js';
import { formatCeiling, formatLatencyTable, formatTable, machineOf } from './report.js';
import { measureAll } from './runOne.js';

export interface BenchmarkOptions {
  readonly serverUrl: string;
  readonly quick: boolean;
  readonly workloads?: string[];
  readonly systems?: string[];
  readonly outDir: string;
  /** Only the embedded-inference latency table (written to embedded.json). */
  readonly embeddedOnly?: boolean;
}

interface BenchPage {
  bench: {
    runOne(o: RunOptions): Promise<SystemFigures>;
    ceiling(quick: boolean): Promise<CeilingFigures>;
    drawChart(r: BenchmarkResult): string;
    embeddedLatency(quick: boolean): Promise<LatencyFigure[]>;
    systems: string[];
    workloads: string[];
  };
}

export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const browser = await launchChromium(0);
  try {
    const { page, env } = await openBenchPage(browser, options.serverUrl);
    const known = await page.evaluate(() => ({ systems: (window as unknown as BenchPage).bench.systems, workloads: (window as unknown as BenchPage).bench.workloads }));
    const workloads = options.workloads ?? (options.quick ? ['seed-small'] : known.workloads);
    const systems = options.systems ?? known.systems;
    if (options.embeddedOnly) {
      const embedded = await page.evaluate((q: boolean) => (window as unknown as BenchPage).bench.embeddedLatency(q), options.quick);
      mkdirSync(options.outDir, { recursive: true });
      const record = { date: new Date().toISOString(), machine: machineOf(), browser: env.browser, adapter: env.adapter, embedded };
      writeFileSync(`${options.outDir}/embedded.json`, `${JSON.stringify(record, null, 2)}\n`);
      console.log(`\n${formatLatencyTable(embedded)}\nwritten: ${options.outDir}/embedded.json`);
      return record as unknown as BenchmarkResult;
    }
    const runInPage = (o: RunOptions) => page.evaluate((options: RunOptions) => (window as unknown as BenchPage).bench.runOne(options), o);
    const figures = await measureAll(runInPage, workloads, systems, options.quick);
    const ceiling = await page.evaluate((q: boolean) => (window as unknown as BenchPage).bench.ceiling(q), options.quick);
    const embedded = options.systems ? undefined : await page.evaluate((q: boolean) => (window as unknown as BenchPage).bench.embeddedLatency(q), options.quick);
    const result: BenchmarkResult = {
      date: new Date().toISOString(),
      quick: options.quick,
      machine: machineOf(),
      browser: env.browser,
      adapter: env.adapter,
      ceiling,
      targetNll: TARGET_NLL,
      figures,
      embedded,
    };
    mkdirSync(options.outDir, { recursive: true });
    const name = options.quick ? 'quick' : 'latest';
    writeFileSync(`${options.outDir}/${name}.json`, `${JSON.stringify(result, null, 2)}\n`);
    const png = await page.evaluate((r: BenchmarkResult) => (window as unknown as BenchPage).bench.drawChart(r), result);
    writeFileSync(`${options.outDir}/${name}.png`, Buffer.from(png.split(',')[1], 'base64'));
    console.log(`\n${formatTable(result)}`);
    console.log(`\n${formatCeiling(ceiling)}`);
    if (embedded) console.log(`\n${formatLatencyTable(embedded)}`);
    console.log(`written: ${options.outDir}/${name}.json, ${options.outDir}/${name}.png`);
    return result;
  } finally {
    await browser.close();
  }
}
