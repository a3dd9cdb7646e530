#!/usr/bin/env bash
# Installs what `npm start` and `npm test` need on a fresh machine, and nothing when it is already there:
# the npm dependencies (from the lockfile) and a Chromium whose SwiftShader gives WebGPU without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."

chromium_bin="${MIXDEN_CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium_bin" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "setup: installing Debian's chromium (WebGPU through SwiftShader where there is no GPU)" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: no Chromium at $chromium_bin; install it or set MIXDEN_CHROMIUM to a Chrome binary" >&2
    exit 1
  fi
fi

stamp=node_modules/.mixden-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing npm dependencies" >&2
  # onnxruntime-node (a test dependency) bundles its CPU binaries; skip its install script, which would also
  # fetch CUDA ones from outside the npm registry (npm versions that still run install scripts).
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# A faster software Vulkan driver for Node where the system has none Dawn accepts (best effort: SwiftShader otherwise).
bash scripts/lavapipe.sh
