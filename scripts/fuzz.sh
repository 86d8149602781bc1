#!/usr/bin/env bash
# Fuzz the parsers that read what writers and third parties give us:
# front matter, whole posts (Markdown with the commentary extensions) and
# the comment sanitizer. Each target runs a fixed number of executions
# (RUNS, default 200000) from a corpus seeded with the sample blog and the
# bad-input catalogue, then prints what libFuzzer counted.
#
#   scripts/fuzz.sh            # every target, 200000 executions each
#   RUNS=1000000 scripts/fuzz.sh post
#
# Needs the Rust toolchain only: cargo-fuzz is installed if missing, and
# RUSTC_BOOTSTRAP lets the stable compiler take the sanitizer flags.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
runs=${RUNS:-200000}
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(front_matter post comment)

command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz
export RUSTC_BOOTSTRAP=1

seed() {
    local dir=$1
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return
    find "$root/content" "$root/tests/fixtures" -type f -name '*.md' -size -64k 2>/dev/null |
        while read -r f; do cp "$f" "$dir/$(printf '%s' "$f" | cksum | cut -d' ' -f1).md"; done
}

cd fuzz
cargo fuzz build -O
status=0
for t in "${targets[@]}"; do
    seed "corpus/$t"
    log=$(mktemp)
    if cargo fuzz run -O "$t" -- -runs="$runs" -max_len=65536 -timeout=10 >"$log" 2>&1; then
        result=ok
    else
        result=CRASH
        status=1
    fi
    done_line=$(grep -E '^Done [0-9]+ runs' "$log" | tail -1 || true)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1 || true)
    echo "$t: $result; ${done_line:-no summary}; ${cov:-}; corpus $(ls "corpus/$t" | wc -l) inputs"
    if [ "$result" = CRASH ]; then
        grep -E 'panicked|ERROR|artifact' "$log" | head -20
    fi
    rm -f "$log"
done
exit $status
