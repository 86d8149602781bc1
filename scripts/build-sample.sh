#!/usr/bin/env bash
# Builds the sample blog with the release binary into the folder given
# (default .tools/sample-site) and prints that folder. Used by the check
# scripts so each judges the same build.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-.tools/sample-site}
cargo build --quiet --release
target/release/glossator build --quiet --force -o "$out"
echo "$out"
