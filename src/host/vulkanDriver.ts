// Chooses the Vulkan driver Dawn will use, inside the running process, before Dawn's first instance: a GPU's
// driver where one is installed, else lavapipe (Mesa's CPU driver, provided in .mixden/lavapipe by
// scripts/lavapipe.sh), else SwiftShader from Debian's chromium package. The Vulkan loader reads its driver
// list when an instance is created, so setting VK_ICD_FILENAMES here is in time. Libraries are found by dlopen,
// so those the system lacks (the loader itself, lavapipe's newer libdrm) are loaded first from their folder and
// kept loaded; the driver's own dlopen then finds them by soname. No environment variable for the user.
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';
import { fileURLToPath } from 'node:url';

const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
// The project's lavapipe (src/host or dist/host, then two folders up).
const LAVAPIPE_DIR = fileURLToPath(new URL('../../.mixden/lavapipe/', import.meta.url));
const LAVAPIPE_LIBS = `${LAVAPIPE_DIR}root/usr/lib/x86_64-linux-gnu`;
// glibc's value; Node's os.constants.dlopen does not list it. Keeps a library loaded after Node's dlclose.
const RTLD_NODELETE = 0x1000;

export interface VulkanDriverChoice {
  /** 'system' (an installed driver, a GPU's where there is one), 'lavapipe', 'swiftshader', or 'user' (VK_ICD_FILENAMES / VK_DRIVER_FILES given). */
  readonly driver: 'system' | 'lavapipe' | 'swiftshader' | 'user';
  /** One sentence: which driver and why. */
  readonly reason: string;
}

let choice: VulkanDriverChoice | undefined;

const systemDriverFiles = (): string[] =>
  ICD_DIRS.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`) : []));

// Loads a library and keeps it loaded; true if it loaded. process.dlopen loads it, then throws because it is no
// Node addon: that throw is expected and the library stays (RTLD_NODELETE).
function keepLoaded(path: string): boolean {
  const flags = constants.dlopen;
  try {
    process.dlopen({ exports: {} }, path, flags.RTLD_NOW | flags.RTLD_GLOBAL | RTLD_NODELETE);
    return true;
  } catch (error) {
    return /did not self-register/.test((error as Error).message);
  }
}

/**
 * Picks the Vulkan driver once per process (later calls return the first answer). MIXDEN_VULKAN=system,
 * =lavapipe or =swiftshader forces one; VK_ICD_FILENAMES or VK_DRIVER_FILES set by the user are kept as they are.
 */
export function chooseVulkanDriver(): VulkanDriverChoice {
  choice ??= decide();
  return choice;
}

// Loads the project's lavapipe: its newer libdrm and the loader first, then whatever else the system lacks, then
// the driver itself. False if any of it does not load.
function loadLavapipe(): boolean {
  if (!existsSync(`${LAVAPIPE_DIR}ready`) || !existsSync(`${LAVAPIPE_DIR}lvp_icd.json`)) return false;
  for (const first of ['libdrm.so.2', 'libdrm_amdgpu.so.1']) if (existsSync(`${LAVAPIPE_LIBS}/${first}`) && !keepLoaded(`${LAVAPIPE_LIBS}/${first}`)) return false;
  if (!keepLoaded('libvulkan.so.1') && !keepLoaded(`${LAVAPIPE_LIBS}/libvulkan.so.1`)) return false;
  // The rest where the system has no library of that name; in rounds, as some need others first.
  let pending = readdirSync(LAVAPIPE_LIBS).filter((f) => /^lib.*\.so\.\d+$/.test(f) && !f.startsWith('libvulkan_') && !keepLoaded(f));
  for (let round = 0; round < 8 && pending.length > 0; round++) pending = pending.filter((f) => !keepLoaded(`${LAVAPIPE_LIBS}/${f}`));
  return keepLoaded(`${LAVAPIPE_LIBS}/libvulkan_lvp.so`);
}

function decide(): VulkanDriverChoice {
  if (process.platform !== 'linux') return { driver: 'system', reason: `${process.platform}: the platform's own GPU driver` };
  const wanted = process.env.MIXDEN_VULKAN ?? 'auto';
  const userFiles = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  if (userFiles) {
    if (!keepLoaded('libvulkan.so.1')) keepLoaded(`${CHROMIUM_DIR}/libvulkan.so.1`);
    return { driver: 'user', reason: `the Vulkan driver the environment names (${userFiles})` };
  }
  if (wanted === 'system') return { driver: 'system', reason: 'MIXDEN_VULKAN=system' };
  // Debian's own lavapipe (Mesa 22) is refused by Dawn: an installed driver counts only if it is another one.
  const installed = systemDriverFiles().filter((f) => !/lvp_icd/.test(f));
  if (wanted === 'auto' && installed.length > 0 && keepLoaded('libvulkan.so.1')) {
    return { driver: 'system', reason: `the installed Vulkan driver${installed.length > 1 ? 's' : ''} (${installed.join(', ')})` };
  }
  if ((wanted === 'auto' || wanted === 'lavapipe') && loadLavapipe()) {
    process.env.VK_ICD_FILENAMES = `${LAVAPIPE_DIR}lvp_icd.json`;
    return { driver: 'lavapipe', reason: `lavapipe (Mesa's CPU driver) from ${LAVAPIPE_DIR}, on the CPU (${wanted === 'lavapipe' ? 'MIXDEN_VULKAN=lavapipe' : 'no GPU driver is installed'})` };
  }
  const loader = keepLoaded('libvulkan.so.1') || keepLoaded(`${CHROMIUM_DIR}/libvulkan.so.1`);
  if (!existsSync(SWIFTSHADER_ICD) || !loader) {
    return { driver: 'system', reason: "no Vulkan driver is installed and Debian's chromium (whose SwiftShader would serve) is not either" };
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const why = wanted === 'swiftshader' ? 'MIXDEN_VULKAN=swiftshader' : wanted === 'lavapipe' ? 'lavapipe was asked for but is not provided (scripts/lavapipe.sh)' : 'no GPU driver is installed, nor lavapipe';
  return { driver: 'swiftshader', reason: `SwiftShader from Debian's chromium, on the CPU (${why})` };
}
