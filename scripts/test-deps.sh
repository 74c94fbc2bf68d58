#!/usr/bin/env bash
# Installs the Debian tools the unit and integration tests call: jing (the BIMI Group's RELAX NG
# schema check), rsvg-convert (render comparison of converted logos), promtool (Prometheus'
# own check of our /metrics text, from the prometheus package) and chromium (the dashboard's
# real-browser tests drive it through playwright-core, whose own browser download cannot be
# assumed to reach the network). Nothing when present.
set -euo pipefail
declare -A PACKAGE_OF=(
  [jing]=jing [rsvg-convert]=librsvg2-bin [promtool]=prometheus [chromium]=chromium
)
missing=()
for cmd in "${!PACKAGE_OF[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
((${#missing[@]} == 0)) && exit 0
if [[ $(id -u) -ne 0 ]]; then
  echo "scripts/test-deps.sh: tests need ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "scripts/test-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -o DPkg::Lock::Timeout=600 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
