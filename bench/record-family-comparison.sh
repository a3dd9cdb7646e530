#!/usr/bin/env bash
# Each mixture family against the diagonal Gaussian on the data it is for, same trunk, K and steps, over three
# seeds (the split, the weights and the minibatches change with the seed; the data set does not): test NLL per
# row in original units, from `mixden report --json`.
#   bash bench/record-family-comparison.sh [heavy-tailed|correlated|learned-nu|angular|all]   (default all)
# heavy-tailed → docs/family-comparison.txt (gaussian, laplace, student-t);
# correlated   → docs/family-comparison-correlated.txt (gaussian, gaussian-full);
# learned-nu   → docs/family-comparison-learned-nu.txt (student-t with learned ν, and the ν it learned);
# angular      → docs/family-comparison-angular.txt (gaussian, von-mises).
set -euo pipefail
cd "$(dirname "$0")/.."
which=${1:-all}
bash scripts/setup.sh
npm run -s build
options=(--hidden 32,32 --components 3 --steps 2000 --lr 0.01)

# One row per run: family, seed, the MDN's test NLL, its CRPS where y has one column, the MLP-by-MSE baseline's NLL.
run() {
  local dataset=$1 family=$2 seed=$3
  shift 3
  local json
  json=$(node bin/mixden.js report --dataset "$dataset" "${options[@]}" --family "$family" "$@" --seed "$seed" --json 2>/dev/null | tail -n 1)
  node -e '
    const r = JSON.parse(process.argv[1]);
    const row = (name) => r.models.find((m) => m.model.startsWith(name));
    const mdn = row("MDN");
    const crps = mdn.crps === undefined ? "-" : mdn.crps.toFixed(4);
    console.log(`${process.argv[2].padEnd(13)} ${process.argv[3].padEnd(6)} ${mdn.testNll.toFixed(4).padEnd(10)} ${crps.padEnd(10)} ${row("MLP").testNll.toFixed(4)}`);
  ' "$json" "$family" "$seed"
}

# The comment lines ($2, $3), then the column titles.
header() {
  echo "# mixden report --dataset $1 ${options[*]} --family F --seed S, $(date -u +%Y-%m-%d), $(nproc) cores"
  echo "# $2"
  echo "# $3"
  printf '%-13s %-6s %-10s %-10s %s\n' family seed 'test NLL' 'CRPS' 'MLP-by-MSE baseline NLL'
}

if [ "$which" = all ] || [ "$which" = heavy-tailed ]; then
  {
    header heavy-tailed 'heavy-tailed: y = sin(x) + 0.3 t(2.5), 2000 rows (1600 train, 400 test). Test NLL per row, nats (lower is better).' \
      "student-t with --degrees-of-freedom 2.5, the noise's own ν. CRPS in the units of y."
    for family in gaussian laplace student-t; do
      extra=(); [ "$family" = student-t ] && extra=(--degrees-of-freedom 2.5)
      for seed in 1 2 3; do run heavy-tailed "$family" "$seed" "${extra[@]}"; done
    done
  } | tee docs/family-comparison.txt
fi

if [ "$which" = all ] || [ "$which" = correlated ]; then
  {
    header correlated 'correlated: y = (sin x, x/2) + R(πx/6) diag(0.5, 0.08) z, 2000 rows (1600 train, 400 test). Test NLL per row (both columns), nats.' \
      'The noise alone has entropy log(2πe · 0.5 · 0.08) = -0.381 nats: no model can average below it. CRPS: one-column y only.' 
    for family in gaussian gaussian-full; do
      for seed in 1 2 3; do run correlated "$family" "$seed"; done
    done
  } | tee docs/family-comparison-correlated.txt
fi

if [ "$which" = all ] || [ "$which" = learned-nu ]; then
  tmp=$(mktemp -d)
  node bin/mixden.js dataset heavy-tailed --out "$tmp/data.csv"
  {
    header heavy-tailed 'heavy-tailed: y = sin(x) + 0.3 t(2.5), 2000 rows (1600 train, 400 test). Test NLL per row, nats (lower is better).' \
      'student-t with --degrees-of-freedom learned (ν per component from the network, in (1.5, 100)); last column: the median over all 2000 rows of the ν of each row'"'"'s heaviest component (the noise has ν = 2.5).'
    for seed in 1 2 3; do
      line=$(run heavy-tailed student-t "$seed" --degrees-of-freedom learned --out "$tmp/m.mixden")
      nu=$(node bin/mixden.js predict --model "$tmp/m.mixden" --data "$tmp/data.csv" --mixture --json | node -e '
        const rows = JSON.parse(require("fs").readFileSync(0, "utf8"));
        const heaviest = rows.map((r) => {
          let best = 1;
          for (let k = 2; `pi${k}` in r; k++) if (r[`pi${k}`] > r[`pi${best}`]) best = k;
          return r[`nu${best}_y`];
        }).sort((a, b) => a - b);
        console.log(heaviest[Math.floor(heaviest.length / 2)].toFixed(2));
      ')
      echo "${line}   median ν ${nu}"
    done
  } | tee docs/family-comparison-learned-nu.txt
  rm -rf "$tmp"
fi

if [ "$which" = all ] || [ "$which" = angular ]; then
  {
    header angular 'angular: y = 2x + 0.35 z wrapped into (-pi, pi], x ~ U(-3, 3), 2000 rows (1600 train, 400 test). Test NLL per row, nats.' \
      'von-mises never scales y; gaussian z-scores it as usual. CRPS: on the line for gaussian, on (-pi, pi] for von-mises.'
    for family in gaussian von-mises; do
      for seed in 1 2 3; do run angular "$family" "$seed"; done
    done
  } | tee docs/family-comparison-angular.txt
fi
