#!/usr/bin/env bash
# What stateful windows buy, from one run: the stroke model trained on short windows, each starting from a zero
# state, against the same windows carrying the state their sequence's previous window left (--stateful), and
# against whole sequences (full back-propagation through time); held-out NLL per step of each, scored on whole
# sequences. Writes docs/stateful-windows.txt.
# Usage: bash bench/record-stateful-windows.sh [STEPS] [WINDOW]   (default 1000 steps, windows of 8 steps)
set -euo pipefail
cd "$(dirname "$0")/.."
steps=${1:-1000}
window=${2:-8}
work=$(mktemp -d)
npm run -s build
node bin/mixden.js dataset strokes --per-letter 40 --seed 11 --out "$work/strokes.csv"
common=(--sequence sequence --data "$work/strokes.csv" --y dx,dy --categorical pen:3 --condition letter --family gaussian-full --components 10 --stop pen=2 --layers lstm:64,dense:64:tanh --steps "$steps" --batch 32 --lr 0.003 --clip 1 --seed 1 --test-fraction 0.15 --json)
zero=$(node bin/mixden.js train "${common[@]}" --window "$window" --out "$work/zero.mixden" 2>/dev/null | tail -1)
stateful=$(node bin/mixden.js train "${common[@]}" --window "$window" --stateful --out "$work/stateful.mixden" 2>/dev/null | tail -1)
whole=$(node bin/mixden.js train "${common[@]}" --out "$work/whole.mixden" 2>/dev/null | tail -1)
{
  echo "# Stateful windows on the stroke model, one run ($(date -u +%F), $(node -p 'require("os").cpus()[0].model'))"
  echo "# data: mixden dataset strokes --per-letter 40 --seed 11 (26 letters x 40 drawings), 15% of sequences held out (seed 1); NLL per step scored on whole sequences"
  echo "# model: lstm:64,dense:64:tanh, gaussian-full K=10 over (dx, dy) + categorical pen (3 classes), one-hot letter; $steps steps, batch 32, lr 0.003, clip 1"
  echo "# windows of $window steps, each from a zero state: $zero"
  echo "# windows of $window steps, stateful (--stateful): $stateful"
  echo "# whole sequences (no --window): $whole"
} > docs/stateful-windows.txt
cat docs/stateful-windows.txt
rm -rf "$work"
