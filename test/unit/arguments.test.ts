// The API edge's conventions: flat or nested rows, errors that name the row and column, unknown option keys
// refused with the nearest valid one, seeds and numbers in range.
import { describe, expect, it } from 'vitest';
import { checkNumber, checkOptionKeys, checkSeed, nearest, rowsOf, shaped } from '../../src/mdn/arguments.js';
import { InvalidArgumentError } from '../../src/runtime/errors.js';

describe('rows', () => {
  it('takes flat arrays, typed arrays and nested rows alike', () => {
    const expected = [1, 2, 3, 4, 5, 6];
    expect(Array.from(rowsOf('x', [1, 2, 3, 4, 5, 6], 2))).toEqual(expected);
    expect(Array.from(rowsOf('x', Float32Array.from(expected), 2))).toEqual(expected);
    expect(Array.from(rowsOf('x', [[1, 2], [3, 4], [5, 6]], 2))).toEqual(expected);
    expect(Array.from(rowsOf('x', [Float32Array.of(1, 2), [3, 4], [5, 6]], 2))).toEqual(expected);
    expect(Array.from(rowsOf('x', [[0], [0.1]], 1))).toEqual([0, 0.1]);
  });

  it.each([
    ['a ragged nested row', [[0], [0.1, 2]], 1, undefined, /x\[1\] has 2 values; each row of x needs 1/],
    ['a string in a row', [[0], ['a']], 1, undefined, /x at row 1, column 0 is 'a' \(a string\), not a number/],
    ['NaN', [0, NaN], 1, undefined, /non-finite value \(NaN\) at row 1, column 0/],
    ['a value past float32', [1e200], 1, undefined, /row 0, column 0 is 1e\+200, beyond float32's range/],
    ['an incomplete flat row', [1, 2, 3], 2, undefined, /3 values, not a whole number of rows of 2/],
    ['an empty array', [], 1, undefined, /x is empty/],
    ['rows that do not match x', [1, 2], 1, 3, /x has 2 rows, x has 3/],
    ['a mix of rows and numbers', [[1], 2], 1, undefined, /x\[1\] is 2, not a row/],
  ])('refuses %s, naming where', (_, value, columns, rows, message) => {
    expect(() => rowsOf('x', value as never, columns, rows)).toThrow(InvalidArgumentError);
    expect(() => rowsOf('x', value as never, columns, rows)).toThrow(message);
  });

  it('refuses what is not an array, and a path given for bytes', () => {
    expect(() => rowsOf('x', 'model.csv' as never, 1)).toThrow(/x must be an array of numbers .* got string/);
    expect(() => rowsOf('x', null as never, 1)).toThrow(/got null/);
  });

  it('attaches a shape that does not show up as an element', () => {
    const a = shaped(new Float32Array(6), [2, 3, 1]);
    expect(a.shape).toEqual([2, 3, 1]);
    expect(Object.keys(a)).toHaveLength(6);
    expect(Array.from(a)).toHaveLength(6);
  });
});

describe('option keys', () => {
  const keys = ['learningRate', 'batchSize', 'steps', 'epochs', 'validationSplit'];
  it.each([
    ['lr', 'learningRate'],
    ['learning_rate', 'learningRate'],
    ['batch', 'batchSize'],
    ['step', 'steps'],
    ['epoch', 'epochs'],
    ['validation_split', 'validationSplit'],
  ])("refuses '%s' and suggests '%s'", (key, guess) => {
    expect(() => checkOptionKeys('fit options', { [key]: 1 }, keys)).toThrow(new RegExp(`fit options has no option '${key}'; did you mean '${guess}'\\?`));
  });

  it('suggests nothing for a key unlike any', () => {
    expect(nearest('zzzzzzzz', keys)).toBeUndefined();
    expect(() => checkOptionKeys('fit options', { zzzzzzzz: 1 }, keys)).toThrow(/no option 'zzzzzzzz' \(valid: /);
  });

  it('accepts the valid keys and no options at all', () => {
    expect(() => checkOptionKeys('fit options', { steps: 1, learningRate: 0.1 }, keys)).not.toThrow();
    expect(() => checkOptionKeys('fit options', undefined, keys)).not.toThrow();
    expect(() => checkOptionKeys('fit options', 5, keys)).toThrow(/must be an object/);
  });
});

describe('seeds and numbers', () => {
  it.each([-1, 1.5, 2 ** 32, NaN, '7'])('refuses the seed %s', (seed) => {
    expect(() => checkSeed('seed', seed)).toThrow(/seed must be an integer from 0 to 2\^32 - 1/);
  });
  it('accepts the seed range', () => {
    expect(checkSeed('seed', 0)).toBe(0);
    expect(checkSeed('seed', 2 ** 32 - 1)).toBe(2 ** 32 - 1);
  });
  it('names open and closed ends', () => {
    expect(() => checkNumber('beta1', 1, 0, 1, { high: true })).toThrow(/beta1 must be a finite number in \[0, 1\), got 1/);
    expect(checkNumber('beta1', 0, 0, 1, { high: true })).toBe(0);
  });
});
