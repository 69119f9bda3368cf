#!/usr/bin/env bash
# scripts/test.sh — build pgmig and run every suite against throwaway servers.
#
# Suites, in order: GoogleTest (ctest), pg_regress (sql/, expected/),
# isolation specs (test/specs, test/expected), TAP (test/t).  pg_regress and
# the isolation tester run as root against a server this script starts as the
# postgres OS user; the TAP tests make their own clusters, so they run as
# postgres from a copy of the test files that user can read.
#
# Ends with one line "N passed, N failed" summing all suites and exits
# non-zero if anything failed.  Environment:
#   PGMIG_TEST_PORT   port of the throwaway server (default 55499)
#   PGMIG_SUITES      subset to run, e.g. "regress isolation" (default: all)
#   PGMIG_TAP         TAP files to run (default: test/t/*.pl)
set -uo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
port=${PGMIG_TEST_PORT:-55499}
suites=${PGMIG_SUITES:-"unit regress isolation tap"}
work=$(mktemp -d /tmp/pgmig-test.XXXXXX)
chmod 755 "$work"
passed=0
failed=0
status=0

cleanup() {
	scripts/pgserver.sh stop "$work/server" >/dev/null 2>&1 || true
	rm -rf "$work"
}
trap cleanup EXIT

step() { printf '\n=== %s ===\n' "$*"; }

want() { [[ " $suites " == *" $1 "* ]]; }

# Counts "... ok" / "... FAILED" lines of a pg_regress-style output file.
count_regress() {
	local file=$1 ok bad
	ok=$(grep -cE '\.\.\. ok' "$file" || true)
	bad=$(grep -cE '\.\.\. (FAILED|failed|diff:)' "$file" || true)
	passed=$((passed + ok))
	failed=$((failed + bad))
	echo "($ok passed, $bad failed)"
}

step "build"
if ! make -s SKIP_CMAKE=1 >"$work/build.log" 2>&1 || ! make -s install SKIP_CMAKE=1 >>"$work/build.log" 2>&1; then
	cat "$work/build.log"
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi
echo "extension built and installed ($(pg_config --pkglibdir)/pgmig.so)"
if cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/cmake.log" 2>&1 &&
	cmake --build build -j"$(nproc)" >>"$work/cmake.log" 2>&1; then
	echo "client and unit tests built (build/pgmig)"
else
	cat "$work/cmake.log"
	echo "client / unit test build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

if want unit; then
	step "unit tests (GoogleTest via ctest)"
	(cd build && ctest --output-on-failure 2>&1) | tee "$work/ctest.log" | tail -n 25
	line=$(grep -E 'tests passed, [0-9]+ tests failed out of [0-9]+' "$work/ctest.log" || true)
	if [[ $line =~ ([0-9]+)\ tests\ failed\ out\ of\ ([0-9]+) ]]; then
		failed=$((failed + BASH_REMATCH[1]))
		passed=$((passed + BASH_REMATCH[2] - BASH_REMATCH[1]))
	else
		failed=$((failed + 1))
	fi
fi

if want regress || want isolation; then
	step "throwaway server on port $port"
	scripts/pgserver.sh start "$work/server" "$port" || {
		echo "could not start the server"
		echo "$passed passed, $((failed + 1)) failed"
		exit 1
	}
	export PGHOST="$work/server" PGPORT="$port" PGUSER=postgres
	rm -rf results output_iso regression.diffs regression.out
fi

if want regress; then
	step "pg_regress (sql/)"
	make -s installcheck ISOLATION= >"$work/regress.log" 2>&1
	cat "$work/regress.log" | grep -E '^(test| ) |\.\.\. |tests (passed|failed)' || cat "$work/regress.log"
	count_regress "$work/regress.log"
	if [ -f regression.diffs ]; then
		echo "--- regression.diffs ---"
		cat regression.diffs
		status=1
	fi
fi

if want isolation; then
	step "isolation specs (test/specs)"
	make -s installcheck REGRESS= >"$work/isolation.log" 2>&1
	grep -E '\.\.\. |tests (passed|failed)' "$work/isolation.log" || cat "$work/isolation.log"
	count_regress "$work/isolation.log"
	if [ -f output_iso/regression.diffs ]; then
		echo "--- output_iso/regression.diffs ---"
		cat output_iso/regression.diffs
		status=1
	fi
fi

if want regress || want isolation; then
	scripts/pgserver.sh stop "$work/server" >/dev/null 2>&1 || true
	unset PGHOST PGPORT PGUSER
fi

if want tap; then
	step "TAP (test/t), as the postgres OS user"
	pgxs_dir=$(dirname "$(pg_config --pgxs)")/..
	bindir=$(pg_config --bindir)
	tap="$work/tap"
	mkdir -p "$tap"
	cp -r test examples extension docs "$tap/"
	mkdir -p "$tap/bin" && cp build/pgmig "$tap/bin/pgmig"
	[ "$(id -u)" -eq 0 ] && chown -R postgres: "$tap"
	cmd="cd '$tap' && TESTDIR='$tap' PATH='$bindir':\$PATH PG_REGRESS='$pgxs_dir/test/regress/pg_regress' \
		PGMIG_SOURCE='$tap' PGMIG_BIN='$tap/bin/pgmig' prove -I '$pgxs_dir/test/perl' -I test/perl ${PGMIG_TAP:-test/t/*.pl}"
	if [ "$(id -u)" -eq 0 ]; then
		su postgres -s /bin/bash -c "$cmd" >"$work/tap.log" 2>&1
	else
		bash -c "$cmd" >"$work/tap.log" 2>&1
	fi
	rc=$?
	cat "$work/tap.log"
	total=$(sed -nE 's/^Files=[0-9]+, Tests=([0-9]+),.*/\1/p' "$work/tap.log")
	bad=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$work/tap.log" | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
	total=${total:-0}
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1
	fi
	passed=$((passed + total - (bad > total ? total : bad)))
	failed=$((failed + bad))
	if [ "$rc" -ne 0 ]; then
		for log in "$tap"/tmp_check/log/*; do
			[ -f "$log" ] && { echo "--- $log (tail) ---"; tail -n 40 "$log"; }
		done
	fi
fi

echo
[ "$failed" -gt 0 ] && status=1
echo "$passed passed, $failed failed"
exit $status
