// Chooses the Vulkan driver Dawn will use, inside the running process, before Dawn's first instance: a system
// driver where one is installed, else SwiftShader from Debian's chromium package. The Vulkan loader reads its
// driver list when an instance is created, so setting VK_ICD_FILENAMES here is in time; the loader library
// itself is found by dlopen, so where the system has none, chromium's copy is loaded first (and kept loaded),
// and Dawn's own dlopen('libvulkan.so.1') then finds it by its soname. No environment variable for the user.
import { existsSync, readdirSync } from 'node:fs';
import { constants } from 'node:os';

const CHROMIUM_DIR = '/usr/lib/chromium';
const SWIFTSHADER_ICD = `${CHROMIUM_DIR}/vk_swiftshader_icd.json`;
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];
// glibc's value; Node's os.constants.dlopen does not list it. Keeps a library loaded after Node's dlclose.
const RTLD_NODELETE = 0x1000;

export interface VulkanDriverChoice {
  /** 'system', 'swiftshader', or 'user' (VK_ICD_FILENAMES / VK_DRIVER_FILES given by the user). */
  readonly driver: 'system' | 'swiftshader' | 'user';
  /** One sentence: which driver and why. */
  readonly reason: string;
}

let choice: VulkanDriverChoice | undefined;

const systemDriverFiles = (): string[] =>
  ICD_DIRS.flatMap((dir) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => `${dir}/${f}`) : []));

// Loads a Vulkan loader library and keeps it loaded; true if it loaded. process.dlopen loads it, then throws
// because it is no Node addon: that throw is expected and the library stays (RTLD_NODELETE).
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
 * Picks the Vulkan driver once per process (later calls return the first answer). MIXDEN_VULKAN=system never
 * switches to SwiftShader, MIXDEN_VULKAN=swiftshader always does; VK_ICD_FILENAMES or VK_DRIVER_FILES set by the
 * user are kept as they are.
 */
export function chooseVulkanDriver(): VulkanDriverChoice {
  if (choice) return choice;
  choice = decide();
  return choice;
}

function decide(): VulkanDriverChoice {
  if (process.platform !== 'linux') return { driver: 'system', reason: `${process.platform}: the platform's own GPU driver` };
  const wanted = process.env.MIXDEN_VULKAN ?? 'auto';
  const userFiles = process.env.VK_ICD_FILENAMES ?? process.env.VK_DRIVER_FILES;
  const loader = keepLoaded('libvulkan.so.1') ? 'system' : keepLoaded(`${CHROMIUM_DIR}/libvulkan.so.1`) ? 'chromium' : 'none';
  if (userFiles) return { driver: 'user', reason: `the Vulkan driver the environment names (${userFiles})` };
  if (wanted === 'system') return { driver: 'system', reason: 'MIXDEN_VULKAN=system' };
  const installed = systemDriverFiles();
  if (wanted !== 'swiftshader' && installed.length > 0 && loader === 'system') {
    return { driver: 'system', reason: `the installed Vulkan driver${installed.length > 1 ? 's' : ''} (${installed.join(', ')})` };
  }
  if (!existsSync(SWIFTSHADER_ICD) || loader === 'none') {
    return { driver: 'system', reason: 'no Vulkan driver is installed and Debian\'s chromium (whose SwiftShader would serve) is not either' };
  }
  process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  const why = wanted === 'swiftshader' ? 'MIXDEN_VULKAN=swiftshader' : 'no GPU driver is installed';
  return { driver: 'swiftshader', reason: `SwiftShader from Debian's chromium, on the CPU (${why})` };
}
