#!/usr/bin/env bash
# Speed of two revisions, one after the other on this machine, alternating so drift hits both alike:
# `mixden profile` (GPU time of each dispatch of the inverse-sine training step, Node, the default driver) and
# `npm run bench -- --quick` (Chromium) per round. Usage: bash bench/compare-revisions.sh BEFORE [ROUNDS] > file
# The revision before is checked out as a worktree in a temporary folder sharing this checkout's node_modules.
set -euo pipefail
cd "$(dirname "$0")/.."
before=${1:?usage: compare-revisions.sh BEFORE-REVISION [ROUNDS]}
rounds=${2:-3}
tree=$(mktemp -d /tmp/mixden-before.XXXXXX)
trap 'git worktree remove --force "$tree" >/dev/null 2>&1 || true' EXIT
git worktree add -f -q "$tree" "$before"
ln -s "$PWD/node_modules" "$tree/node_modules"
[ -d .mixden ] && ln -s "$PWD/.mixden" "$tree/.mixden"
(cd "$tree" && npm run -s build) >&2
npm run -s build >&2
echo "# before: $(git rev-parse --short "$before"), after: $(git rev-parse --short HEAD) ($(git status --porcelain | grep -q . && echo 'with uncommitted changes' || echo clean))"
echo "# $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, node $(node --version)"
for round in $(seq 1 "$rounds"); do
  for side in before after; do
    dir=$PWD; [ "$side" = before ] && dir=$tree
    echo "=== round $round: $side mixden profile"
    (cd "$dir" && node bin/mixden.js profile 2>&1 | grep -v '^Warning')
  done
  for side in before after; do
    dir=$PWD; [ "$side" = before ] && dir=$tree
    echo "=== round $round: $side bench --quick"
    (cd "$dir" && node bench/cli.mjs --quick 2>&1 | grep -v '^Warning')
  done
done
