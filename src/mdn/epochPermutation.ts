// The epoch permutation shared by the GPU gather kernel and the reference: a keyed bijection of [0, n) that
// needs no table. A 4-round Feistel network permutes [0, 2^bits) (bits even, 2^bits >= n); values >= n walk the
// cycle until they land in range (at least a quarter of the domain is in range, so a walk is short).

/** PCG's 32-bit output permutation, as in the WGSL kernels. */
export function hash32(x: number): number {
  const state = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** Bits of the Feistel domain for n items: even, at least 2, with 2^bits >= n. */
export function permutationBits(n: number): number {
  let bits = 2;
  while (2 ** bits < n) bits += 2;
  return bits;
}

/** The two 32-bit keys of epoch `epoch` under `seed`. */
export function epochKeys(seed: number, epoch: number): [number, number] {
  const a = hash32((seed ^ hash32(epoch)) >>> 0);
  return [a, hash32(a ^ 0x9e3779b9)];
}

/** Position `i`'s item under the epoch permutation of [0, n). */
export function permute(i: number, n: number, keys: readonly [number, number]): number {
  const bits = permutationBits(n);
  const half = bits / 2;
  const mask = 2 ** half - 1;
  let v = i;
  do {
    let left = v >>> half;
    let right = v & mask;
    for (let round = 0; round < 4; round++) {
      const next = (left ^ (hash32((right ^ keys[round & 1] ^ round) >>> 0) & mask)) >>> 0;
      left = right;
      right = next;
    }
    v = ((left << half) | right) >>> 0;
  } while (v >= n);
  return v;
}
