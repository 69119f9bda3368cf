#!/usr/bin/env bash
# scripts/stress.sh — the long forms of the reliability suites (`make stress`).
#
# `make test` runs every suite in a short form; this script runs the long
# forms the issue asks for and writes their results to docs/stress.md:
#
#   concurrency  test/t/003_concurrent_appliers.pl  PGMIG_CONCURRENCY_ROUNDS=50
#   crash        test/t/002_crash_mid_apply.pl      PGMIG_CRASH_ITERATIONS=200
#   nontx        test/t/023_crash_nontx.pl          PGMIG_NONTX_CRASH_ITERATIONS=20 (per mode)
#   kill         test/t/020_client_kill.pl          PGMIG_KILL_ROUNDS=100
#   bouncer      test/t/022_pgbouncer.pl            PGMIG_BOUNCER_ROUNDS=10 PGMIG_BOUNCER_KILLS=100
#   boundary     test/t/024_boundary_client.pl      PGMIG_BOUNDARY_ROUNDS=10 (58 attacks x 3 ways each)
#   release      test/t/025_client_pushed.pl        PGMIG_RELEASE_RACE_ROUNDS=100 (two releases' `up` at once)
#   text         test/t/026_client_encoding_path.pl (four server encodings; every verb on a hostile search_path)
#   edges        test/t/027_client_edges.pl         PGMIG_STALL_ROUNDS=10 PGMIG_INIT_ROUNDS=20
#   fuzz         fuzz_graph, fuzz_migfile, fuzz_importers, fuzz_schema_file (libFuzzer, ASan+UBSan),
#                PGMIG_FUZZ_SECONDS each (default 600), from test/fuzz/corpus/*
#
# About an hour on 2 CPUs: half of it fuzzing, a quarter the 200 crashes.
#
# A TAP file that does not exist (yet) is reported as skipped.  The TAP tests
# run as the postgres OS user from a copy of test/ (as scripts/test.sh does);
# each prints its figures as "# figure: name = value" lines, which end up in
# docs/stress.md.  A fuzz target restarts after a crash until its time is up,
# so the crash count is the number of crash/leak/timeout/oom artifacts it
# wrote; those are kept in <fuzz build dir>/stress-artifacts/<date>/<target>/
# (replay: build-fuzz/fuzz_graph <file>), and the inputs the fuzzer found in
# <fuzz build dir>/stress-corpus/<target>/ (the next run starts from them).
#
# Ends with one line "N passed, N failed" (TAP subtests, plus one per fuzz
# target: passed when it found 0 crashes and 0 leaks) and exits non-zero if
# anything failed; the logs of a failing run are kept in
# /tmp/pgmig-stress-logs.*.  Environment:
#   STRESS_SUITES      subset, e.g. "crash fuzz" (default: all ten above)
#   STRESS_SCALE       multiplies every count and duration (rounded up, at
#                      least 1 round and 10 s of fuzzing), e.g. 0.05 for a
#                      quick check of the whole script (default 1)
#   STRESS_SKIP_BUILD  1: build nothing; use the installed extension,
#                      build/pgmig and the fuzz binaries already built
#   STRESS_FUZZ_BUILD  build directory of the fuzz targets (default build-fuzz)
#   STRESS_PGMIG_BIN   the client to test (default build/pgmig)
#   STRESS_DOC         where to write the report (default docs/stress.md)
#   PGMIG_FUZZ_SECONDS seconds per fuzz target (default 600)
#   PGMIG_SEED         passed to the TAP tests (same random stop times)
set -uo pipefail

cd "$(dirname "$0")/.."
top=$(pwd)
suites=${STRESS_SUITES:-"concurrency crash nontx kill bouncer boundary release text edges fuzz"}
scale=${STRESS_SCALE:-1}
fuzz_build=${STRESS_FUZZ_BUILD:-build-fuzz}
pgmig_bin=${STRESS_PGMIG_BIN:-build/pgmig}
doc=${STRESS_DOC:-docs/stress.md}
fuzz_seconds_full=${PGMIG_FUZZ_SECONDS:-600}
# The commit the run tests, read now: the report is written an hour later.
commit=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [ -n "$(git status --porcelain --untracked-files=no 2>/dev/null)" ]; then
	commit="$commit (with uncommitted changes)"
fi
work=$(mktemp -d /tmp/pgmig-stress.XXXXXX)
chmod 755 "$work"
passed=0
failed=0
started=$(date +%s)
started_text=$(date -u '+%Y-%m-%d %H:%M UTC')
results="$work/results.md"    # one section per suite, assembled into $doc
summary="$work/summary.md"    # one table row per suite
: >"$results"
: >"$summary"

cleanup() { rm -rf "$work"; }
trap cleanup EXIT

step() { printf '\n=== %s ===\n' "$*"; }
want() { [[ " $suites " == *" $1 "* ]]; }

# N scaled by STRESS_SCALE, rounded up, at least $2 (default 1).
scaled() {
	awk -v n="$1" -v s="$scale" -v min="${2:-1}" \
		'BEGIN { v = n * s; r = int(v); if (r < v) r++; if (r < min) r = min; print r }'
}

# Seconds since $1, as "M min S s".
elapsed() {
	local s=$(($(date +%s) - $1))
	printf '%d min %02d s' $((s / 60)) $((s % 60))
}

if ! awk -v s="$scale" 'BEGIN { exit !(s > 0) }'; then
	echo "STRESS_SCALE must be a positive number (got '$scale')"
	echo "0 passed, 1 failed"
	exit 1
fi

# ---------------------------------------------------------------------------
# Build (as scripts/test.sh does), and the fuzz targets with clang.
# ---------------------------------------------------------------------------
if [ "${STRESS_SKIP_BUILD:-0}" != 1 ]; then
	step "build"
	if ! make -s SKIP_CMAKE=1 >"$work/build.log" 2>&1 || ! make -s install SKIP_CMAKE=1 >>"$work/build.log" 2>&1; then
		cat "$work/build.log"
		echo "build failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "extension built and installed ($(pg_config --pkglibdir)/pgmig.so)"
	if ! { cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$work/cmake.log" 2>&1 &&
		cmake --build build -j"$(nproc)" --target pgmig >>"$work/cmake.log" 2>&1; }; then
		cat "$work/cmake.log"
		echo "client build failed"
		echo "0 passed, 1 failed"
		exit 1
	fi
	echo "client built ($pgmig_bin)"
	if want fuzz; then
		if ! { cmake -S . -B "$fuzz_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=clang++ \
			-DPGMIG_FUZZ=ON >"$work/fuzz-build.log" 2>&1 &&
			cmake --build "$fuzz_build" -j"$(nproc)" --target fuzz_graph fuzz_migfile fuzz_importers fuzz_schema_file \
				>>"$work/fuzz-build.log" 2>&1; }; then
			cat "$work/fuzz-build.log"
			echo "fuzz target build failed"
			echo "0 passed, 1 failed"
			exit 1
		fi
		echo "fuzz targets built ($fuzz_build/fuzz_graph, fuzz_migfile, fuzz_importers, fuzz_schema_file)"
	fi
else
	step "build skipped (STRESS_SKIP_BUILD=1)"
fi

# ---------------------------------------------------------------------------
# TAP suites, each file on its own so that each gets its counts and figures.
# ---------------------------------------------------------------------------
tap="$work/tap"
tap_ready=0
prepare_tap() {
	[ "$tap_ready" = 1 ] && return 0
	mkdir -p "$tap/bin"
	cp -r test examples "$tap/" 2>/dev/null || cp -r test "$tap/"
	if ! cp "$pgmig_bin" "$tap/bin/pgmig"; then
		echo "no client at $pgmig_bin"
		return 1
	fi
	[ "$(id -u)" -eq 0 ] && chown -R postgres: "$tap"
	tap_ready=1
}

# run_tap NAME FILE VAR=VALUE...: runs one TAP file with those settings,
# adds its subtests to the totals and a section to the report.
run_tap() {
	local name=$1 file=$2
	shift 2
	local params="$*" t0 rc total bad log="$work/$name.log"
	step "$name: $file ($params)"
	if [ ! -f "$file" ]; then
		echo "skipped: $file does not exist"
		printf '| %s | `%s` | %s | skipped (file not there) | |\n' "$name" "$file" "$params" >>"$summary"
		printf '\n## %s: `%s`\n\nSkipped: the file does not exist in this checkout.\n' "$name" "$file" >>"$results"
		return
	fi
	if ! prepare_tap; then
		failed=$((failed + 1))
		printf '| %s | `%s` | %s | 0 passed, 1 failed (no client) | |\n' "$name" "$file" "$params" >>"$summary"
		return
	fi
	local pgxs_dir bindir exports="" kv
	pgxs_dir=$(dirname "$(pg_config --pgxs)")/..
	bindir=$(pg_config --bindir)
	for kv in "$@" ${PGMIG_SEED:+PGMIG_SEED=$PGMIG_SEED}; do
		exports+="export '$kv'; "
	done
	local cmd="$exports cd '$tap' && TESTDIR='$tap' PATH='$bindir':/usr/sbin:\$PATH \
		PG_REGRESS='$pgxs_dir/test/regress/pg_regress' PGMIG_SOURCE='$tap' PGMIG_BIN='$tap/bin/pgmig' \
		prove -I '$pgxs_dir/test/perl' -I test/perl '$file'"
	t0=$(date +%s)
	if [ "$(id -u)" -eq 0 ]; then
		su postgres -s /bin/bash -c "$cmd" >"$log" 2>&1
	else
		bash -c "$cmd" >"$log" 2>&1
	fi
	rc=$?
	grep -E '# figure: |^(not ok|ok [0-9]+ # skip)|Failed|^Files=|^Result' "$log"
	total=$(sed -nE 's/^Files=[0-9]+, Tests=([0-9]+),.*/\1/p' "$log")
	bad=$(grep -oE 'Failed [0-9]+/[0-9]+ subtests' "$log" | awk '{split($2,a,"/"); s+=a[1]} END {print s+0}')
	total=${total:-0}
	if [ "$rc" -ne 0 ] && [ "$bad" -eq 0 ]; then
		bad=1 # died, or no plan
	fi
	local ok=$((total - (bad > total ? total : bad)))
	passed=$((passed + ok))
	failed=$((failed + bad))
	local took
	took=$(elapsed "$t0")
	echo "$name: $ok passed, $bad failed in $took"
	if [ "$rc" -ne 0 ]; then
		echo "--- $name: failing tests and the server logs (tail) ---"
		grep -E -A4 '^not ok|^# +Failed test' "$log" | head -n 80
		for l in "$tap"/tmp_check/log/*"$(basename "$file" .pl)"*; do
			[ -f "$l" ] && { echo "--- $l (tail) ---"; tail -n 30 "$l"; }
		done
	fi
	printf '| %s | `%s` | %s | %d passed, %d failed | %s |\n' "$name" "$file" "$params" "$ok" "$bad" "$took" >>"$summary"
	{
		printf '\n## %s: `%s`\n\n' "$name" "$file"
		printf 'Parameters: `%s`.  Result: %d passed, %d failed, in %s.\n\n' "$params" "$ok" "$bad" "$took"
		if grep -q '# figure: ' "$log"; then
			printf '| figure | value |\n|---|---|\n'
			sed -nE 's/^.*# figure: ([^=]+[^ =]) *= *(.*)$/| \1 | \2 |/p' "$log"
		else
			printf 'The test printed no figures.\n'
		fi
		if [ "$bad" -gt 0 ]; then
			printf '\nFailing tests:\n\n```\n'
			grep -E "^#[[:space:]]+Failed test '" "$log" | sed -E "s/^#[[:space:]]+Failed test //" | head -n 40
			grep -E '^# Looks like|^Dubious|^Bail out' "$log" | head -n 5
			printf '```\n'
		fi
	} >>"$results"
}

want concurrency && run_tap concurrency test/t/003_concurrent_appliers.pl \
	"PGMIG_CONCURRENCY_ROUNDS=$(scaled 50)"
want crash && run_tap crash test/t/002_crash_mid_apply.pl \
	"PGMIG_CRASH_ITERATIONS=$(scaled 200)"
want nontx && run_tap nontx test/t/023_crash_nontx.pl \
	"PGMIG_NONTX_CRASH_ITERATIONS=$(scaled 20)"
want kill && run_tap kill test/t/020_client_kill.pl \
	"PGMIG_KILL_ROUNDS=$(scaled 100)"
want bouncer && run_tap bouncer test/t/022_pgbouncer.pl \
	"PGMIG_BOUNCER_ROUNDS=$(scaled 10)" "PGMIG_BOUNCER_KILLS=$(scaled 100)"
want boundary && run_tap boundary test/t/024_boundary_client.pl \
	"PGMIG_BOUNDARY_ROUNDS=$(scaled 10)"
want release && run_tap release test/t/025_client_pushed.pl \
	"PGMIG_RELEASE_RACE_ROUNDS=$(scaled 100)"
want text && run_tap text test/t/026_client_encoding_path.pl
want edges && run_tap edges test/t/027_client_edges.pl \
	"PGMIG_STALL_ROUNDS=$(scaled 10)" "PGMIG_INIT_ROUNDS=$(scaled 20)"

# ---------------------------------------------------------------------------
# Fuzzing: each target for its time, restarted after a crash until the time
# is up; crashes and leaks counted from the artifacts libFuzzer writes.
# ---------------------------------------------------------------------------
# Sum of a "stat::NAME: N" line over the runs in a log.
fuzz_stat() { sed -nE "s/^stat::$1: *([0-9]+).*/\1/p" "$2" | awk '{s+=$1} END {print s+0}'; }

run_fuzz() {
	local target=$1 seconds=$2 bin="$fuzz_build/fuzz_$1" seeds="test/fuzz/corpus/$1"
	local corpus="$fuzz_build/stress-corpus/$1" art="$artifacts/$1" log="$work/fuzz-$1.log"
	step "fuzz_$target: ${seconds} s from $seeds (ASan, UBSan)"
	if [ ! -x "$bin" ]; then
		echo "no fuzz binary at $bin"
		failed=$((failed + 1))
		printf '| fuzz_%s | `%s` | %s s | 0 passed, 1 failed (not built) | |\n' "$target" "$bin" "$seconds" >>"$summary"
		printf '\n## fuzz_%s\n\nNot run: `%s` was not built.\n' "$target" "$bin" >>"$results"
		return
	fi
	mkdir -p "$corpus" "$art"
	: >"$log"
	local t0 deadline left runs=0 rc broken=0
	t0=$(date +%s)
	deadline=$((t0 + seconds))
	while :; do
		left=$((deadline - $(date +%s)))
		[ "$left" -lt 1 ] && break
		runs=$((runs + 1))
		echo "--- run $runs: $left s left ---" >>"$log"
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:symbolize=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			"$bin" -max_total_time="$left" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$art/" "$corpus" "$seeds" >"$work/fuzz-run.log" 2>&1
		rc=$?
		cat "$work/fuzz-run.log" >>"$log"
		if [ "$rc" -ne 0 ]; then
			# a crash writes an artifact; none at all is a broken setup, and a
			# crash before libFuzzer's INITED line comes from an input of the
			# corpus, which would crash every restart again
			if ! find "$art" -type f -name '*-*' | grep -q .; then
				broken=1
				break
			fi
			grep -q 'INITED cov' "$work/fuzz-run.log" || break
			[ "$left" -lt 5 ] && break
		else
			break
		fi
	done
	local crashes leaks timeouts ooms execs corpus_n took secs
	crashes=$(find "$art" -name 'crash-*' | wc -l)
	leaks=$(find "$art" -name 'leak-*' | wc -l)
	timeouts=$(find "$art" -name 'timeout-*' | wc -l)
	ooms=$(find "$art" -name 'oom-*' | wc -l)
	execs=$(fuzz_stat number_of_executed_units "$log")
	corpus_n=$(find "$corpus" -type f | wc -l)
	secs=$(($(date +%s) - t0))
	took=$(elapsed "$t0")
	local bad=$((crashes + leaks + timeouts + ooms + broken))
	if [ "$bad" -eq 0 ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
	grep -E '^(==[0-9]+==ERROR|SUMMARY|Done [0-9]+ runs|stat::number_of_executed_units|stat::peak_rss_mb)' "$log"
	echo "fuzz_$target: $execs inputs in $secs s, $crashes crashes, $leaks leaks, $timeouts timeouts, $ooms out-of-memory; corpus $corpus_n files"
	if [ "$broken" = 1 ]; then
		echo "--- fuzz_$target exited $rc without an artifact (tail of its log) ---"
		tail -n 30 "$log"
	fi
	printf '| fuzz_%s | `%s` | %s s | %s | %s |\n' "$target" "$seeds" "$seconds" \
		"$([ "$bad" -eq 0 ] && echo '1 passed, 0 failed' || echo '0 passed, 1 failed')" "$took" >>"$summary"
	{
		printf '\n## fuzz_%s\n\n' "$target"
		printf 'Seeds `%s`, %s s, ASan + UBSan (non-recoverable), LeakSanitizer on.\n\n' "$seeds" "$seconds"
		printf '| figure | value |\n|---|---|\n'
		printf '| fuzz_%s_inputs | %s |\n' "$target" "$execs"
		printf '| fuzz_%s_inputs_per_second | %s |\n' "$target" "$([ "$secs" -gt 0 ] && echo $((execs / secs)) || echo 0)"
		printf '| fuzz_%s_runs | %s |\n' "$target" "$runs"
		printf '| fuzz_%s_crashes | %s |\n' "$target" "$crashes"
		printf '| fuzz_%s_leaks | %s |\n' "$target" "$leaks"
		printf '| fuzz_%s_timeouts | %s |\n' "$target" "$timeouts"
		printf '| fuzz_%s_out_of_memory | %s |\n' "$target" "$ooms"
		printf '| fuzz_%s_corpus_files | %s |\n' "$target" "$corpus_n"
		printf '| fuzz_%s_peak_rss_mb | %s |\n' "$target" \
			"$(sed -nE 's/^stat::peak_rss_mb: *([0-9]+).*/\1/p' "$log" | sort -n | tail -n 1)"
		if [ "$bad" -gt 0 ]; then
			printf '\nArtifacts (replay with `%s <file>`):\n\n```\n' "$bin"
			find "$art" -type f | head -n 20
			grep -E '^(==[0-9]+==ERROR|SUMMARY)' "$log" | head -n 20
			printf '```\n'
		fi
	} >>"$results"
}

if want fuzz; then
	artifacts="$fuzz_build/stress-artifacts/$(date -u +%Y%m%d-%H%M%S)"
	fuzz_seconds=$(scaled "$fuzz_seconds_full" 10)
	for t in graph migfile importers schema_file; do
		run_fuzz "$t" "$fuzz_seconds"
	done
	# an empty artifact directory says nothing: remove it
	find "$artifacts" -type d -empty -delete 2>/dev/null
fi

# ---------------------------------------------------------------------------
# docs/stress.md
# ---------------------------------------------------------------------------
total_time=$(elapsed "$started")
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
cpu=$(sed -nE 's/^model name\s*:\s*//p' /proc/cpuinfo | head -n 1)
mkdir -p "$(dirname "$doc")"
{
	echo "# Stress results (\`make stress\`)"
	echo
	echo "Generated by \`scripts/stress.sh\`; do not edit by hand.  The short forms of"
	echo "the same suites run in \`make test\`."
	echo
	echo "- Date: $started_text; total time $total_time"
	echo "- Machine: $(nproc) CPUs ($cpu), $mem memory; $(uname -sr)"
	echo "- PostgreSQL: $(pg_config --version); commit $commit"
	echo "- Suites: $suites"
	if [ "${STRESS_SKIP_BUILD:-0}" = 1 ]; then
		echo "- Build: skipped (STRESS_SKIP_BUILD=1): the installed extension, \`$pgmig_bin\`, fuzz targets in \`$fuzz_build\`"
	fi
	if [ "$scale" != 1 ]; then
		echo "- **STRESS_SCALE=$scale: a reduced run, not the long forms the issue asks for.**"
	fi
	echo "- Result: **$passed passed, $failed failed**"
	echo
	echo "| suite | file / seeds | parameters | result | time |"
	echo "|---|---|---|---|---|"
	cat "$summary"
	cat "$results"
} >"$doc"
echo
echo "report written to $doc ($total_time)"
if [ "$failed" -gt 0 ]; then
	# the work directory goes away: keep the logs of a failing run
	kept=$(mktemp -d /tmp/pgmig-stress-logs.XXXXXX)
	cp "$work"/*.log "$kept/" 2>/dev/null
	[ -d "$tap/tmp_check/log" ] && cp -r "$tap/tmp_check/log" "$kept/tap-logs"
	echo "logs of this run kept in $kept"
fi

echo
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
