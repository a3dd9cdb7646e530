// The one helper every numeric test uses: compares an f32 result with the float64 reference, shape first,
// then |actual - expected| <= atol + rtol·|expected| + bound[i] per element, with NaN/Inf handled explicitly.
// Runs in Node and in the page, and returns a plain report so a page can hand it back to vitest.

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
  /** Optional per-element extra allowance, e.g. a rounding-error bound computed alongside the reference. */
  readonly bound?: ArrayLike<number>;
}

export interface CompareReport {
  readonly label: string;
  readonly count: number;
  readonly failures: number;
  readonly maxAbsError: number;
  /** Largest error as a fraction of the allowed error (above 1 fails). */
  readonly worstRatio: number;
  readonly examples: readonly string[];
}

export function compareArrays(label: string, actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance): CompareReport {
  if (actual.length !== expected.length) {
    return { label, count: expected.length, failures: 1, maxAbsError: Infinity, worstRatio: Infinity, examples: [`length ${actual.length} != expected ${expected.length}`] };
  }
  let failures = 0;
  let maxAbsError = 0;
  let worstRatio = 0;
  const examples: string[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    let ok: boolean;
    if (!Number.isFinite(e)) ok = Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e));
    else if (!Number.isFinite(a)) ok = false;
    else {
      const err = Math.abs(a - e);
      const allowed = tol.atol + tol.rtol * Math.abs(e) + (tol.bound ? tol.bound[i] : 0);
      maxAbsError = Math.max(maxAbsError, err);
      worstRatio = Math.max(worstRatio, allowed > 0 ? err / allowed : err > 0 ? Infinity : 0);
      ok = err <= allowed;
    }
    if (!ok) {
      failures++;
      if (examples.length < 5) examples.push(`[${i}] got ${a}, expected ${e}`);
    }
  }
  return { label, count: expected.length, failures, maxAbsError, worstRatio, examples };
}

/** Text for a failed report. */
export function describeReport(r: CompareReport): string {
  return `${r.label}: ${r.failures}/${r.count} outside tolerance (max abs error ${r.maxAbsError.toExponential(3)}, worst ratio ${r.worstRatio.toFixed(3)}): ${r.examples.join('; ')}`;
}
