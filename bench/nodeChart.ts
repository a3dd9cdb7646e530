// The Node benchmark's chart: mixden's speed as a multiple of each tfjs backend in the same run, per workload,
// for training and inference (log scale; 1× is parity), as a Vega-Lite chart rendered to PNG by resvg.
import type { BenchmarkResult } from './figures.js';

const FIGURES = [
  { title: 'training steps/s', value: (f: BenchmarkResult['figures'][number]) => f.trainStepsPerSecond?.median },
  { title: 'inference samples/s', value: (f: BenchmarkResult['figures'][number]) => f.inferenceSamplesPerSecond?.median },
];

/** Rows of (figure, workload, backend, ratio) for the chart and for anyone reading the JSON. */
export function ratios(result: BenchmarkResult): { figure: string; workload: string; backend: string; ratio: number }[] {
  const rows: { figure: string; workload: string; backend: string; ratio: number }[] = [];
  for (const figure of FIGURES) {
    for (const mine of result.figures.filter((f) => f.system === 'mixden' && !f.skipped)) {
      for (const theirs of result.figures.filter((f) => f.workload === mine.workload && f.system !== 'mixden' && !f.skipped)) {
        const a = figure.value(mine);
        const b = figure.value(theirs);
        if (a && b) rows.push({ figure: figure.title, workload: mine.workload, backend: theirs.system, ratio: a / b });
      }
    }
  }
  return rows;
}

export async function renderNodeChart(result: BenchmarkResult): Promise<Uint8Array> {
  const [vega, vegaLite, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `mixden ÷ tfjs, same Node process type and run (${result.adapter}; ${result.date.slice(0, 10)})`,
    data: { values: ratios(result) },
    facet: { column: { field: 'figure', title: null } },
    spec: {
      width: 360,
      height: 260,
      layer: [
        // Bars from parity (1×) to the ratio: up where mixden is faster, down where it is slower.
        {
          mark: { type: 'bar' },
          encoding: {
            x: { field: 'workload', title: null, axis: { labelAngle: 0 } },
            xOffset: { field: 'backend' },
            y: { field: 'ratio', type: 'quantitative', scale: { type: 'log' }, title: 'mixden ÷ backend (above 1: mixden faster)' },
            y2: { datum: 1 },
            color: { field: 'backend', title: 'tfjs backend' },
          },
        },
        {
          mark: { type: 'text', dy: -6, fontSize: 11 },
          encoding: {
            x: { field: 'workload' },
            xOffset: { field: 'backend' },
            y: { field: 'ratio', type: 'quantitative' },
            text: { field: 'ratio', type: 'quantitative', format: '.2f' },
          },
        },
        { mark: { type: 'rule', color: '#333' }, encoding: { y: { datum: 1 } } },
      ],
    },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
