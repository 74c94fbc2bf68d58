#!/usr/bin/env bash
# End-to-end suite entry point: installs the test daemons when missing, creates a private network
# namespace (own loopback, DNS through knot on 127.0.0.1:53), runs vitest inside it, and removes
# the namespace and everything started in it on any exit.
# Usage: bash test/e2e/run.sh [vitest args...]   (as root)
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
  echo "test/e2e/run.sh: must run as root (it creates a network namespace and binds port 53)" >&2
  exit 1
fi

cd "$(dirname "$0")/../.."
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

# command → Debian package providing it
declare -A PACKAGE_OF=(
  [pebble]=pebble
  [knotd]=knot
  [knotc]=knot
  [kdig]=knot-dnsutils
  [mta-sts-query]=postfix-mta-sts-resolver
  [ip]=iproute2
  [openssl]=openssl
  [unbound]=unbound
  [unbound-control]=unbound
  [dnsperf]=dnsperf
  [postfix]=postfix
)
missing=()
for cmd in "${!PACKAGE_OF[@]}"; do
  command -v "$cmd" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$cmd]}")
done
if ((${#missing[@]} > 0)); then
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "test/e2e/run.sh: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # knot's and unbound's packages start their system service on install (systemd, or
  # invoke-rc.d where there is none). The tests start their own daemons in the namespace, whose
  # loopback is private, so a system daemon (on the host's 127.0.0.1:53) could not answer them;
  # still, on a machine without a policy-rc.d, one refusing every start is put in place for the
  # install only (deb-systemd-invoke and invoke-rc.d both ask it).
  policy_rc=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    policy_rc=/usr/sbin/policy-rc.d
    printf '#!/bin/sh\n# test/e2e/run.sh: no service starts while it installs packages\nexit 101\n' \
      >"$policy_rc"
    chmod 755 "$policy_rc"
    trap 'rm -f "$policy_rc"' EXIT
  fi
  # postfix asks for a mailer type: none, so the package writes no /etc/postfix/main.cf (the
  # tests run their own instance from its own config_directory).
  if [[ " ${missing[*]} " == *" postfix "* ]]; then
    echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections
  fi
  apt-get -o DPkg::Lock::Timeout=600 update
  apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends "${missing[@]}"
  if [[ -n $policy_rc ]]; then
    rm -f "$policy_rc"
    trap - EXIT
  fi
fi

ns="ph-e2e-$$"
# Work dirs of the run (TMPDIR for vitest): removed even when a test never reaches its afterAll.
tmp=""

# Grace for leftover processes between SIGTERM and SIGKILL, in tenths of a second.
STOP_GRACE_TENTHS=50

cleanup() {
  local pids i
  pids=$(ip netns pids "$ns" 2>/dev/null || true)
  if [[ -n $pids ]]; then
    echo "test/e2e/run.sh: stopping processes left in $ns:" $pids >&2
    echo "$pids" | xargs -r kill 2>/dev/null || true
    for ((i = 0; i < STOP_GRACE_TENTHS; i++)); do
      pids=$(ip netns pids "$ns" 2>/dev/null || true)
      [[ -z $pids ]] && break
      sleep 0.1
    done
    echo "$pids" | xargs -r kill -KILL 2>/dev/null || true
  fi
  ip netns delete "$ns" 2>/dev/null || true
  rm -rf "/etc/netns/$ns"
  rmdir /etc/netns 2>/dev/null || true
  [[ -n $tmp ]] && rm -rf "$tmp"
  return 0
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

tmp=$(mktemp -d "${TMPDIR:-/tmp}/$ns.XXXXXX")
ip netns add "$ns"
ip netns exec "$ns" ip link set lo up
mkdir -p "/etc/netns/$ns"
echo 'nameserver 127.0.0.1' >"/etc/netns/$ns/resolv.conf"

# In the background so that a signal to this script is handled at once (bash defers traps while
# a foreground child runs); the EXIT trap then stops everything left in the namespace.
PH_E2E_NETNS="$ns" TMPDIR="$tmp" \
  ip netns exec "$ns" npx vitest run --config vitest.e2e.config.ts "$@" &
status=0
wait "$!" || status=$?
exit "$status"
