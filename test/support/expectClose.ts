// vitest side of compareArrays: fails with the report's own description.
import { expect } from 'vitest';
import { type CompareReport, describeReport } from './compare.js';

export function expectReportsPass(reports: readonly CompareReport[]): void {
  expect(reports.length, 'a check produced no comparison').toBeGreaterThan(0);
  for (const r of reports) {
    expect(r.count, `${r.label}: compared nothing`).toBeGreaterThan(0);
    expect(r.failures, describeReport(r)).toBe(0);
  }
}
