// log Σ e^v over values[from .. from + count), by the maximum first; −Infinity where every value is −Infinity.
// The one float64 log-sum-exp of the references (mixture families, side outputs).

export function logSumExp(values: ArrayLike<number>, from = 0, count = values.length - from): number {
  let max = -Infinity;
  for (let i = from; i < from + count; i++) max = Math.max(max, values[i]);
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (let i = from; i < from + count; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}
