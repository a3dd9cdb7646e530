#!/usr/bin/env bash
# Builds what a GPU machine with no network needs to measure mixden there, small enough to travel with the
# working tree (node_modules is about 1 GB; a lent device machine takes 64 MiB of ignored files at most):
#   bash bench/gpu-payload.sh [DIR]            (default .mixden/gpu-payload, git-ignored), then there:
#   bash DIR/run.sh OUT                        (bench/gpu-payload-run.sh, copied in)
# DIR holds, bundled by Vite with their dependencies (no node_modules, Vite or TypeScript needed there), the
# command line (mixden.mjs), the kernel and recurrent variant scripts and the Node and sequence benchmarks
# (bench.mjs), and a node_modules of what stays outside the bundles, for linux-x64: Dawn's binary (webgpu), resvg
# for the charts, the Hershey fonts' JSON, and TensorFlow.js's Node build with its wasm backend (the files Node's
# require loads, listed by loading them here); and for a machine without them, this machine's Node binary
# (node.xz) and the Vulkan loader from Debian's libvulkan1 (vulkan/; apt-get download, nothing installed), which
# run.sh uses only where the machine has none of its own. Files over 1 MiB travel as xz, which run.sh restores
# first.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.mixden/gpu-payload}
[ -d node_modules/webgpu ] || { echo "gpu-payload: run npm install first" >&2; exit 2; }
npm run -s build
rm -rf "$out"
mkdir -p "$out/node_modules"
cp bench/gpu-payload-run.sh "$out/run.sh"
cp bench/machine-record.sh "$out/"
echo '{ "name": "mixden-gpu-payload", "private": true, "type": "module" }' > "$out/package.json"
git rev-parse --short HEAD > "$out/commit.txt" 2>/dev/null || echo unknown > "$out/commit.txt"
npx vite build --logLevel warn --config bench/gpuPayload/vite.config.mjs --outDir "$(realpath "$out")"

# Node's modules: resvg and tfjs's small dependencies whole, Dawn's linux-x64 binary only, and tfjs's files as Node loads them.
copy() { mkdir -p "$out/node_modules/$(dirname "$1")" && cp -r "node_modules/$1" "$out/node_modules/$1"; }
for package in long seedrandom @resvg/resvg-js @resvg/resvg-js-linux-x64-gnu; do copy "$package"; done
# The Hershey fonts the stroke set is drawn from, which the command line reads as JSON when it runs.
mkdir -p "$out/node_modules/hersheytext"
cp node_modules/hersheytext/{package.json,hersheytext.min.json,LICENSE} "$out/node_modules/hersheytext/"
mkdir -p "$out/node_modules/webgpu/dist"
cp node_modules/webgpu/{package.json,index.js} "$out/node_modules/webgpu/"
cp -r node_modules/webgpu/dist/linux-x64 "$out/node_modules/webgpu/dist/"
node --input-type=commonjs -e "
  require('@tensorflow/tfjs'); require('@tensorflow/tfjs-backend-wasm');
  for (const file of Object.keys(require.cache)) if (file.includes('/node_modules/@tensorflow/')) console.log(file.slice(file.indexOf('node_modules/') + 13));
" | while read -r file; do
  mkdir -p "$out/node_modules/$(dirname "$file")" && cp "node_modules/$file" "$out/node_modules/$file"
done
for package in node_modules/@tensorflow/*/; do
  name=${package#node_modules/}
  [ -d "$out/node_modules/$name" ] && cp "$package/package.json" "$out/node_modules/$name/"
done
cp node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm "$out/node_modules/@tensorflow/tfjs-backend-wasm/dist/"
# The loader (its library alone), Node (95 MB here, 23 as xz), and every other file over 1 MiB (Dawn's binary is 21
# MB, 5 as xz) compressed: run.sh restores them where the machine needs them.
debs=$(mktemp -d)
(cd "$debs" && apt-get download -qq libvulkan1 2> /dev/null && dpkg-deb -x libvulkan1_*.deb root)
mkdir -p "$out/vulkan"
cp -L "$debs"/root/usr/lib/x86_64-linux-gnu/libvulkan.so.1 "$out/vulkan/"
rm -rf "$debs"
xz -T0 -9 -c "$(command -v node)" > "$out/node.xz"
find "$out/node_modules" "$out/chunks" -type f -size +1M -exec xz -T0 -6 {} \;
# A lent machine takes 64 MiB of working tree in all (what travels with the payload included).
size_kib=$(du -sk "$out" | cut -f1)
[ "$size_kib" -le $((60 * 1024)) ] || { echo "gpu-payload: $out is $((size_kib / 1024)) MiB, over the 60 MiB it may take" >&2; exit 1; }
echo "gpu-payload: $out, $(du -sh "$out" | cut -f1) (commit $(cat "$out/commit.txt"))"
