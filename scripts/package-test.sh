#!/usr/bin/env bash
# Builds the Debian package from build/ (cpack -G DEB), installs it with dpkg
# on this machine, and runs the installed qledger as the service would: as
# the user qledger, `init` with the installed policy, `serve` on a read-only
# ledger, /healthz. `systemd-analyze verify` checks the unit (systemd itself
# need not run here). The package is removed again at the end; the user
# qledger and /var/lib/qledger stay (a package never deletes a ledger).
# Needs root (or sudo). Run by scripts/test.sh after the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -ne 0 ]; then sudo=sudo; else sudo=; fi

(cd build && cpack -G DEB >/dev/null)
deb=$(ls build/qledger_*_amd64.deb)
echo "package-test: built $deb ($(du -h "$deb" | cut -f1))"
dpkg-deb -I "$deb" | grep -E "^ (Package|Version|Depends):"

work=$(mktemp -d)
server=
# On every exit: stop the server, remove the package, keep the exit status.
cleanup() {
  local status=$?
  set +e
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null
    wait "$server" 2>/dev/null
    pkill -u qledger -f "qledger serve --data $work/ledger" 2>/dev/null
  fi
  $sudo dpkg -r qledger >/dev/null 2>&1
  $sudo rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT

$sudo dpkg -i "$deb" >/dev/null
fail() { echo "package-test: FAILED: $*" >&2; exit 1; }
[ -x /usr/bin/qledger ] || fail "/usr/bin/qledger is not installed"
/usr/bin/qledger --version
getent passwd qledger >/dev/null || fail "the postinst did not create the user qledger"
[ -d /var/lib/qledger ] || fail "the postinst did not create /var/lib/qledger"
[ -f /etc/default/qledger ] || fail "the postinst did not install /etc/default/qledger"
[ -f /usr/share/doc/qledger/operations.md ] || fail "the docs are not installed"

# The unit: systemd's own check, run from / so that nothing of this tree is
# taken for it.
verify=$(cd / && systemd-analyze verify /usr/lib/systemd/system/qledger.service 2>&1 || true)
if grep -q "qledger" <<<"$verify"; then
  echo "$verify" >&2
  fail "systemd-analyze verify found problems in qledger.service"
fi
grep -q "^ExecStart=/usr/bin/qledger serve$" /usr/lib/systemd/system/qledger.service || fail "ExecStart does not name /usr/bin/qledger"
echo "package-test: systemd-analyze verify: clean"

# A fresh ledger, made by the user qledger with the installed policy (no
# --policy), from / (no config/ here).
$sudo chown qledger:qledger "$work"
as_qledger() { $sudo runuser -u qledger -- "$@"; }
(cd / && as_qledger /usr/bin/qledger init --data "$work/ledger" >/dev/null)
$sudo install -o qledger -m 0600 config/demo/events.jsonl "$work/events.jsonl"
(cd / && as_qledger /usr/bin/qledger append --data "$work/ledger" "$work/events.jsonl" >/dev/null)
# A workbook: the installed binary loads libxlsxwriter only now, from the
# package's Depends.
(cd / && as_qledger /usr/bin/qledger scores --data "$work/ledger" --quarter 2026Q1 --format xlsx \
  --out "$work/scores.xlsx") || fail "scores --format xlsx did not write a workbook"
[ "$(head -c 2 "$work/scores.xlsx")" = "PK" ] || fail "scores.xlsx is not a zip container"
echo "package-test: scores --format xlsx: $(stat -c %s "$work/scores.xlsx") bytes"
# Read-only to the server, as the unit's ReadOnlyPaths makes it; only its
# follower directory (TMPDIR) is writable.
$sudo chmod -R a-w "$work/ledger"
$sudo install -d -o qledger -g qledger -m 0700 "$work/run"
$sudo runuser -u qledger -- env TMPDIR="$work/run" /usr/bin/qledger serve --data "$work/ledger" \
  --listen 127.0.0.1:0 --log-format json >"$work/serve.out" 2>"$work/serve.err" &
server=$!
port=
for _ in $(seq 1 100); do
  port=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\)/.*|\1|p' "$work/serve.out" 2>/dev/null || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/serve.err" >&2; fail "the installed qledger serve did not start"; }
health=$(curl -sf "http://127.0.0.1:$port/healthz") || fail "/healthz did not answer 200"
echo "package-test: /healthz: $health"
grep -q '"status":"ok"' <<<"$health" || fail "/healthz: $health"
head=$(curl -sf "http://127.0.0.1:$port/v1/head")
grep -q '"seq":310' <<<"$head" || fail "/v1/head of the demo ledger: $head"
grep -q '"msg":"started"' "$work/serve.err" || fail "no start-up line in the log"
echo "package-test: passed"
