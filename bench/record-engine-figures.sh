#!/usr/bin/env bash
# Records the engine figures quoted in the README (dispatch listing, per-kernel GPU time, the inverse-sine run)
# into bench/results/, with the adapter and date, so every number there points at a file.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
npm run -s build
out=bench/results/engine-$(date -u +%Y-%m-%d).txt
{
  echo "# mixden engine figures, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, node $(node --version)"
  echo
  echo '$ MIXDEN_DEBUG=dispatches mixden profile --repeats 21'
  MIXDEN_DEBUG=dispatches node bin/mixden.js profile --repeats 21
  echo
  echo '$ mixden train-seed --steps 3000 --json'
  node bin/mixden.js train-seed --steps 3000 --json
} | tee "$out"
echo "written to $out" >&2
