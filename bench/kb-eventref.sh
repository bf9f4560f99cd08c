#!/usr/bin/env bash
# KB_CMD adapter for ../shared/bench/run.sh: BIN {CONTENT} {OUT} {LANGS} [build flags...]
#
# The harness hands over a bare records folder; eventref wants a site root
# (site.toml beside content/). eventref refuses to read a content/ that is a
# symbolic link to a folder outside the site (see docs/security.md), so this
# adapter does not link the records in: it makes the records' parent folder
# the site root, writing only site.toml there (the harness's generator writes
# DATA/content/<Source>/<id>.yaml, so the parent holds nothing else eventref
# reads). Nothing is copied, so the timed command is eventref's build alone.
set -euo pipefail
bin=$1 content=$2 out=$3 langs=$4; shift 4
content=$(cd "$content" && pwd)
if [ "$(basename "$content")" != content ]; then
  echo "kb-eventref.sh: expected a folder named content, got $content" >&2; exit 2
fi
root=$(dirname "$content")
{ echo 'title = "Bench"'; echo 'base_url = "https://example.org/"'; echo "default_language = \"${langs%%,*}\""
  IFS=, read -r -a ls <<< "$langs"; for l in "${ls[@]}"; do echo "[languages.$l]"; done; } > "$root/site.toml"
exec "$bin" build --root "$root" --output "$out" --quiet "$@"
