#!/usr/bin/env bash
# One-edit builds, cold: bench/one-edit.sh BIN SITE [N]
#
# Copies the site at SITE (a site root: site.toml and content/, e.g. from
# `../shared/bench/gen.py 10000 DIR --langs de` with a site.toml beside it)
# to a scratch folder, builds it once with `BIN build --no-search` into a
# fresh folder on /dev/shm, then edits the first record of the first
# source N times in its message and N times in its explanation, running
# `BIN build --no-search` (a new process, so a cold, incremental build)
# after each edit. Prints the median, min and max wall time of each kind.
# Times nothing in CI; see docs/performance.md.
set -euo pipefail
bin=$1 site=$2 n=${3:-9}
scratch=$(mktemp -d); out=$(mktemp -d /dev/shm/one-edit.XXXXXX)
cleanup() { rm -rf "$scratch" "$out" "$(dirname "$out")/.$(basename "$out")".eventref-*; }
trap cleanup EXIT
cp -r "$site/." "$scratch/"
rm -rf "$out"
record=$(find "$scratch/content" -name '*.yaml' ! -name '*.*.yaml' | LC_ALL=C sort | sed -n 1p)
"$bin" build --root "$scratch" --output "$out" --quiet --no-search
for kind in message explanation; do
  for i in $(seq 1 "$n"); do
    python3 - "$record" "$kind" "$i" <<'PY'
import re, sys
path, kind, i = sys.argv[1:]
text = open(path, encoding="utf-8").read()
if kind == "message":
    text = re.sub(r'^(message: ".*?)( w\d+)?"$', lambda m: m.group(1) + " w" + i + '"', text, count=1, flags=re.M)
else:
    text = re.sub(r"^(explanation: \|\n  )(W\d+ )?", lambda m: m.group(1) + "W" + i + " ", text, count=1, flags=re.M)
open(path, "w", encoding="utf-8").write(text)
PY
    start=$(date +%s%N)
    "$bin" build --root "$scratch" --output "$out" --quiet --no-search
    echo $(( $(date +%s%N) - start ))
  done | sort -n | awk -v k="$kind" '{t[NR]=$1/1e9} END {printf "%s edits: median %.3f s (min %.3f, max %.3f, %d builds)\n", k, t[int((NR+1)/2)], t[1], t[NR], NR}'
done
