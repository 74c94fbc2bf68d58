#!/usr/bin/env bash
# Installs the Debian tools the unit and integration tests call: jing (the BIMI Group's RELAX NG
# schema check), rsvg-convert (render comparison of converted logos), promtool (Prometheus'
# own check of our /metrics text, from the prometheus package), chromium (the dashboard's
# real-browser tests drive it through playwright-core, whose own browser download cannot be
# assumed to reach the network) and the PostgreSQL 15 server (test/helpers/postgres.ts runs its
# own throwaway instance with initdb and pg_ctl). Nothing when present.
set -euo pipefail
declare -A PACKAGE_OF=(
  [jing]=jing [rsvg-convert]=librsvg2-bin [promtool]=prometheus [chromium]=chromium
)
# Tools found by path: Debian keeps a PostgreSQL major's server binaries (initdb, pg_ctl,
# postgres) in a versioned directory that is not on the PATH.
PG_BIN=/usr/lib/postgresql/15/bin
declare -A PACKAGE_AT=([$PG_BIN/initdb]=postgresql-15 [$PG_BIN/pg_ctl]=postgresql-15)
missing=()
for cmd in "${!PACKAGE_OF[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
for path in "${!PACKAGE_AT[@]}"; do
  [[ -x $path ]] || missing+=("${PACKAGE_AT[$path]}")
done
((${#missing[@]} == 0)) && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
if [[ $(id -u) -ne 0 ]]; then
  echo "scripts/test-deps.sh: tests need ${missing[*]}; run as root or: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
echo "scripts/test-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive

installs_postgres=false
[[ " ${missing[*]} " == *" postgresql-15 "* ]] && installs_postgres=true
# postgresql-15's postinst creates a default cluster "15/main" (port 5432) on a first install and
# starts it. The tests never use it; a policy-rc.d refusing every start keeps it down for the
# install (as test/e2e/run.sh does), unless the machine already has its own policy-rc.d.
had_main_cluster=false
[[ -e /etc/postgresql/15/main/postgresql.conf ]] && had_main_cluster=true
policy_rc=""
if $installs_postgres && [[ ! -e /usr/sbin/policy-rc.d ]]; then
  policy_rc=/usr/sbin/policy-rc.d
  printf '#!/bin/sh\n# scripts/test-deps.sh: no service starts while it installs packages\nexit 101\n' \
    >"$policy_rc"
  chmod 755 "$policy_rc"
  trap 'rm -f "$policy_rc"' EXIT
fi

apt-get -o DPkg::Lock::Timeout=600 update
apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"

if [[ -n $policy_rc ]]; then
  rm -f "$policy_rc"
  trap - EXIT
fi
# A machine whose own policy-rc.d allows starts may still have had the new cluster started: stop
# it, but only one this install created. It stays in place (down), as Debian installed it.
if $installs_postgres && ! $had_main_cluster && [[ -e /etc/postgresql/15/main/postgresql.conf ]]; then
  if pg_lsclusters --no-header 15 main 2>/dev/null | grep -q online; then
    echo "scripts/test-deps.sh: stopping the default cluster 15/main that the install started" >&2
    pg_ctlcluster 15 main stop
  fi
fi
