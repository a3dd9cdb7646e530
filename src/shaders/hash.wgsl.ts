// The counter-based hash the sampling and minibatch kernels share (PCG's output permutation of a 32-bit
// state); src/mdn/epochPermutation.ts computes the same function on the CPU.

export const hashWgsl = `
// A 32-bit integer hash (PCG's output permutation).
fn hash(x: u32) -> u32 {
  let state = x * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}`;
