// The stroke data set from the Hershey fonts: glyph paths read as strokes, steps that retrace the glyph exactly
// at variation 0, the pen's three states, seeded variation, and the SVG path drawn back from steps.
import { describe, expect, it } from 'vitest';
import { PEN_DOWN, PEN_FINISHED, PEN_LIFTED, drawLetter, glyphStrokes, strokeLetters, strokePath } from '../../src/mdn/sequence/strokes.js';
import { hersheyFont } from '../../src/host/hersheyFont.js';
import { Random } from '../../src/mdn/random.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';

const font = hersheyFont();

describe('stroke data set', () => {
  it("reads a glyph's M/L path as strokes of points", () => {
    const strokes = glyphStrokes({ chars: [{ d: 'M1,2 L3,4 5,6 M7,8 L9,10', o: 5 }] }, '!');
    expect(strokes).toEqual([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10]]]);
    expect(() => glyphStrokes({ chars: [{ d: 'M1,2 L3', o: 5 }] }, '!')).toThrow(/not M\/L points/);
    expect(() => glyphStrokes(font, '\u00e9')).toThrow(InvalidArgumentError);
  });

  it('at variation 0 the steps add up to the glyph points (font units / 10 from the cell centre), the pen lifting between strokes', () => {
    for (const letter of 'aijxt') {
      const strokes = glyphStrokes(font, letter);
      const o = font.chars[letter.charCodeAt(0) - 33].o;
      const steps = drawLetter(font, letter, new Random(1), 0);
      const points = strokes.flat();
      expect(steps.length).toBe(3 * points.length);
      let [x, y] = [0, 0];
      points.forEach(([gx, gy], i) => {
        x += steps[3 * i];
        y += steps[3 * i + 1];
        expect(x).toBeCloseTo((gx - o) / 10, 12);
        expect(y).toBeCloseTo((gy - 11) / 10, 12);
      });
      const pens = steps.filter((_, i) => i % 3 === 2);
      expect(pens.at(-1)).toBe(PEN_FINISHED);
      expect(pens.filter((p) => p === PEN_LIFTED).length).toBe(strokes.length - 1);
      expect(pens.filter((p) => p === PEN_DOWN).length).toBe(points.length - strokes.length);
    }
  });

  it('varies each drawing from the seed, and the same seed gives the same set', () => {
    const a = strokeLetters(font, { letters: 'ab', perLetter: 3, seed: 5 });
    expect(a.map((s) => s.letter)).toEqual(['a', 'b', 'a', 'b', 'a', 'b']);
    expect(a[0].condition).toEqual([1, 0]);
    expect(JSON.stringify(strokeLetters(font, { letters: 'ab', perLetter: 3, seed: 5 }))).toBe(JSON.stringify(a));
    expect(JSON.stringify(a[0].y)).not.toBe(JSON.stringify(a[2].y));
    expect(() => strokeLetters(font, { letters: 'aa' })).toThrow(/distinct/);
  });

  it('draws steps back as SVG path data, moving where the pen was lifted', () => {
    const path = strokePath([1, 0, PEN_DOWN, 1, 0, PEN_LIFTED, 0, 1, PEN_DOWN, 1, 1, PEN_FINISHED, 5, 5, PEN_DOWN], 10, 20, 10);
    expect(path).toBe('M20.0,20.0 L30.0,20.0 M30.0,30.0 L40.0,40.0');
  });
});
