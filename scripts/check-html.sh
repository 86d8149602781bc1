#!/usr/bin/env bash
# Checks every HTML page of the sample blog (also with the comment form
# on), and of a fresh `glossator init` site, with the Nu Html Checker. Fails on any error.
# Needs scripts/install-test-tools.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
vnu=${VNU_JAR:-.tools/node/node_modules/vnu-jar/build/dist/vnu.jar}
[ -f "$vnu" ] || { echo "check-html: $vnu missing; run scripts/install-test-tools.sh" >&2; exit 1; }

sample=$(scripts/build-sample.sh | tail -1)
bin="$PWD/target/release/glossator"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && "$bin" --quiet init starter && cd starter && "$bin" build --quiet)
# The sample again with the comment form on ([comments] endpoint) and
# whole posts on the home page ([home] full_posts: ids must stay unique).
mkdir "$work/withform"
cp -r glossator.toml content themes "$work/withform/"
sed -i 's|^\[comments\]$|[comments]\nendpoint = "https://marginalia.example/respond/"|' "$work/withform/glossator.toml"
printf '\n[home]\nfull_posts = true\n' >> "$work/withform/glossator.toml"
(cd "$work/withform" && "$bin" build --quiet)

status=0
for site in "$sample" "$work/starter/public" "$work/withform/public"; do
  pages=$(find "$site" -name '*.html' | wc -l)
  if java -jar "$vnu" --errors-only --skip-non-html --format gnu "$site"; then
    echo "check-html: $pages pages in $site: no errors"
  else
    echo "check-html: errors above in $site" >&2
    status=1
  fi
done
exit $status
