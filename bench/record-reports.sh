#!/usr/bin/env bash
# Runs `mixden report` on the built-in problems the README shows and keeps the tables and heatmaps in docs/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run -s build
mkdir -p docs
report() {
  local name=$1; shift
  { echo "\$ mixden report --dataset $name $*"; node bin/mixden.js report --dataset "$name" "$@" --heatmap "docs/$name.png" 2>/dev/null; } | tee "docs/report-$name.txt"
}
report inverse-sine --hidden 24 --activation sigmoid --components 24 --sigma exp --lr 0.01 --steps 3000 --seed 0
report bimodal --hidden 64,64 --components 5 --lr 0.005 --steps 3000
report spiral --hidden 128,128 --activation relu --components 20 --sigma elu1 --batch 500 --steps 3000 --lr 0.001
