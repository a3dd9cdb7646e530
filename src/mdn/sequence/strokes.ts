// The stroke data set: pen trajectories of letters drawn from the Hershey vector fonts (their single-stroke
// script by default), each a sequence of steps (dx, dy, pen) with its letter as a one-hot condition, augmented
// with a random scale, aspect, slant, rotation and jitter per drawing, all from a seed. `pen` says what follows
// the step's point: 0 the pen stays down (the next step is drawn), 1 it lifts (the next step is a move), 2 the
// letter is finished. Coordinates are the font's units / 10, y pointing down (as SVG draws), each letter starting
// from the centre of its cell.
import { InvalidArgumentError } from '../../runtime/errors.js';
import { Random } from '../random.js';
import type { Sequence } from './sequenceData.js';

/** A Hershey font as the `hersheytext` package stores it: per character from '!' on, an SVG path of M and L commands. */
export interface HersheyFont {
  readonly chars: readonly { readonly d: string; readonly o: number }[];
}

export interface StrokeOptions {
  /** The letters to draw (default a to z); each is a condition class, in this order. */
  readonly letters?: string;
  /** Drawings per letter (default 20). */
  readonly perLetter?: number;
  readonly seed?: number;
  /** How far drawings vary (default 1; 0 draws every letter exactly as the font does). */
  readonly variation?: number;
}

export const PEN_DOWN = 0;
export const PEN_LIFTED = 1;
export const PEN_FINISHED = 2;

/** Values per step: dx, dy, pen. */
export const STROKE_STEP_WIDTH = 3;

const DEFAULT_LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** The strokes of a glyph: lists of points, from its path's M (new stroke) and L (line to) commands. */
export function glyphStrokes(font: HersheyFont, letter: string): [number, number][][] {
  const code = letter.charCodeAt(0);
  const glyph = font.chars[code - 33];
  if (letter.length !== 1 || !glyph) throw new InvalidArgumentError(`the font has no glyph for ${JSON.stringify(letter)}`);
  const strokes: [number, number][][] = [];
  for (const part of glyph.d.trim().split(/(?=M)/)) {
    const numbers = part.replace(/[ML]/g, ' ').trim().split(/[\s,]+/).filter(Boolean).map(Number);
    if (numbers.length < 2 || numbers.length % 2 !== 0 || numbers.some((n) => !Number.isFinite(n))) throw new InvalidArgumentError(`the glyph of ${JSON.stringify(letter)} has a path that is not M/L points: ${part}`);
    strokes.push(Array.from({ length: numbers.length / 2 }, (_, i) => [numbers[2 * i], numbers[2 * i + 1]] as [number, number]));
  }
  if (strokes.length === 0) throw new InvalidArgumentError(`the glyph of ${JSON.stringify(letter)} draws nothing`);
  return strokes;
}

/** One drawing of a letter as steps (dx, dy, pen), transformed by `random` (or not at variation 0). */
export function drawLetter(font: HersheyFont, letter: string, random: Random, variation = 1): number[] {
  const strokes = glyphStrokes(font, letter);
  const glyph = font.chars[letter.charCodeAt(0) - 33];
  const v = variation;
  const scale = 1 + v * random.range(-0.15, 0.15);
  const aspect = 1 + v * random.range(-0.1, 0.1);
  const slant = v * random.range(-0.3, 0.3);
  const angle = v * random.range(-0.12, 0.12);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const jitter = 0.25 * v;
  const steps: number[] = [];
  let [px, py] = [0, 0];
  strokes.forEach((stroke, s) => {
    stroke.forEach(([gx, gy], i) => {
      // Font units from the cell's centre (its half-width is `o`, its height 22), slanted (x moves with height), scaled, turned.
      const [cx, cy] = [gx - glyph.o, gy - 11];
      const sx = (cx - slant * cy) * scale * aspect;
      const sy = cy * scale;
      const x = (cos * sx - sin * sy + jitter * random.normal()) / 10;
      const y = (sin * sx + cos * sy + jitter * random.normal()) / 10;
      const last = i === stroke.length - 1;
      const pen = last ? (s === strokes.length - 1 ? PEN_FINISHED : PEN_LIFTED) : PEN_DOWN;
      steps.push(x - px, y - py, pen);
      [px, py] = [x, y];
    });
  });
  return steps;
}

/**
 * `perLetter` drawings of each letter, as sequences with the letter's one-hot condition, in a seeded order.
 * @example
 * const sequences = strokeLetters(font, { letters: 'abc', perLetter: 50, seed: 1 });
 */
export function strokeLetters(font: HersheyFont, options: StrokeOptions = {}): (Sequence & { letter: string })[] {
  const letters = options.letters ?? DEFAULT_LETTERS;
  const perLetter = options.perLetter ?? 20;
  if (letters.length === 0 || new Set(letters).size !== letters.length) throw new InvalidArgumentError(`letters must be distinct characters, got ${JSON.stringify(letters)}`);
  if (!(Number.isInteger(perLetter) && perLetter >= 1)) throw new InvalidArgumentError(`perLetter must be an integer >= 1, got ${perLetter}`);
  const variation = options.variation ?? 1;
  if (!(Number.isFinite(variation) && variation >= 0 && variation <= 3)) throw new InvalidArgumentError(`variation must be a number from 0 to 3, got ${variation}`);
  const random = new Random(options.seed ?? 0);
  const out: (Sequence & { letter: string })[] = [];
  for (let k = 0; k < perLetter; k++) {
    [...letters].forEach((letter, i) => {
      const condition = Array.from({ length: letters.length }, (_, j) => (j === i ? 1 : 0));
      out.push({ y: drawLetter(font, letter, random, variation), condition, letter });
    });
  }
  return out;
}

/** The pen's path of a sequence of steps as SVG path data (M where the pen was lifted), from (x0, y0) at `scale` px per unit. */
export function strokePath(steps: ArrayLike<number>, x0: number, y0: number, scale: number): string {
  let [x, y] = [x0, y0];
  let penDown = false;
  const parts: string[] = [];
  for (let t = 0; t + 2 < steps.length; t += STROKE_STEP_WIDTH) {
    x += steps[t] * scale;
    y += steps[t + 1] * scale;
    parts.push(`${penDown ? 'L' : 'M'}${x.toFixed(1)},${y.toFixed(1)}`);
    penDown = steps[t + 2] === PEN_DOWN;
    if (steps[t + 2] === PEN_FINISHED) break;
  }
  return parts.join(' ');
}
