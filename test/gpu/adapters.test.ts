// Node's Vulkan drivers: the choice (a GPU's, else lavapipe where scripts/lavapipe.sh provided it, else
// SwiftShader; MIXDEN_VULKAN forces one), and the same results on each within stated tolerances.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const lavapipe = existsSync('.mixden/lavapipe/ready');

async function mixden(driver: string, ...args: string[]): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, MIXDEN_VULKAN: driver };
  delete env.VK_ICD_FILENAMES;
  return (await run(process.execPath, ['bin/mixden.js', ...args], { env, timeout: 120_000 })).stdout;
}

beforeAll(async () => {
  await run('npm', ['run', '-s', 'build'], { timeout: 120_000 });
}, 180_000);

describe('Vulkan drivers in Node', () => {
  it.skipIf(!lavapipe)('takes lavapipe by default where it is provided, and SwiftShader when asked', async () => {
    const auto = JSON.parse((await mixden('auto', 'train-seed', '--steps', '1', '--json')).trim().split('\n').pop()!);
    const swift = JSON.parse((await mixden('swiftshader', 'train-seed', '--steps', '1', '--json')).trim().split('\n').pop()!);
    expect(auto.device).toMatch(/llvmpipe/);
    expect(swift.device).toMatch(/swiftshader/i);
  });
  if (!lavapipe) it.skip('lavapipe cases: scripts/lavapipe.sh did not provide it on this machine (it says why during setup)', () => {});

  it.skipIf(!lavapipe)('predicts the same on lavapipe and SwiftShader (a saved model, to 1e-5)', async () => {
    const args = ['predict', '--model', 'test/fixtures/cli-0.1.0.mixden', '--data', 'test/fixtures/cli-0.1.0-x.csv', '--quantiles', '0.1,0.9', '--json'];
    const [a, b] = [JSON.parse(await mixden('lavapipe', ...args)), JSON.parse(await mixden('swiftshader', ...args))];
    for (let r = 0; r < a.length; r++) {
      for (const key of Object.keys(a[r])) expect(Math.abs(a[r][key] - b[r][key])).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(b[r][key])));
    }
  });

  it.skipIf(!lavapipe)('trains the same model to the same loss on both (200 steps, within 0.01 nats)', async () => {
    // f32 sums in another order: the two trajectories drift apart by about 1e-3 nats over 200 Adam steps.
    const nll = async (driver: string) => JSON.parse((await mixden(driver, 'train-seed', '--steps', '200', '--json')).trim().split('\n').pop()!).nll;
    const [a, b] = [await nll('lavapipe'), await nll('swiftshader')];
    expect(Math.abs(a - b)).toBeLessThan(0.01);
  });

  // The subgroup kernels (lavapipe's dense products) at each Node adapter's own subgroup size, and on lavapipe the
  // GPU class's tiled ones (the weight gradient also with K split), against the float64 reference within the rounding bounds of test/browser/cases/dense.ts
  // (worst error / bound at most 1): with Chromium's dense sweep, every variant on both software adapters.
  async function denseVariantsMatch(driver: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, MIXDEN_VULKAN: driver };
    delete env.VK_ICD_FILENAMES;
    const { stdout } = await run(process.execPath, ['test/gpu/nodeDenseVariants.mjs'], { env, timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { adapter: string; subgroupSize: number | null; cases: { kernel: string; variant: string; worst: number }[] };
    expect(result.adapter).toMatch(driver === 'lavapipe' ? /llvmpipe/ : /swiftshader/i);
    expect(result.subgroupSize).toBeGreaterThanOrEqual(4);
    // 5 shapes x (3 products x (two subgroup variants + tiles) + the weight gradient with K split).
    expect(result.cases).toHaveLength(50);
    expect(result.cases.filter((c) => c.variant.startsWith('tiles'))).toHaveLength(20);
    expect(result.cases.filter((c) => /K split in ([2-9]|\d\d) slices/.test(c.variant))).toHaveLength(3);
    expect(result.cases.filter((c) => !(c.worst <= 1))).toEqual([]);
  }
  it.skipIf(!lavapipe)('lavapipe: the dense products with subgroup broadcasts and in the GPU class\'s tiles match the float64 reference', () => denseVariantsMatch('lavapipe'));
  // (On SwiftShader, Chromium's dense sweep runs the subgroup and tiled products at its subgroup size.)

  // Generation's fused recurrent step in lavapipe's variant (x's and h's loads through 8-lane subgroups, one unit a
  // lane) and in vec4 register blocks, both cells, stepped as generation steps it, against the float64 reference's walk (worst error
  // / bound at most 1), and training's walks in blocked steps as lavapipe runs them; Chromium's cases run both on SwiftShader.
  it.skipIf(!lavapipe)("lavapipe: generation's fused recurrent step and training's blocked-step walks match the float64 reference", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, MIXDEN_VULKAN: 'lavapipe' };
    delete env.VK_ICD_FILENAMES;
    const { stdout } = await run(process.execPath, ['test/gpu/nodeRecurrentStep.mjs'], { env, timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { adapter: string; subgroupSize: number | null; cases: { variant: string; worst: number }[] };
    expect(result.adapter).toMatch(/llvmpipe/);
    // 2 cells x 3 shapes x (lavapipe's choice, register blocks), then 2 cells x 2 shapes of training walks.
    expect(result.cases).toHaveLength(16);
    expect(result.cases.filter((c) => c.variant === 'chosen for lavapipe')).toHaveLength(6);
    expect(result.cases.filter((c) => c.variant === 'training walk, blocked steps as chosen for lavapipe')).toHaveLength(4);
    expect(result.cases.filter((c) => !(c.worst <= 1))).toEqual([]);
  });
});
