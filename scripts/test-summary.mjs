// Prints vitest's JSON report as one plain line, "N passed, N failed", for CI logs.
import { readFileSync } from 'node:fs';

try {
  const report = JSON.parse(readFileSync('test-artifacts/vitest.json', 'utf8'));
  console.log(`${report.numPassedTests} passed, ${report.numFailedTests} failed`);
} catch (error) {
  console.log(`no test report (${error.message})`);
}
