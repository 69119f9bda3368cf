#!/usr/bin/env bash
# scripts/deps.sh — install what a fresh Debian 12 machine lacks to build and
# test pgmig.  A quick no-op when every package is present: dpkg is asked
# first, apt only when something is missing (apt-get update runs once then).
# `scripts/deps.sh bench` also installs what the benchmark's squawk comparison
# needs (npm, to fetch squawk-cli, and jq).
set -euo pipefail

packages=(
	postgresql-15 postgresql-server-dev-15 libpq-dev postgresql-client-15
	libcli11-dev libipc-run-perl bc
	g++ clang-14 llvm-14 cmake make
	libgtest-dev libbenchmark-dev
)
bench_extras=()
if [ "${1:-}" = bench ]; then
	command -v npm >/dev/null 2>&1 || bench_extras+=(npm)
	command -v jq >/dev/null 2>&1 || bench_extras+=(jq)
fi

missing=()
for p in "${packages[@]}"; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing+=("$p")
	fi
done

missing+=("${bench_extras[@]}")
if [ ${#missing[@]} -eq 0 ]; then
	exit 0
fi

echo "deps: installing ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: run as root (or install the packages above by hand)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# postgresql-common creates a "main" cluster on install; we never use it.
mkdir -p /etc/postgresql-common
if [ ! -f /etc/postgresql-common/createcluster.conf ] || ! grep -q '^create_main_cluster *= *false' /etc/postgresql-common/createcluster.conf; then
	echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
fi
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "deps: done"
