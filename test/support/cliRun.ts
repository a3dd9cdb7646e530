// Running the command line from the tests (bin/mixden.js of the built dist/), and files in a test's own folder.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly seconds: number;
}

/** Runs `mixden args…` (in `cwd` where given, so fallback files land there), never throwing on a failing exit. */
export async function runMixden(args: readonly string[], options: { timeout?: number; cwd?: string } = {}): Promise<CliResult> {
  const started = Date.now();
  const bin = join(process.cwd(), 'bin/mixden.js');
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { timeout: options.timeout ?? 120_000, ...(options.cwd ? { cwd: options.cwd } : {}) });
    return { code: 0, stdout, stderr, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr, seconds: (Date.now() - started) / 1000 };
  }
}

/** A writer of files into `dir`: returns each file's path. */
export const writerIn = (dir: string) => (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
