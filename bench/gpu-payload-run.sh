#!/usr/bin/env bash
# Runs on a GPU machine from the folder bench/gpu-payload.sh built (copied there as run.sh): bash run.sh OUT
# Records the machine, the adapter Dawn picks with the system's Vulkan drivers and its class, a 200-step training on
# it against the default driver's, then on a GPU-class adapter the kernel variants, the recurrent walks, and the Node
# and sequence benchmarks against tfjs-wasm (tfjs-cpu is left out: minutes of one core, and not the backend the
# goals name); elsewhere the quick benchmarks on what there is, said so. Each step has a time limit, together 9.5
# minutes, so the whole fits one call of a lent machine (10 minutes). Every figure lands under OUT; summary.txt says what happened.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/out}
mkdir -p "$out" && out=$(cd "$out" && pwd)
cd "$here"
log() { echo "gpu-payload: $*" | tee -a "$out/summary.txt"; }
# step SECONDS NAME COMMAND...: the command's output in NAME.log, a line in the summary where it fails.
step() {
  local limit=$1 name=$2
  shift 2
  timeout "$limit" "$@" > "$out/$name.log" 2>&1
  local rc=$?
  [ $rc -eq 0 ] || log "$name: exit $rc$([ $rc -eq 124 ] && echo " (over its $limit s)") (see $name.log)"
}

bash machine-record.sh "payload of commit $(cat commit.txt)" > "$out/machine.txt"
log "machine: $(sed -n 2p "$out/machine.txt")"

adapter_json=$(MIXDEN_VULKAN=system timeout 30 node bench.mjs --adapter 2>>"$out/node-adapter.stderr.txt" | tail -n 1)
echo "$adapter_json" > "$out/node-adapter.json"
class=$(node -e 'try { console.log(JSON.parse(process.argv[1]).adapterClass ?? "none") } catch { console.log("none") }' "$adapter_json")
log "Node adapter with the system's Vulkan drivers: $adapter_json"

for driver in system auto; do
  MIXDEN_VULKAN=$driver timeout 40 node mixden.mjs train-seed --steps 200 --json 2>>"$out/train-seed-$driver.stderr.txt" | tail -n 1 > "$out/train-seed-$driver.json"
done
log "train-seed, 200 steps: system $(cat "$out/train-seed-system.json"); default $(cat "$out/train-seed-auto.json")"

if [ "$class" = gpu ]; then
  export MIXDEN_VULKAN=system
  log "GPU-class adapter: kernel variants, recurrent walks, full benchmarks against tfjs-wasm"
  step 90 kernel-variants node kernel-variants.mjs --out "$out"
  step 50 kernel-variants-tiled node kernel-variants.mjs tiled --out "$out"
  step 60 recurrent-variants node recurrent-variants.mjs --out "$out"
  quick=()
else
  log "no GPU-class adapter (class: $class): the quick benchmarks on the default driver"
  quick=(--quick)
fi
step 150 node-bench node bench.mjs "${quick[@]}" --systems=mixden,tfjs-wasm --out="$out/node"
step 110 sequence-bench node bench.mjs --sequence "${quick[@]}" --systems=mixden,tfjs-wasm --out="$out/sequence"
log "done: $out ($(ls "$out" | wc -l) entries)"
