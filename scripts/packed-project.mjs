// A fresh project with mixden installed from its packed tarball, as a user gets it: `npm pack` (which builds
// dist/ first), then `npm install` of that tarball and of `extra` packages into a new folder. The package test
// and the bundle-size benchmark both work on such a project.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const npm = (args, cwd) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 });

/** The devDependency version of `name` in this repository, so the project installs what the lockfile has. */
export function ownVersion(name) {
  const lock = JSON.parse(readFileSync(resolve('package-lock.json'), 'utf8'));
  return lock.packages[`node_modules/${name}`].version;
}

/**
 * Packs this repository and installs the tarball, plus `extra` ('name@version'), into a new folder.
 * @returns {{ dir: string, tarball: string }}
 */
export function packedProject(extra = []) {
  const dir = mkdtempSync(join(tmpdir(), 'mixden-package-'));
  const [{ filename }] = JSON.parse(npm(['pack', '--json', '--pack-destination', dir, '--loglevel=error'], process.cwd()));
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'mixden-user', private: true, type: 'module' }, null, 2)}\n`);
  npm(['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', join(dir, filename), ...extra], dir);
  return { dir, tarball: join(dir, filename) };
}
