// Central finite differences for the reference's gradient checks.

/** d f / d values[i] for every i, by (f(v + h) - f(v - h)) / 2h with h scaled to |v|. */
export function centralDifference(values: Float64Array, f: () => number, relStep = 1e-6): Float64Array {
  const grad = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    const h = relStep * Math.max(1, Math.abs(saved));
    values[i] = saved + h;
    const up = f();
    values[i] = saved - h;
    const down = f();
    values[i] = saved;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}
