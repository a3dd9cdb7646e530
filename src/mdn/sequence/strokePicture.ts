// A picture of sequences of pen steps: each sequence drawn in its own cell of a grid, its (dx, dy) added up from
// the cell's centre, the pen lifted after steps whose pen value is not 0 (see strokes.ts), stopping at 2. SVG text,
// no dependencies; src/host renders it to PNG.
import { STROKE_STEP_WIDTH, strokePath } from './strokes.js';

export interface StrokePictureOptions {
  /** Cells per row of the grid (default: up to 8). */
  readonly columns?: number;
  /** Cell size in px (default 96). */
  readonly cell?: number;
  /** px per unit of dx, dy (default: a letter of the stroke set fills about half a cell). */
  readonly scale?: number;
  /** A caption under each cell (e.g. its letter). */
  readonly labels?: readonly string[];
}

const escapeXml = (text: string): string => text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The SVG of sequences whose steps are (dx, dy, pen), STROKE_STEP_WIDTH values each.
 * @example
 * writeFileSync('letters.svg', strokePicture(generated.sequences, { labels }));
 */
export function strokePicture(sequences: readonly ArrayLike<number>[], options: StrokePictureOptions = {}): string {
  const columns = options.columns ?? Math.min(8, Math.max(1, sequences.length));
  const cell = options.cell ?? 96;
  const scale = options.scale ?? cell / 3.2;
  const rows = Math.ceil(sequences.length / columns);
  const label = options.labels ? 16 : 0;
  const width = columns * cell;
  const height = rows * (cell + label);
  const centre = (i: number) => [(i % columns) * cell + cell / 2, Math.floor(i / columns) * (cell + label) + cell / 2];
  // Each drawing clipped to its cell, so one that wanders off stays out of its neighbours'.
  const clips = sequences.map((_, i) => `<clipPath id="cell${i}"><rect x="${centre(i)[0] - cell / 2}" y="${centre(i)[1] - cell / 2}" width="${cell}" height="${cell}"/></clipPath>`);
  const paths = sequences.map((steps, i) => (steps.length >= STROKE_STEP_WIDTH ? `<path clip-path="url(#cell${i})" d="${strokePath(steps, centre(i)[0], centre(i)[1], scale)}"/>` : ''));
  const captions = sequences.map((_, i) => (options.labels?.[i] === undefined ? '' : `<text x="${centre(i)[0]}" y="${centre(i)[1] + cell / 2 + 12}">${escapeXml(options.labels[i])}</text>`));
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<defs>${clips.join('')}</defs>`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<g fill="none" stroke="black" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round">`,
    ...paths,
    '</g>',
    `<g font-family="DejaVu Sans, sans-serif" font-size="11" fill="#555" text-anchor="middle">`,
    ...captions,
    '</g>',
    '</svg>',
  ].join('\n');
}
