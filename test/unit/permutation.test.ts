// The epoch permutation: a bijection of [0, n) for every n, different per epoch and per seed.
import { describe, expect, it } from 'vitest';
import { epochKeys, hash32, permutationBits, permute } from '../../src/mdn/epochPermutation.js';

describe('epoch permutation', () => {
  it.each([1, 2, 3, 7, 64, 1000, 1025, 10_000])('is a bijection of [0, %i)', (n) => {
    const keys = epochKeys(5, 3);
    const seen = new Set(Array.from({ length: n }, (_, i) => permute(i, n, keys)));
    expect(seen.size).toBe(n);
    expect(Math.min(...seen)).toBe(0);
    expect(Math.max(...seen)).toBe(n - 1);
  });

  it('changes with the epoch and the seed, and repeats for the same ones', () => {
    const order = (seed: number, epoch: number) => Array.from({ length: 50 }, (_, i) => permute(i, 50, epochKeys(seed, epoch)));
    expect(order(1, 0)).toEqual(order(1, 0));
    expect(order(1, 1)).not.toEqual(order(1, 0));
    expect(order(2, 0)).not.toEqual(order(1, 0));
  });

  it('uses an even bit count whose domain covers n', () => {
    expect([1, 4, 5, 16, 17, 1000].map(permutationBits)).toEqual([2, 2, 4, 4, 6, 10]);
    expect(hash32(0)).toBe(hash32(0));
    expect(hash32(1)).not.toBe(hash32(2));
  });
});
