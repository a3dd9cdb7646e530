// Dawn reads the Vulkan driver location once, at process start. Where no Vulkan driver is installed (no GPU),
// a script that uses Dawn re-runs itself with Node pointed at SwiftShader from Debian's chromium package.
// MIXDEN_VULKAN=swiftshader forces it; MIXDEN_VULKAN=system never does.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { existsSync, readdirSync } from 'node:fs';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

function hasSystemVulkanDriver() {
  return ICD_DIRS.some((dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.json')));
}

/** Re-runs `scriptPath` with the process's arguments on SwiftShader and exits with it, where that is needed; else returns. */
export async function rerunOnSwiftShaderWhereNeeded(scriptPath) {
  const choice = process.env.MIXDEN_VULKAN ?? 'auto';
  const wantSwiftShader = choice === 'swiftshader' || (choice === 'auto' && !process.env.VK_ICD_FILENAMES && !hasSystemVulkanDriver());
  if (!wantSwiftShader || process.env.MIXDEN_LAUNCHED || !existsSync(SWIFTSHADER_ICD)) return;
  const env = {
    ...process.env,
    MIXDEN_LAUNCHED: '1',
    VK_ICD_FILENAMES: SWIFTSHADER_ICD,
    LD_LIBRARY_PATH: ['/usr/lib/chromium', process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
  };
  const child = spawn(process.execPath, [scriptPath, ...process.argv.slice(2)], { env, stdio: 'inherit' });
  // Signals go to the re-run process, so stopping this one stops it too (a server must not be left orphaned).
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  const code = await new Promise((resolve) => child.on('exit', (status, signal) => resolve(status ?? 128 + (constants.signals[signal] ?? 1))));
  process.exit(code);
}
