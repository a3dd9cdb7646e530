// The benchmark table: each figure per system, and mixden's ratio to each tfjs backend from the same run.
import { cpus } from 'node:os';
import type { BenchmarkResult, SystemFigures } from './figures.js';
import type { CeilingFigures } from './ceiling.js';
import type { LatencyFigure } from './embedded.js';

interface Row {
  readonly label: string;
  readonly value: (f: SystemFigures) => number | null | undefined;
  /** Higher is better (throughputs); false for times, where the ratio is theirs / ours. */
  readonly higherIsBetter: boolean;
  readonly format: (v: number) => string;
}

const number = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toPrecision(2));

const ROWS: Row[] = [
  { label: 'train steps/s', value: (f) => f.trainStepsPerSecond?.median, higherIsBetter: true, format: number },
  { label: 'step + loss readback ms', value: (f) => f.stepLatencyMs?.median, higherIsBetter: false, format: number },
  { label: 'inference samples/s', value: (f) => f.inferenceSamplesPerSecond?.median, higherIsBetter: true, format: number },
  { label: 'time to target NLL s', value: (f) => (f.timeToTarget === undefined ? undefined : (f.timeToTarget?.seconds ?? null)), higherIsBetter: false, format: number },
  { label: 'memory MiB', value: (f) => (f.memoryBytes == null ? undefined : f.memoryBytes / 2 ** 20), higherIsBetter: false, format: number },
  { label: 'dispatches/step', value: (f) => f.dispatchesPerStep, higherIsBetter: false, format: (v) => v.toFixed(0) },
];

export function formatTable(result: BenchmarkResult): string {
  const systems = [...new Set(result.figures.map((f) => f.system))];
  const workloads = [...new Set(result.figures.map((f) => f.workload))];
  const lines: string[] = [];
  const header = ['workload', 'figure', ...systems];
  const body: string[][] = [];
  for (const w of workloads) {
    for (const row of ROWS) {
      const mine = result.figures.find((f) => f.system === 'mixden' && f.workload === w);
      const mineValue = mine ? row.value(mine) : undefined;
      const cells = systems.map((s) => {
        const f = result.figures.find((x) => x.system === s && x.workload === w);
        if (!f || f.skipped) return 'n/a';
        const v = row.value(f);
        if (v === undefined) return '';
        if (v === null) return '> cap';
        if (s === 'mixden' || mineValue == null || row.label === 'dispatches/step' || row.label === 'memory MiB') return row.format(v);
        const ratio = row.higherIsBetter ? mineValue / v : v / mineValue;
        return `${row.format(v)} (${number(ratio)}x)`;
      });
      if (cells.some((c) => c !== '')) body.push([w, row.label, ...cells]);
    }
  }
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  lines.push(fmt(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(fmt));
  lines.push('');
  lines.push('(Nx) = how many times mixden is faster than that tfjs backend on that figure, measured in this run.');
  return lines.join('\n');
}

/** Per-call latency of mixden/inference and tfjs predict by batch size, with mixden's ratio to each. */
export function formatLatencyTable(figures: readonly LatencyFigure[]): string {
  const systems = [...new Set(figures.map((f) => f.system))];
  const batches = [...new Set(figures.map((f) => f.batch))];
  const header = ['batch', ...systems.map((s) => `${s} ms/call`)];
  const rows = batches.map((batch) => {
    const mine = figures.find((f) => f.system === systems[0] && f.batch === batch);
    return [
      String(batch),
      ...systems.map((s) => {
        const f = figures.find((x) => x.system === s && x.batch === batch);
        if (!f?.latencyMs) return f?.skipped ? 'skipped' : 'n/a';
        // performance.now() is coarsened to 0.1 ms in the page: a zero median means under that.
        if (f.latencyMs.median === 0) return '< 0.1';
        const ms = number(f.latencyMs.median);
        return s === systems[0] || !mine?.latencyMs ? ms : `${ms} (${number(f.latencyMs.median / mine.latencyMs.median)}x)`;
      }),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [
    'Embedded inference (seed-small model, mixture parameters, readback included), per call:',
    fmt(header),
    `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`,
    ...rows.map(fmt),
    '(Nx) = how many times longer that backend takes than mixden/inference for the same call.',
  ].join('\n');
}

/** The machine a result was measured on (Node side). */
export const machineOf = (): BenchmarkResult['machine'] => ({ cores: cpus().length, platform: `${process.platform} ${process.arch}`, node: process.version });

/** The adapter's ceiling and mixden's matmul as a share of it, as one line. */
export const formatCeiling = (c: CeilingFigures): string =>
  `adapter arithmetic ceiling ${c.ceilingGflops.toFixed(2)} GFLOP/s; mixden matmul ${c.matmulShape}: ` +
  `${c.matmulGflops.toFixed(2)} GFLOP/s = ${((100 * c.matmulGflops) / c.ceilingGflops).toFixed(0)}% of it`;
