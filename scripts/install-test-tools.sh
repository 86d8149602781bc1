#!/usr/bin/env bash
# Installs the outside judges the check scripts use (never the product):
# Java + the Nu Html Checker (vnu-jar, from npm). Packages go into .tools/
# (ignored by git). Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

apt_packages=()
command -v java >/dev/null || apt_packages+=(default-jre-headless)
command -v npm >/dev/null || apt_packages+=(nodejs npm)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "install-test-tools: apt-get install ${apt_packages[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

mkdir -p .tools/node
if [ ! -f .tools/node/node_modules/vnu-jar/build/dist/vnu.jar ]; then
  echo "install-test-tools: npm install vnu-jar"
  npm install --silent --no-fund --no-audit --prefix .tools/node vnu-jar@26 >/dev/null
fi
echo "install-test-tools: ready (java: $(java -version 2>&1 | head -1))"
