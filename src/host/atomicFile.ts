// Writing a user's files so that nothing they had is lost: the bytes go to a temporary file beside the target,
// are flushed to disk, and only then replace the target by rename (atomic on POSIX file systems). A write
// that fails (a full disk, a killed process) leaves the previous file as it was. Output paths are checked before
// long work starts: never one of the inputs, and in a directory we can write.
import { closeSync, fsyncSync, mkdirSync, openSync, realpathSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MixdenError } from '../runtime/errors.js';

const temporaryBeside = (path: string) => join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);

/**
 * Writes `data` to `path` atomically; on failure the previous file (if any) is unchanged and the error says so.
 * @example
 * writeFileAtomic('model.mixden', await model.save());
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const temporary = temporaryBeside(path);
  let fd: number | undefined;
  try {
    fd = openSync(temporary, 'wx', 0o644);
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temporary, path);
  } catch (error) {
    if (fd !== undefined) closeSync(fd);
    rmSync(temporary, { force: true });
    throw new MixdenError(`could not write ${path}: ${(error as Error).message}; ${existsNote(path)}`);
  }
  try {
    // The rename itself is durable once the directory is flushed (best effort: not every system allows it).
    const dir = openSync(dirname(resolve(path)), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // ignored
  }
}

const existsNote = (path: string) => {
  try {
    realpathSync(path);
    return 'the file that was there is unchanged';
  } catch {
    return 'nothing was written there';
  }
};

// The real path of a file that may not exist yet: its directory's real path and its name.
function realTarget(path: string): string {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    try {
      return join(realpathSync(dirname(full)), basename(full));
    } catch {
      return full;
    }
  }
}

/**
 * Checks, before any long work, that `path` can be written: not one of `inputs` (compared by real path), its
 * directory created if missing and writable (a probe file is made and removed). Throws MixdenError naming it.
 */
export function checkOutputPath(flag: string, path: string, inputs: readonly (string | undefined)[]): void {
  const target = realTarget(path);
  for (const input of inputs) {
    if (input && realTarget(input) === target) throw new MixdenError(`--${flag} ${path} is the input file ${input}; choose another path, so that the data is not overwritten`);
  }
  const dir = dirname(resolve(path));
  try {
    mkdirSync(dir, { recursive: true });
    const probe = temporaryBeside(path);
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
  } catch (error) {
    throw new MixdenError(`--${flag} ${path} cannot be written (${(error as Error).message}); nothing was trained`);
  }
}

/**
 * Writes `data` to `path` atomically; if that fails, to a fallback path in the working directory or the system's
 * temporary directory, and returns where it went (with the reason), so that finished work is never thrown away.
 */
export function writeWithFallback(path: string, data: Uint8Array | string, fallbackDirs: readonly string[]): { path: string; failure?: string } {
  try {
    writeFileAtomic(path, data);
    return { path };
  } catch (error) {
    for (const dir of fallbackDirs) {
      const fallback = join(dir, `mixden-unsaved-${Date.now()}-${basename(path)}`);
      try {
        writeFileAtomic(fallback, data);
        return { path: fallback, failure: (error as Error).message };
      } catch {
        // try the next
      }
    }
    throw error;
  }
}
