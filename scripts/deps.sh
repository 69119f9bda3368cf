#!/usr/bin/env bash
# scripts/deps.sh — install what a fresh Debian 12 machine lacks to build and
# test pgmig.  A quick no-op when every package is present: dpkg is asked
# first, apt only when something is missing (apt-get update runs once then).
# `scripts/deps.sh bench` also installs what the benchmark needs (npm, to fetch
# squawk-cli and the peers from the npm registry, jq, the peers and chart
# tools from Debian, and libssl-dev for bench/noop_floor.cpp);
# `scripts/deps.sh stress` what `make stress` needs (libFuzzer's runtime).
set -euo pipefail

packages=(
	postgresql-15 postgresql-server-dev-15 libpq-dev postgresql-client-15
	libcli11-dev libssl-dev libipc-run-perl bc pgbouncer
	g++ clang-14 llvm-14 cmake make
	libgtest-dev libbenchmark-dev
)
bench_extras=()
case "${1:-}" in
bench)
	command -v npm >/dev/null 2>&1 || bench_extras+=(npm)
	command -v jq >/dev/null 2>&1 || bench_extras+=(jq)
	# BENCH-DEPS: Debian packages the benchmark's peers and chart need
	packages+=(python3 alembic python3-alembic python3-psycopg2 sqitch libdbd-pg-perl gnuplot-nox)
	# OpenSSL's SHA-256 for bench/noop_floor.cpp, the no-op floor
	packages+=(libssl-dev)
	;;
stress)
	packages+=(libclang-rt-14-dev)
	;;
esac

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
