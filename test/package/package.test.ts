// The package as a new user meets it: packed, installed into a fresh project from the tarball, then used from
// an ESM Node script (the README's example, with no environment variable set), from `npx mixden`, and from a
// page built by Vite that imports both entry points (no Node-only import may reach the bundle).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ownVersion, packedProject } from '../../scripts/packed-project.mjs';

let dir: string;

beforeAll(() => {
  ({ dir } = packedProject([`webgpu@${ownVersion('webgpu')}`, `vite@${ownVersion('vite')}`]));
}, 600_000);

// Without the variables a launcher would set: the user's script must find an adapter by itself.
const cleanEnv = () => {
  const env = { ...process.env };
  for (const k of ['VK_ICD_FILENAMES', 'VK_DRIVER_FILES', 'LD_LIBRARY_PATH', 'MIXDEN_VULKAN']) delete env[k];
  return env;
};

const README_EXAMPLE = `
import { createMdn, loadMdn } from 'mixden';
import { nodeGpu } from 'mixden/node';

const gpu = await nodeGpu();
const x = [], y = [];
for (let i = 0; i < 200; i++) { const t = -10 + (20 * i) / 199; y.push(t); x.push(7 * Math.sin(0.75 * t) + 0.5 * t); }
const model = await createMdn({ inputDim: 1, outputDim: 1, hidden: [16], components: 4, seed: 0, gpu });
const result = await model.fit(x, y, { steps: 50, learningRate: 0.01 });
const mixture = await model.predict([[0], [1]]);
const draws = await model.sample([0, 1], 3, { seed: 1 });
const again = await loadMdn(await model.save(), gpu);
const before = await model.mean([0, 1]);
const same = Array.from(await again.mean([0, 1])).every((v, i) => v === before[i]);
console.log(JSON.stringify({ steps: result.steps, loss: result.loss, rows: mixture.rows, components: mixture.components, draws: draws.length, shape: draws.shape, same }));
process.exit(0);
`;

describe('the packed package, installed into a fresh project', () => {
  it('runs the README example from a plain ESM Node script, with no environment variable set', () => {
    writeFileSync(join(dir, 'example.mjs'), README_EXAMPLE);
    const out = execFileSync(process.execPath, ['example.mjs'], { cwd: dir, encoding: 'utf8', env: cleanEnv(), timeout: 120_000 });
    const result = JSON.parse(out.trim().split('\n').pop()!);
    expect(result).toMatchObject({ steps: 50, rows: 2, components: 4, draws: 6, shape: [2, 3, 1], same: true });
    expect(Number.isFinite(result.loss)).toBe(true);
  });

  it('exports a saved model to ONNX from mixden/onnx, with no GPU', () => {
    writeFileSync(
      join(dir, 'onnx.mjs'),
      "import { encodeModel, initialParameters } from 'mixden';\nimport { exportOnnx } from 'mixden/onnx';\n" +
        "const arch = { inputDim: 1, outputDim: 1, hidden: [4], activation: 'tanh', components: 2, sigma: 'softplus', sigmaEpsilon: 1e-7 };\n" +
        'const bytes = encodeModel(arch, initialParameters(arch, 1).map((b) => Float32Array.from(b)));\n' +
        "console.log(exportOnnx(bytes, { output: 'logProb' }).length);\n",
    );
    const out = execFileSync(process.execPath, ['onnx.mjs'], { cwd: dir, encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
    expect(Number(out.trim())).toBeGreaterThan(500);
  });

  it('answers `npx mixden --help` and `--version`', () => {
    const help = spawnSync('npx', ['--no-install', 'mixden', '--help'], { cwd: dir, encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/usage: mixden <command>/);
    const version = spawnSync('npx', ['--no-install', 'mixden', '--version'], { cwd: dir, encoding: 'utf8', env: cleanEnv(), timeout: 60_000 });
    expect(version.stdout.trim()).toBe(JSON.parse(readFileSync('package.json', 'utf8')).version);
  });

  it('builds a page importing mixden, mixden/inference and mixden/onnx with Vite, without Node-only modules', () => {
    const page = join(dir, 'page');
    mkdirSync(page, { recursive: true });
    writeFileSync(join(page, 'index.html'), '<!doctype html><script type="module" src="./main.js"></script>\n');
    writeFileSync(
      join(page, 'main.js'),
      "import { createMdn, browserGpu } from 'mixden';\nimport { loadInferenceKernel, exportWgsl } from 'mixden/inference';\nimport { exportOnnx } from 'mixden/onnx';\n" +
        'globalThis.used = [createMdn, browserGpu, loadInferenceKernel, exportWgsl, exportOnnx];\n',
    );
    const build = spawnSync('npx', ['--no-install', 'vite', 'build', page, '--outDir', join(dir, 'page-dist'), '--emptyOutDir'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(build.status, build.stderr).toBe(0);
    expect(`${build.stdout}${build.stderr}`).not.toMatch(/externalized for browser compatibility/);
    const assets = join(dir, 'page-dist', 'assets');
    const code = readdirSync(assets).filter((f) => f.endsWith('.js')).map((f) => readFileSync(join(assets, f), 'utf8')).join('\n');
    expect(code).not.toMatch(/["']node:[a-z_]+["']/);
    expect(code).toMatch(/@compute/);
  });
});
