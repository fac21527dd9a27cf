#!/usr/bin/env bash
# System packages the test suite drives as real peers, installed from Debian's archive when
# missing (npm cannot provide them): redis-tools gives redis-cli and redis-benchmark, the clients
# the RESP server must serve unchanged; chromium is the browser the dashboard test drives through
# playwright-core (test/integration/dashboard.test.ts, /usr/bin/chromium); wrk is the benchmark's
# HTTP load generator (bench/kv/wrk.ts, run briefly by test/bench/wrk.test.ts). Run by `npm test`
# before the build; does nothing when every command is already there.
set -euo pipefail

declare -A packages=(
  [redis-cli]=redis-tools
  [redis-benchmark]=redis-tools
  [chromium]=chromium
  [wrk]=wrk
)

missing=()
for cmd in "${!packages[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${packages[$cmd]}")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# De-duplicate package names.
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
echo "setup-test-deps: installing ${missing[*]} (apt-get)"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo -n"; else
    echo "setup-test-deps: not root and no sudo; install ${missing[*]} by hand (apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-test-deps: done"
