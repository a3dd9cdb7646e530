// Repeats and summaries for benchmark figures.

export interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly samples: number;
}

export function summarize(values: readonly number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], samples: sorted.length };
}

/** Runs `measure` `repeats` times, stopping early (after at least one run) once `capSeconds` have passed. */
export async function repeat(measure: () => Promise<number>, repeats: number, capSeconds: number): Promise<Stat> {
  const values: number[] = [];
  const started = performance.now();
  while (values.length < repeats) {
    values.push(await measure());
    if ((performance.now() - started) / 1000 > capSeconds) break;
  }
  return summarize(values);
}

/** Seconds `run` takes. */
export async function seconds(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
}
