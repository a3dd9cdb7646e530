// Axes for the demo's canvases: round tick values (1, 2 or 5 times a power of ten), tick marks with their
// labels along the bottom and left edges, and the axis names, drawn over the plot with a dark halo so they stay
// legible on any colour.

/** About `count` round values covering [low, high]. */
export function niceTicks(low: number, high: number, count = 6): number[] {
  if (!(high > low)) return [low];
  const raw = (high - low) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(low / step) * step; v <= high + 1e-9 * step; v += step) ticks.push(Math.abs(v) < 1e-12 * step ? 0 : v);
  return ticks;
}

const label = (v: number) => (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0) ? v.toExponential(0) : String(Number(v.toPrecision(4))));

export interface AxesSpec {
  readonly xRange: readonly [number, number];
  readonly yRange?: readonly [number, number];
  readonly xName: string;
  readonly yName?: string;
  /** Plot area inside the canvas, in canvas pixels (default: all of it). */
  readonly area?: { left: number; top: number; width: number; height: number };
  readonly color?: string;
}

/** Draws ticks, tick labels and axis names for a plot occupying `area` of the canvas. */
export function drawAxes(canvas: HTMLCanvasElement, spec: AxesSpec): void {
  const ctx = canvas.getContext('2d')!;
  const area = spec.area ?? { left: 0, top: 0, width: canvas.width, height: canvas.height };
  const bottom = area.top + area.height;
  ctx.save();
  ctx.font = '11px sans-serif';
  ctx.fillStyle = spec.color ?? '#fff';
  ctx.strokeStyle = spec.color ?? '#fff';
  ctx.lineWidth = 1;
  const halo = spec.color === undefined;
  if (halo) {
    ctx.shadowColor = 'rgba(0,0,0,0.9)';
    ctx.shadowBlur = 3;
  }
  const [x0, x1] = spec.xRange;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  for (const v of niceTicks(x0, x1)) {
    const px = area.left + ((v - x0) / (x1 - x0)) * area.width;
    ctx.beginPath();
    ctx.moveTo(px, bottom);
    ctx.lineTo(px, bottom - 5);
    ctx.stroke();
    ctx.fillText(label(v), px, bottom - 6);
  }
  ctx.textAlign = 'right';
  ctx.fillText(spec.xName, area.left + area.width - 4, bottom - 20);
  if (spec.yRange) {
    const [y0, y1] = spec.yRange;
    // Labels left of the axis where the plot leaves a margin for them, else inside it after a gap (a tick mark
    // right before a number would read as a minus sign).
    const outside = area.left >= 28;
    ctx.textAlign = outside ? 'right' : 'left';
    ctx.textBaseline = 'middle';
    for (const v of niceTicks(y0, y1, 5)) {
      const py = area.top + (1 - (v - y0) / (y1 - y0)) * area.height;
      if (py < area.top + 6 || py > bottom - 14) continue;
      ctx.beginPath();
      ctx.moveTo(area.left - (outside ? 4 : 0), py);
      ctx.lineTo(area.left + (outside ? 0 : 5), py);
      ctx.stroke();
      ctx.fillText(label(v), outside ? area.left - 6 : area.left + 9, py);
    }
    if (spec.yName) {
      ctx.textAlign = 'left';
      ctx.textBaseline = 'top';
      ctx.fillText(spec.yName, area.left + 9, area.top + 4);
    }
  }
  ctx.restore();
}
