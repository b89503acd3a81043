#!/usr/bin/env bash
# Installs everything qledger needs to build, test and serve, from Debian 12
# packages only. Safe to run again: it skips apt when all packages are there.
set -euo pipefail

packages=(
  g++ cmake ninja-build pkg-config python3
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  librocksdb-dev libssl-dev libcli11-dev libspdlog-dev zlib1g-dev libcereal-dev
  libxlsxwriter-dev libminizip-dev libexpat1-dev libjemalloc-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  clang-14 libclang-rt-14-dev llvm-14
  curl wrk
  tzdata
  openssl
  dpkg-dev adduser
)

# The browser test's own (scripts/check-browser.sh and scripts/test.sh ask
# for them with QLEDGER_SETUP_TESTS=1; the run command does not need them):
# Debian's headless Chromium, CJK fonts for the dashboard and the printed
# report, poppler's pdftotext/pdftoppm to read the printed pages back.
if [ "${QLEDGER_SETUP_TESTS:-0}" = 1 ]; then
  packages+=(chromium fonts-noto-cjk poppler-utils)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# Node.js and npm run test tools only (the OpenAPI validators, the browser
# test). Debian's own, unless a Node.js with npm is there already (another
# repository's nodejs package would conflict with Debian's npm).
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: installing nodejs npm"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -q
  $sudo apt-get install -y -q --no-install-recommends nodejs npm
fi

# promtool (tests check /metrics with `promtool check metrics`). Debian has it
# only in the prometheus package, whose install would start a Prometheus
# server on :9090 where systemd runs: take promtool alone out of the package.
if ! command -v promtool >/dev/null 2>&1; then
  echo "setup: installing promtool (from Debian's prometheus package)"
  if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && apt-get download -q prometheus >/dev/null 2>&1); then
    $sudo apt-get update -q
    (cd "$tmp" && apt-get download -q prometheus)
  fi
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
  $sudo install -m 0755 "$tmp/x/usr/bin/promtool" /usr/local/bin/promtool
  rm -rf "$tmp"
fi
