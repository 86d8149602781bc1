#!/usr/bin/env bash
# Builds the sample blog (and a fresh `glossator init` site) and checks
# every HTML page with the Nu Html Checker. Fails on any error.
# Needs scripts/install-test-tools.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
vnu=${VNU_JAR:-.tools/node/node_modules/vnu-jar/build/dist/vnu.jar}
[ -f "$vnu" ] || { echo "check-html: $vnu missing; run scripts/install-test-tools.sh" >&2; exit 1; }

cargo build --quiet --release
bin="$PWD/target/release/glossator"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" build --quiet -o "$work/sample"
(cd "$work" && "$bin" --quiet init starter && cd starter && "$bin" build --quiet)

status=0
for site in "$work/sample" "$work/starter/public"; do
  pages=$(find "$site" -name '*.html' | wc -l)
  if java -jar "$vnu" --errors-only --skip-non-html --format gnu "$site"; then
    echo "check-html: $pages pages in $(basename "$(dirname "$site")")/$(basename "$site"): no errors"
  else
    echo "check-html: errors above in $site" >&2
    status=1
  fi
done
exit $status
