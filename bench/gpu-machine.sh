#!/usr/bin/env bash
# Real-GPU figures in one run, for a Linux machine with an NVIDIA GPU and no network, from a copy of the working
# tree that includes node_modules (nothing is installed or downloaded):
#   bash bench/gpu-machine.sh [OUT]          (default bench/results/gpu-machine-<date>)
# 1. what the machine is (nvidia-smi, the Vulkan drivers installed, node);
# 2. which adapter Dawn in Node picks (MIXDEN_VULKAN=system: the installed driver, a GPU's) and its class;
# 3. a correctness check on it: the inverse-sine model trained on the GPU and on lavapipe/SwiftShader from the same
#    start (the NLLs must agree within the adapters test's tolerance);
# 4. the kernel variants (npm run bench:kernels) and the Node benchmark against tfjs on that adapter;
# 5. whether headless Chromium reaches the GPU (Vulkan through ANGLE), and if it does the browser benchmark.
# Where there is no GPU-class adapter it says so, runs the quick benchmark on what there is, and exits 0: the
# same script was rehearsed that way on a CPU-only machine. Every figure lands under OUT.
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench/results/gpu-machine-$(date -u +%Y-%m-%d)}
mkdir -p "$out"
log() { echo "gpu-machine: $*" | tee -a "$out/summary.txt"; }

bash bench/machine-record.sh "commit $(git rev-parse --short HEAD 2>/dev/null || echo unknown)" > "$out/machine.txt"
log "machine: $(grep -v '^#' "$out/machine.txt" | head -n 1)"

if [ ! -d node_modules ] || [ ! -d node_modules/webgpu ]; then
  log "node_modules is missing: copy the working tree with its node_modules (this script installs nothing)"
  exit 2
fi
npm run -s build || { log "the build failed"; exit 1; }

# 2. The adapter Dawn picks with the system's drivers.
adapter_json=$(MIXDEN_VULKAN=system node --input-type=module -e "
  const { nodeGpu, vulkanDriver } = await import('./dist/host/node.js');
  try {
    const gpu = await nodeGpu();
    console.log(JSON.stringify({ description: gpu.adapterDescription, adapterClass: gpu.adapterClass, driver: vulkanDriver().reason, timestamps: gpu.hasTimestamps }));
    gpu.destroy();
  } catch (error) {
    console.log(JSON.stringify({ error: String(error && error.message || error) }));
  }
  process.exit(0);
" 2>>"$out/node-adapter.stderr.txt" | tail -n 1)
echo "$adapter_json" > "$out/node-adapter.json"
class=$(node -e 'try { console.log(JSON.parse(process.argv[1]).adapterClass ?? "none") } catch { console.log("none") }' "$adapter_json")
log "Node adapter with the system's Vulkan drivers: $adapter_json"

# 3. The same training from the same start on this adapter and on the CPU driver the project uses otherwise.
for driver in system auto; do
  MIXDEN_VULKAN=$driver node bin/mixden.js train-seed --steps 200 --json 2>/dev/null | tail -n 1 > "$out/train-seed-$driver.json" || true
done
log "train-seed, 200 steps: system $(cat "$out/train-seed-system.json"); default $(cat "$out/train-seed-auto.json")"

# 4. Kernel variants and the Node benchmark: full on a GPU-class adapter, quick otherwise.
if [ "$class" = gpu ]; then
  quick=()
  log "GPU-class adapter: full benchmark"
else
  quick=(--quick)
  log "no GPU-class adapter in Node (class: $class); falling back to the quick benchmark on the default driver"
fi
vulkan=system; [ "$class" = gpu ] || vulkan=auto
if [ "$class" = gpu ]; then
  MIXDEN_VULKAN=$vulkan node bench/kernel-variants.mjs --out "$out" > "$out/kernel-variants.log" 2>&1 || log "kernel variants failed (see kernel-variants.log)"
fi
# The GPU-class forward product (workgroup tiles) against the register blocks the software adapters keep.
MIXDEN_VULKAN=$vulkan node bench/kernel-variants.mjs tiled --out "$out" > "$out/kernel-variants-tiled.log" 2>&1 || log "the tiled comparison failed (see kernel-variants-tiled.log)"
MIXDEN_VULKAN=$vulkan node bench/cli.mjs --host node "${quick[@]}" --out "$out/node" > "$out/node-bench.log" 2>&1 || log "the Node benchmark failed (see node-bench.log)"
log "Node benchmark: $(grep -c . "$out/node-bench.log") log lines, figures in $out/node/"

# 5. Does headless Chromium reach the GPU? Vulkan through ANGLE; SwiftShader means it does not.
chromium_args='--use-angle=vulkan --enable-features=Vulkan,VulkanFromANGLE --ignore-gpu-blocklist'
browser_adapter=$(MIXDEN_CHROMIUM_ARGS="$chromium_args" node --input-type=module -e "
  import puppeteer from 'puppeteer';
  const browser = await puppeteer.launch({ executablePath: process.env.MIXDEN_CHROMIUM ?? '/usr/bin/chromium', headless: true,
    args: ['--headless=new', '--no-sandbox', '--enable-unsafe-webgpu', ...process.env.MIXDEN_CHROMIUM_ARGS.split(' ')] });
  try {
    const page = await browser.newPage();
    const info = await page.evaluate(async () => {
      const adapter = await navigator.gpu?.requestAdapter();
      return adapter ? { vendor: adapter.info.vendor, architecture: adapter.info.architecture, description: adapter.info.description, fallback: adapter.info.isFallbackAdapter ?? false } : null;
    });
    console.log(JSON.stringify(info));
  } finally {
    await browser.close();
  }
" 2>>"$out/browser-adapter.stderr.txt" | tail -n 1)
echo "${browser_adapter:-null}" > "$out/browser-adapter.json"
if [ -n "$browser_adapter" ] && [ "$browser_adapter" != null ] && ! echo "$browser_adapter" | grep -qi 'swiftshader\|"fallback":true'; then
  log "Chromium reaches the GPU: $browser_adapter; running the browser benchmark"
  MIXDEN_CHROMIUM_ARGS="$chromium_args" node bench/cli.mjs --out "$out/browser" > "$out/browser-bench.log" 2>&1 || log "the browser benchmark failed (see browser-bench.log)"
else
  log "Chromium does not reach a GPU here (${browser_adapter:-no adapter}); no browser benchmark"
fi
log "done: $out"
