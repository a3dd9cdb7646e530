#!/usr/bin/env bash
# The stroke model's figures for the README, from one run: a recurrent trunk against the same head on a dense
# trunk fed only the previous step (and the letter), trained alike on the stroke set; held-out NLL per step of
# each, and generated letters of each as pictures. Writes docs/strokes-comparison.txt and docs/strokes-*.png.
# Usage: bash bench/record-strokes.sh [STEPS] [LAYERS]   (default 2000 steps, lstm:64)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-2000}
layers=${2:-lstm:64}
work=$(mktemp -d)
npm run -s build
node bin/mixden.js dataset strokes --per-letter 40 --seed 11 --out "$work/strokes.csv"
common=(--sequence sequence --data "$work/strokes.csv" --y dx,dy --categorical pen:3 --condition letter --family gaussian-full --components 10 --stop pen=2 --steps "$steps" --batch 32 --lr 0.003 --clip 1 --seed 1 --test-fraction 0.15 --json)
recurrent=$(node bin/mixden.js train "${common[@]}" --layers "$layers,dense:64:tanh" --out "$work/recurrent.mixden" 2>/dev/null | tail -1)
dense=$(node bin/mixden.js train "${common[@]}" --layers dense:64:tanh,dense:64:tanh --out "$work/dense.mixden" 2>/dev/null | tail -1)
letters='a|b|c|d|e|g|h|k|m|n|p|s|w|y'
for name in recurrent dense; do
  node bin/mixden.js generate --model "$work/$name.mixden" --condition "letter=$letters" --count 4 --max-steps 80 --temperature 0.8 --sigma-temperature 0.5 --seed 3 --picture "docs/strokes-$name.png" --out "$work/$name-generated.csv" --json > /dev/null
done
{
  echo "# Stroke model: recurrent against dense trunk, same head, one run ($(date -u +%F), $(node -p 'require("os").cpus()[0].model'))"
  echo "# data: mixden dataset strokes --per-letter 40 --seed 11 (26 letters x 40 drawings), 15% of sequences held out (seed 1)"
  echo "# head: gaussian-full K=10 over (dx, dy) + categorical pen (3 classes), condition: one-hot letter; $steps steps, batch 32, lr 0.003, clip 1"
  echo "# trunk $layers,dense:64:tanh: $recurrent"
  echo "# trunk dense:64:tanh,dense:64:tanh (fed the previous step and the letter only): $dense"
} > docs/strokes-comparison.txt
cat docs/strokes-comparison.txt
rm -rf "$work"
