// The sequence benchmark in headless Chromium (`npm run bench:sequence`, the default host): mixden on the page's
// WebGPU adapter against TensorFlow.js's webgpu, webgl, wasm and cpu backends in the same page, one system after
// another. Writes bench/results/sequence-browser-latest.json (or -quick) and prints the table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, openBenchPage } from '../chromium.js';
import { machineOf } from '../report.js';
import { type SequenceFigures, formatSequenceTable } from './run.js';

interface SequencePage {
  bench: {
    sequence(system: string, quick: boolean): Promise<SequenceFigures[]>;
    sequenceSystems: string[];
  };
}

export async function runBrowserSequenceBenchmark(options: { serverUrl: string; quick: boolean; outDir: string; systems?: string[] }): Promise<void> {
  const browser = await launchChromium(0);
  try {
    const { page, env } = await openBenchPage(browser, options.serverUrl);
    const known = await page.evaluate(() => (window as unknown as SequencePage).bench.sequenceSystems);
    const figures: SequenceFigures[] = [];
    for (const system of options.systems ?? known) {
      const started = Date.now();
      const [f] = await page.evaluate((s: string, q: boolean) => (window as unknown as SequencePage).bench.sequence(s, q), system, options.quick);
      figures.push(f);
      const summary = f.skipped ? `skipped: ${f.skipped}` : `${f.trainStepsPerSecond!.median.toPrecision(3)} steps/s, generation ${f.generateSeconds!.median.toPrecision(3)} s`;
      console.log(`  sequence     ${system.padEnd(12)} ${summary}  (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    const result = { date: new Date().toISOString(), quick: options.quick, machine: machineOf(), host: env.browser, adapter: env.adapter, figures };
    mkdirSync(options.outDir, { recursive: true });
    const file = join(options.outDir, options.quick ? 'sequence-browser-quick.json' : 'sequence-browser-latest.json');
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\n${formatSequenceTable(figures)}\n\nwritten: ${file}`);
  } finally {
    await browser.close();
  }
}
