#!/usr/bin/env bash
# Installs the outside judges the check scripts use (never the product):
#   Java + the Nu Html Checker (vnu-jar, npm)   HTML validity
#   Debian chromium + playwright-core + axe-core accessibility, live reload in a real browser
#   mf2py, feedparser (PyPI)                     microformats, feeds
# npm and pip packages go into .tools/ (ignored by git). Safe to run again:
# it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

apt_packages=()
command -v java >/dev/null || apt_packages+=(default-jre-headless)
command -v npm >/dev/null || apt_packages+=(nodejs npm)
command -v chromium >/dev/null || apt_packages+=(chromium)
command -v python3 >/dev/null || apt_packages+=(python3 python3-pip)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "install-test-tools: apt-get install ${apt_packages[*]}"
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

mkdir -p .tools/node .tools/py
node_packages=(vnu-jar@26 playwright-core@1 axe-core@4)
missing=0
for p in vnu-jar playwright-core axe-core; do
  [ -d ".tools/node/node_modules/$p" ] || missing=1
done
if [ $missing = 1 ]; then
  echo "install-test-tools: npm install ${node_packages[*]}"
  npm install --silent --no-fund --no-audit --prefix .tools/node "${node_packages[@]}" >/dev/null
fi
if ! PYTHONPATH=.tools/py python3 -c "import mf2py, feedparser" 2>/dev/null; then
  echo "install-test-tools: pip install mf2py feedparser"
  python3 -m pip install --quiet --disable-pip-version-check --target .tools/py mf2py feedparser
fi
echo "install-test-tools: ready ($(java -version 2>&1 | head -1); $(chromium --version 2>/dev/null || echo 'no chromium'))"
