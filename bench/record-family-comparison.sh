#!/usr/bin/env bash
# Each mixture family against the Gaussian on the data it is for, same trunk, K and steps, over three seeds
# (the split, the weights and the minibatches change with the seed; the data set does not): test NLL per row
# in original units, from `mixden report --json`. Writes docs/family-comparison.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run -s build
out=docs/family-comparison.txt
options=(--hidden 32,32 --components 3 --steps 2000 --lr 0.01)
{
  echo "# mixden report --dataset heavy-tailed ${options[*]} --family F --seed S, $(date -u +%Y-%m-%d), $(nproc) cores"
  echo "# heavy-tailed: y = sin(x) + 0.3 t(2.5), 2000 rows (1600 train, 400 test). Test NLL per row, nats (lower is better)."
  echo "# student-t with --degrees-of-freedom 2.5, the noise's own ν. CRPS in the units of y."
  printf '%-10s %-6s %-10s %-10s %s\n' family seed 'test NLL' 'CRPS' 'MLP-by-MSE baseline NLL'
  for family in gaussian laplace student-t; do
    extra=(); [ "$family" = student-t ] && extra=(--degrees-of-freedom 2.5)
    for seed in 1 2 3; do
      json=$(node bin/mixden.js report --dataset heavy-tailed "${options[@]}" --family "$family" "${extra[@]}" --seed "$seed" --json 2>/dev/null | tail -n 1)
      node -e '
        const r = JSON.parse(process.argv[1]);
        const row = (name) => r.models.find((m) => m.model.startsWith(name));
        const mdn = row("MDN");
        console.log(`${process.argv[2].padEnd(10)} ${process.argv[3].padEnd(6)} ${mdn.testNll.toFixed(4).padEnd(10)} ${mdn.crps.toFixed(4).padEnd(10)} ${row("MLP").testNll.toFixed(4)}`);
      ' "$json" "$family" "$seed"
    done
  done
} | tee "$out"
