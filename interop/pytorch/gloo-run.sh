#!/usr/bin/env bash
# "Train here, scale there", both ways (a model of rows; a sequence model), with two gloo processes on this machine; writes its log to
# interop/pytorch/gloo-run.log. Needs PyTorch (Debian: apt install python3-torch) and `npm run build`.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=${PYTHON:-/usr/bin/python3}
work=$(mktemp -d)
{
  echo "# bash interop/pytorch/gloo-run.sh, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, torch $($python -c 'import torch; print(torch.__version__)')"
  echo "\$ mixden dataset inverse-sine --rows 2000 --out data.csv"
  node bin/mixden.js dataset inverse-sine --rows 2000 --out "$work/data.csv"
  echo
  echo "# 1. A model trained from scratch by two processes (DistributedDataParallel, gloo), opened by mixden."
  echo "\$ python3 interop/pytorch/train.py --data data.csv --x x --y y --hidden 24 --components 5 --steps 600 --lr 0.01 --processes 2 --out there.safetensors"
  $python interop/pytorch/train.py --data "$work/data.csv" --x x --y y --hidden 24 --components 5 --steps 600 --lr 0.01 --processes 2 --out "$work/there.safetensors" 2>&1
  echo "\$ mixden predict --model there.safetensors --data first-rows.csv --quantiles 0.05,0.5,0.95"
  head -n 4 "$work/data.csv" | cut -d, -f1 > "$work/first-rows.csv"
  node bin/mixden.js predict --model "$work/there.safetensors" --data "$work/first-rows.csv" --quantiles 0.05,0.5,0.95 2>/dev/null
  echo
  echo "# 2. A model trained by mixden, fine-tuned by two processes, and back."
  echo "\$ mixden train --data data.csv --x x --y y --hidden 24 --components 5 --steps 300 --lr 0.01 --out here.safetensors"
  node bin/mixden.js train --data "$work/data.csv" --x x --y y --hidden 24 --components 5 --steps 300 --lr 0.01 --out "$work/here.safetensors" 2>/dev/null
  echo "\$ python3 interop/pytorch/train.py --from here.safetensors --data data.csv --x x --y y --steps 300 --lr 0.005 --processes 2 --out back.safetensors"
  $python interop/pytorch/train.py --from "$work/here.safetensors" --data "$work/data.csv" --x x --y y --steps 300 --lr 0.005 --processes 2 --out "$work/back.safetensors" 2>&1
  echo "\$ mixden predict --model back.safetensors --data first-rows.csv --quantiles 0.05,0.5,0.95"
  node bin/mixden.js predict --model "$work/back.safetensors" --data "$work/first-rows.csv" --quantiles 0.05,0.5,0.95 2>/dev/null
  echo
  echo "# 3. A sequence model (an LSTM over pen strokes of three letters) made by mixden, trained by two processes"
  echo "#    in windows of 24 steps, and drawn from by mixden."
  echo "\$ mixden dataset strokes --letters abc --per-letter 20 --out strokes.csv"
  node bin/mixden.js dataset strokes --letters abc --per-letter 20 --out "$work/strokes.csv" 2>/dev/null
  echo "\$ mixden train --data strokes.csv --sequence sequence --y dx,dy --categorical pen:3 --condition letter --stop pen=2 --layers lstm:32 --family gaussian-full --components 4 --steps 50 --out here-strokes.safetensors"
  node bin/mixden.js train --data "$work/strokes.csv" --sequence sequence --y dx,dy --categorical pen:3 --condition letter --stop pen=2 --layers lstm:32 --family gaussian-full --components 4 --steps 50 --out "$work/here-strokes.safetensors" 2>/dev/null | tail -n 2
  echo "\$ python3 interop/pytorch/train.py --from here-strokes.safetensors --data strokes.csv --window 24 --batch 16 --steps 400 --lr 0.005 --processes 2 --out there-strokes.safetensors"
  $python interop/pytorch/train.py --from "$work/here-strokes.safetensors" --data "$work/strokes.csv" --window 24 --batch 16 --steps 400 --lr 0.005 --processes 2 --out "$work/there-strokes.safetensors" 2>&1
  echo "\$ mixden generate --model there-strokes.safetensors --condition letter=b --count 4 --max-steps 60 --temperature 0.5 --seed 1 --out drawn.csv"
  node bin/mixden.js generate --model "$work/there-strokes.safetensors" --condition letter=b --count 4 --max-steps 60 --temperature 0.5 --seed 1 --out "$work/drawn.csv" 2>/dev/null
  head -n 4 "$work/drawn.csv"
  echo
  echo "# 4. Stateful windows both ways: mixden trains windows of 12 steps carrying each sequence's state, two"
  echo "#    processes continue likewise, and mixden draws; then the check that the twin's stateful walk is the"
  echo "#    whole sequences' (one slot, lr 0)."
  echo "\$ mixden train --data strokes.csv --sequence sequence --y dx,dy --categorical pen:3 --condition letter --stop pen=2 --layers gru:32 --family gaussian-full --components 4 --window 12 --stateful --batch 16 --steps 100 --out here-stateful.safetensors"
  node bin/mixden.js train --data "$work/strokes.csv" --sequence sequence --y dx,dy --categorical pen:3 --condition letter --stop pen=2 --layers gru:32 --family gaussian-full --components 4 --window 12 --stateful --batch 16 --steps 100 --out "$work/here-stateful.safetensors" 2>/dev/null | tail -n 2
  echo "\$ python3 interop/pytorch/train.py --from here-stateful.safetensors --data strokes.csv --window 12 --stateful --batch 16 --steps 400 --lr 0.005 --processes 2 --out there-stateful.safetensors"
  $python interop/pytorch/train.py --from "$work/here-stateful.safetensors" --data "$work/strokes.csv" --window 12 --stateful --batch 16 --steps 400 --lr 0.005 --processes 2 --out "$work/there-stateful.safetensors" 2>&1
  echo "\$ mixden generate --model there-stateful.safetensors --condition letter=c --count 4 --max-steps 60 --temperature 0.5 --seed 1 --out drawn-stateful.csv"
  node bin/mixden.js generate --model "$work/there-stateful.safetensors" --condition letter=c --count 4 --max-steps 60 --temperature 0.5 --seed 1 --out "$work/drawn-stateful.csv" 2>/dev/null
  head -n 4 "$work/drawn-stateful.csv"
  echo "\$ python3 interop/pytorch/check_stateful.py there-stateful.safetensors strokes.csv 12"
  $python interop/pytorch/check_stateful.py "$work/there-stateful.safetensors" "$work/strokes.csv" 12
} | tee interop/pytorch/gloo-run.log
rm -rf "$work"
