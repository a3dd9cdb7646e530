// Renders p(y | x) over a grid as RGBA pixels, with data points and drawn samples on top (the classic
// inverse-sine picture). Pure pixels; src/host/png.ts turns them into a file.

export interface HeatmapInput {
  readonly width: number;
  readonly height: number;
  /** height rows (top = highest y) of width densities: p(ys[i] | xs[j]). */
  readonly density: ArrayLike<number>;
  readonly xRange: readonly [number, number];
  readonly yRange: readonly [number, number];
  readonly points?: { x: ArrayLike<number>; y: ArrayLike<number> };
  readonly samples?: { x: ArrayLike<number>; y: ArrayLike<number> };
}

// A perceptual dark-to-bright ramp (close to viridis at five stops).
const STOPS = [
  [68, 1, 84],
  [59, 82, 139],
  [33, 145, 140],
  [94, 201, 98],
  [253, 231, 37],
];

function ramp(t: number): number[] {
  const s = Math.min(0.999999, Math.max(0, t)) * (STOPS.length - 1);
  const i = Math.floor(s);
  const f = s - i;
  return STOPS[i].map((c, k) => Math.round(c + f * (STOPS[i + 1][k] - c)));
}

/** RGBA pixels of the heatmap: brightness is the square root of the density over its maximum. */
export function renderHeatmap(input: HeatmapInput): Uint8Array {
  const { width, height, density } = input;
  const rgba = new Uint8Array(width * height * 4);
  let max = 0;
  for (let i = 0; i < density.length; i++) max = Math.max(max, density[i]);
  for (let i = 0; i < width * height; i++) {
    const [r, g, b] = ramp(Math.sqrt(density[i] / (max || 1)));
    rgba.set([r, g, b, 255], i * 4);
  }
  const plot = (set: { x: ArrayLike<number>; y: ArrayLike<number> } | undefined, color: number[]) => {
    if (!set) return;
    const [x0, x1] = input.xRange;
    const [y0, y1] = input.yRange;
    for (let i = 0; i < set.x.length; i++) {
      const px = Math.round(((set.x[i] - x0) / (x1 - x0)) * (width - 1));
      const py = Math.round((1 - (set.y[i] - y0) / (y1 - y0)) * (height - 1));
      if (px < 0 || px >= width || py < 0 || py >= height) continue;
      rgba.set([...color, 255], (py * width + px) * 4);
    }
  };
  plot(input.points, [255, 255, 255]);
  plot(input.samples, [255, 64, 64]);
  return rgba;
}
