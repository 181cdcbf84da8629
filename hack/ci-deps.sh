#!/usr/bin/env bash
# Installs the Debian packages the tests use when they are missing (CI and fresh
# machines run as root; elsewhere it only says what is missing).
set -euo pipefail
need=()
command -v prometheus >/dev/null 2>&1 || need+=(prometheus)
command -v ip >/dev/null 2>&1 || need+=(iproute2)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "ci-deps: missing ${need[*]} (install them, or the tests needing them will skip)" >&2
  exit 0
fi
echo "ci-deps: installing ${need[*]}"
# Keep Debian from starting the packaged Prometheus as a service: tests run their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 0755 /usr/sbin/policy-rc.d; fi
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
# Debian starts the packaged Prometheus as a service; tests run their own.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus 2>/dev/null || true; fi
pkill -x prometheus 2>/dev/null || true
