#!/usr/bin/env bash
# Where each benchmark model's GPU time goes on this machine's Node adapter: `mixden profile` (GPU time of each
# dispatch, median of 10) of the three workloads' models (seed-small as the inverse-sine model; seed-spiral and
# large built with their architectures and trained a few steps on data of their shape) at the benchmark's training
# rows, and of the sequence workload's model (lstm:128, gaussian-full K 10 over dx, dy and a 3-way pen) at its
# batch of 32 windows of 64 steps and its 256 generated sequences. Writes bench/results/profile-DATE-DRIVER.txt.
# Usage: bash bench/record-profiles.sh
set -euo pipefail
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
npm run -s build
repo=$(pwd)
# Run in the scratch folder, so that the models are named by their file names.
mixden() { (cd "$work" && node "$repo/bin/mixden.js" "$@" 2> /dev/null); }
driver=$(node -e "import('./dist/host/node.js').then(async (m) => { const gpu = await m.nodeGpu(); console.log(gpu.adapterClass); gpu.destroy(); process.exit(0); })" 2> /dev/null)
file=bench/results/profile-$(date -u +%F)-$driver.txt

mixden dataset spiral --out spiral.csv > /dev/null
mixden train --data spiral.csv --x x --y y --hidden 128,128 --activation relu --components 20 --sigma elu1 --steps 5 --out spiral.mixden > /dev/null
# 8 inputs, 2 targets, as the large workload's synthetic rows.
node -e "
  const lines = ['x1,x2,x3,x4,x5,x6,x7,x8,y1,y2'];
  for (let i = 0; i < 2000; i++) { const x = Array.from({ length: 8 }, (_, j) => Math.sin(i * 0.7 + j * 1.3)); lines.push([...x, Math.sin(x[0]) + x[1], x[3] * x[4]].join(',')); }
  require('fs').writeFileSync('$work/large.csv', lines.join('\n') + '\n');"
mixden train --data large.csv --x x1,x2,x3,x4,x5,x6,x7,x8 --y y1,y2 --hidden 256,256 --activation relu --components 32 --sigma exp --steps 5 --out large.mixden > /dev/null
mixden dataset strokes --out strokes.csv > /dev/null
mixden train --sequence sequence --data strokes.csv --y dx,dy --categorical pen:3 --layers lstm:128 --family gaussian-full --components 10 --steps 5 --out sequence.mixden > /dev/null
{
  echo "# mixden profile of the benchmark models, $(date -u +%FT%H:%MZ), $(node -p 'require("os").cpus().length') cores, commit $(git rev-parse --short HEAD)"
  echo "# bash bench/record-profiles.sh; GPU time of each dispatch by timestamps, median of 10 runs (lavapipe's clock ticks in steps of ~0.066 ms)"
  echo
  echo "## seed-small (the inverse-sine model), 1000 rows"
  mixden profile --rows 1000 --repeats 10
  echo
  echo "## seed-spiral's architecture, 10000 rows"
  mixden profile --model spiral.mixden --rows 10000 --repeats 10
  echo
  echo "## large's architecture, 8192 rows"
  mixden profile --model large.mixden --rows 8192 --repeats 10
  echo
  echo "## the sequence workload's model: 32 windows of 64 steps; 256 generated sequences"
  mixden profile --model sequence.mixden --sequences 32 --steps 64 --count 256 --repeats 10
} > "$file"
cat "$file"
