// The report's picture of p(y | x): a declarative Vega-Lite chart (density as a heatmap with a colour bar, the
// data and drawn samples as markers with a legend, axes named after the columns, a title), rendered to SVG by
// Vega in Node and rasterised to PNG by resvg. Both load only when a plot is drawn.

export interface DensityPlot {
  readonly title: string;
  readonly xName: string;
  readonly yName: string;
  /** Cell centres of the grid, in original units. */
  readonly xs: ArrayLike<number>;
  readonly ys: ArrayLike<number>;
  /** p(ys[i] | xs[j]) at [i * xs.length + j]. */
  readonly density: ArrayLike<number>;
  readonly points: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> };
  readonly samples: { readonly x: ArrayLike<number>; readonly y: ArrayLike<number> };
  /** The PIT histogram of the held-out rows (counts per equal bin of [0, 1]), drawn beside the density. */
  readonly pit?: readonly number[];
}

/** The chart as a Vega-Lite specification (exported for tests and for users who want the SVG or JSON). */
export function densityPlotSpec(plot: DensityPlot): Record<string, unknown> {
  const { xs, ys } = plot;
  const halfX = (xs[1] - xs[0]) / 2;
  const halfY = Math.abs(ys[1] - ys[0]) / 2;
  const cells = [];
  for (let i = 0; i < ys.length; i++) {
    // Each cell a little wider than its step, so that no seam of background shows between neighbours.
    for (let j = 0; j < xs.length; j++) cells.push({ x: xs[j] - halfX, x2: xs[j] + 1.1 * halfX, y: ys[i] - halfY, y2: ys[i] + 1.1 * halfY, p: plot.density[i * xs.length + j] });
  }
  const markers = [
    ...Array.from(plot.points.x, (x, i) => ({ x, y: plot.points.y[i], kind: 'data' })),
    ...Array.from(plot.samples.x, (x, i) => ({ x, y: plot.samples.y[i], kind: 'MDN samples' })),
  ];
  const domain = (v: ArrayLike<number>, half: number) => [Math.min(...Array.from(v)) - half, Math.max(...Array.from(v)) + half];
  const x = { field: 'x', type: 'quantitative', title: plot.xName, scale: { domain: domain(xs, halfX), nice: false, zero: false } };
  const y = { field: 'y', type: 'quantitative', title: plot.yName, scale: { domain: domain(ys, halfY), nice: false, zero: false } };
  const density = {
    width: 560,
    height: 400,
    layer: [
      {
        data: { values: cells },
        mark: { type: 'rect', strokeWidth: 0 },
        encoding: {
          x,
          x2: { field: 'x2' },
          y,
          y2: { field: 'y2' },
          color: { field: 'p', type: 'quantitative', title: 'p(y | x)', scale: { type: 'sqrt', scheme: 'viridis' }, legend: { gradientLength: 300 } },
        },
      },
      {
        data: { values: markers },
        // Draws can land outside the data's range: clipped to the plot, not drawn over the title.
        mark: { type: 'circle', size: 14, opacity: 0.85, stroke: 'black', strokeWidth: 0.3, clip: true },
        encoding: {
          x,
          y,
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: ['data', 'MDN samples'], range: ['#ffffff', '#ff5a36'] } },
        },
      },
    ],
    resolve: { scale: { color: 'independent' }, legend: { color: 'independent' } },
  };
  const frame = { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', title: plot.title, background: 'white', config: { font: 'sans-serif', legend: { orient: 'right' } } };
  if (!plot.pit) return { ...frame, ...density };
  return { ...frame, hconcat: [density, pitHistogramSpec(plot.pit)] };
}

// PIT values of calibrated predictions are uniform: bars at the dashed line's height.
function pitHistogramSpec(pit: readonly number[]): Record<string, unknown> {
  const total = pit.reduce((a, b) => a + b, 0);
  const bins = pit.map((count, i) => ({ from: i / pit.length, to: (i + 1) / pit.length, share: count / total }));
  return {
    width: 220,
    height: 400,
    title: { text: 'PIT of held-out rows', fontSize: 12 },
    layer: [
      {
        data: { values: bins },
        mark: { type: 'rect', color: '#4c78a8', stroke: 'white', strokeWidth: 1 },
        encoding: {
          x: { field: 'from', type: 'quantitative', title: 'F(y | x)', scale: { domain: [0, 1] } },
          x2: { field: 'to' },
          y: { field: 'share', type: 'quantitative', title: 'share of rows' },
          y2: { datum: 0 },
        },
      },
      {
        data: { values: [{ level: 1 / pit.length }] },
        mark: { type: 'rule', strokeDash: [4, 3], color: 'black' },
        encoding: { y: { field: 'level', type: 'quantitative' } },
      },
    ],
  };
}

/**
 * Renders the plot as PNG bytes (1.5 times the chart's size in pixels, for sharp text).
 * @example
 * writeFileAtomic('density.png', await renderDensityPlot(plot));
 */
export async function renderDensityPlot(plot: DensityPlot): Promise<Uint8Array> {
  const [vega, vegaLite, { Resvg }] = await Promise.all([import('vega'), import('vega-lite'), import('@resvg/resvg-js')]);
  const compiled = vegaLite.compile(densityPlotSpec(plot) as never).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 1.5 }, font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}

/** Any SVG text rasterised to PNG by resvg (loaded only when called). */
export async function svgToPng(svg: string): Promise<Uint8Array> {
  const { Resvg } = await import('@resvg/resvg-js');
  return new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render().asPng();
}
