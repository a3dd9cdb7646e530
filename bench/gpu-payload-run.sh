#!/usr/bin/env bash
# Runs on a GPU machine from the folder bench/gpu-payload.sh built (copied there as run.sh): bash run.sh OUT
# Uses the machine's Node and Vulkan loader where it has them, else the ones the payload carries (node.xz,
# unpacked to /tmp; vulkan/libvulkan.so.1, Debian's), and points the loader at NVIDIA's driver file where that
# sits outside the standard folders (as in some containers). Records the machine, the adapter Dawn picks and its
# class, a 200-step training on it against the default driver's, then on a GPU-class adapter the kernel variants,
# the recurrent walks, `mixden profile` of a rows model and of a sequence model, and the Node and sequence
# benchmarks against tfjs-wasm (tfjs-cpu is left out: minutes of one core, and not the backend the goals name);
# elsewhere the quick benchmarks on what there is, said so. Each step has a time limit, together 9.5 minutes, so
# the whole fits one call of a lent machine (10 minutes). The figures go to a folder of their own (FIGURES,
# default a new one under /tmp); OUT gets two files, rewritten after every step so that a run cut short still
# returns what it made: summary.txt and figures.tar.gz (all of FIGURES), as a lent machine returns at most 8 files
# from OUT and none more than two folders down.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
mkdir -p "$out" && out=$(cd "$out" && pwd)
figures=${FIGURES:-$(mktemp -d /tmp/mixden-figures.XXXXXX)}
mkdir -p "$figures"
cd "$here"
log() { echo "gpu-payload: $*" | tee -a "$figures/summary.txt"; }
pack() { cp "$figures/summary.txt" "$out/" && tar czf "$out/figures.tar.gz" -C "$figures" .; }
# step SECONDS NAME COMMAND...: the command's output in NAME.log, a line in the summary where it fails.
step() {
  local limit=$1 name=$2
  shift 2
  timeout "$limit" "$@" > "$figures/$name.log" 2>&1
  local rc=$?
  [ $rc -eq 0 ] || log "$name: exit $rc$([ $rc -eq 124 ] && echo " (over its $limit s)") (see $name.log)"
  pack
}

# Files the payload carries as xz (gpu-payload.sh), restored next to themselves; Node only where needed, into /tmp.
unxz_to() {
  if command -v xz > /dev/null; then xz -dc "$1" > "$2.part"
  else python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), sys.stdout.buffer)' "$1" > "$2.part"; fi && mv "$2.part" "$2"
}
find node_modules chunks -name '*.xz' | while read -r packed; do
  [ -e "${packed%.xz}" ] || unxz_to "$packed" "${packed%.xz}"
done
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)' 2> /dev/null; then
  mkdir -p /tmp/mixden-node
  unxz_to node.xz /tmp/mixden-node/node && chmod +x /tmp/mixden-node/node
  export PATH=/tmp/mixden-node:$PATH
  log "Node: the payload's $(node --version) (the machine has none of 18 or later)"
fi
if ! ldconfig -p 2> /dev/null | grep -q 'libvulkan\.so\.1 '; then
  export LD_LIBRARY_PATH=$here/vulkan${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  log "Vulkan loader: the payload's (the machine has none)"
fi
standard_icds=$(ls /usr/share/vulkan/icd.d/*.json /etc/vulkan/icd.d/*.json /usr/local/share/vulkan/icd.d/*.json 2> /dev/null)
if [ -z "$standard_icds" ] && [ -z "${VK_DRIVER_FILES:-}${VK_ICD_FILENAMES:-}" ]; then
  icd=$(find /usr/local/nvidia /usr/lib/x86_64-linux-gnu/nvidia /usr/share/nvidia -name 'nvidia_icd*.json' 2> /dev/null | head -n 1)
  if [ -n "$icd" ]; then
    export VK_DRIVER_FILES=$icd
    [ -d /usr/local/nvidia/lib64 ] && export LD_LIBRARY_PATH=${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}/usr/local/nvidia/lib64
    log "Vulkan driver file outside the standard folders: VK_DRIVER_FILES=$icd"
  fi
fi

bash machine-record.sh "payload of commit $(cat commit.txt)" > "$figures/machine.txt"
log "machine: $(sed -n 2p "$figures/machine.txt")"

adapter_json=$(MIXDEN_VULKAN=system timeout 30 node bench.mjs --adapter 2>>"$figures/node-adapter.stderr.txt" | tail -n 1)
echo "$adapter_json" > "$figures/node-adapter.json"
class=$(node -e 'try { console.log(JSON.parse(process.argv[1]).adapterClass ?? "none") } catch { console.log("none") }' "$adapter_json")
log "Node adapter with the system's Vulkan drivers: $adapter_json"

for driver in system auto; do
  MIXDEN_VULKAN=$driver timeout 25 node mixden.mjs train-seed --steps 200 --json 2>>"$figures/train-seed-$driver.stderr.txt" | tail -n 1 > "$figures/train-seed-$driver.json"
done
log "train-seed, 200 steps: system $(cat "$figures/train-seed-system.json"); default $(cat "$figures/train-seed-auto.json")"
pack

# PAYLOAD_ALL_STEPS=1 takes the GPU-class steps on any adapter (to rehearse them on a machine without a GPU).
if [ "$class" = gpu ] || [ -n "${PAYLOAD_ALL_STEPS:-}" ]; then
  export MIXDEN_VULKAN=system
  log "GPU-class adapter (or PAYLOAD_ALL_STEPS; class: $class): kernel variants, recurrent walks, full benchmarks against tfjs-wasm"
  step 70 kernel-variants node kernel-variants.mjs --out "$figures"
  step 40 kernel-variants-tiled node kernel-variants.mjs tiled --out "$figures"
  step 40 recurrent-variants node recurrent-variants.mjs --out "$figures"
  # Training's walk designs side by side (the looped walk GPUs run, and the software adapters' blocked steps).
  step 30 recurrent-designs node recurrent-variants.mjs --designs --out "$figures"
  # Where a step's GPU time goes: the inverse-sine model on 8192 rows, and the sequence workload's model
  # (lstm:128, gaussian-full K 10, a 3-way pen) trained briefly on the stroke set.
  step 30 profile-rows node mixden.mjs profile --rows 8192 --repeats 10 --json
  step 50 profile-sequence bash -c "node mixden.mjs dataset strokes --out '$figures/strokes.csv' \
    && node mixden.mjs train --sequence sequence --data '$figures/strokes.csv' --y dx,dy --categorical pen:3 --condition letter \
      --layers lstm:128 --family gaussian-full --components 10 --steps 20 --out '$figures/strokes.mixden' \
    && node mixden.mjs profile --model '$figures/strokes.mixden' --repeats 10 --json"
  # One workload a step, so that a slow one (tfjs-wasm's side of 'large' took 55 s on a 2-core machine) costs
  # only its own figures.
  step 30 node-bench-seed-small node bench.mjs --workloads=seed-small --systems=mixden,tfjs-wasm --out="$figures/node-seed-small"
  step 45 node-bench-seed-spiral node bench.mjs --workloads=seed-spiral --systems=mixden,tfjs-wasm --out="$figures/node-seed-spiral"
  step 75 node-bench-large node bench.mjs --workloads=large --systems=mixden,tfjs-wasm --out="$figures/node-large"
  step 90 sequence-bench node bench.mjs --sequence --systems=mixden,tfjs-wasm --out="$figures/sequence"
else
  log "no GPU-class adapter (class: $class): the quick benchmarks on the default driver"
  step 115 node-bench node bench.mjs --quick --systems=mixden,tfjs-wasm --out="$figures/node"
  step 90 sequence-bench node bench.mjs --sequence --quick --systems=mixden,tfjs-wasm --out="$figures/sequence"
fi
log "done: $figures ($(ls "$figures" | wc -l) entries), packed in $out/figures.tar.gz"
pack
