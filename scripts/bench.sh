#!/usr/bin/env bash
# scripts/bench.sh — the benchmark (`make bench`), against one throwaway server.
#
# Parts, in this order (BENCH_PARTS selects some; default all of them):
#   apply        N realistic revisions (scripts/bench/gen.py; BENCH_N, default
#                "100 1000 10000") applied on fresh databases by the floors,
#                plain `psql -1 -f` and psql with BEGIN/COMMIT around each
#                revision, by `pgmig up`, `pgmig up --atomic` and one
#                mig_apply() call, and by the peers: Alembic, Sqitch, dbmate
#                and node-pg-migrate (BENCH_TOOLS selects some);
#   noop         on each tool's migrated history: its migrate command again
#                (nothing to do) and its status command; and whether an edited
#                applied file is noticed;
#   heads        mig_heads() on a 100,000-revision graph (HEADS_N), timed in
#                the server;
#   push         `pgmig push` of 10,000 generated files (PUSH_N);
#   onestmt      1,000 one-statement revisions (ONESTMT_N) on fresh databases:
#                `pgmig up` next to psql with BEGIN/COMMIT per revision and
#                the tracked floor (psql plus an INSERT into a version table
#                in each revision's transaction);
#   incremental  the everyday deploy (issue 17): on an applied history of H
#                revisions (INCR_H, default "1000 10000"), 1 and 100 new
#                revisions by `pgmig up` (push included) and by psql running
#                just their SQL; `pgmig push` of one new file next to a no-op
#                `pgmig up`;
#   scaling      1 new revision, `pgmig up` and psql, against the history
#                size (SCALING_H, default "0 1000 10000 30000 100000"; the
#                100,000-revision history takes several minutes to build);
#                drawn in docs/benchmarks-scaling.png;
#   fingerprint  mig_fingerprint on a generated schema of 10,000 tables (each
#                with a primary key, a NOT NULL column, a default, a foreign
#                key and an index), and mig_schema (the schema file's source)
#                next to pg_dump --schema-only on the same tables;
#   lint         pgmig's linter next to squawk on test/lint/cases
#                (scripts/lint_compare.sh; squawk-cli from the npm registry);
#   graph        the graph core (Google Benchmark, bench/bench_graph.cpp).
# The part noop also times bench/noop_floor.cpp (built here with CMake, in
# BENCH_BUILD_DIR): every file read and hashed with SHA-256 on two threads,
# one connection, one query: the physical floor of a no-op `up`.
# apply to scaling are scripts/bench/run.py (see its header for the method);
# every figure is the median of REPEAT runs (default 3; BENCH_REPEAT_<N>
# overrides it for one N).  At the end scripts/bench/report.py writes
# docs/benchmarks.md, docs/benchmarks.png and docs/benchmarks-scaling.png
# (BENCH_OUT, default docs;
# BENCH_DOCS=0 writes nothing there) from the figures, with the later parts'
# output included as printed.
#
# Environment:
#   BENCH_SKIP_BUILD=1   do not run `make && make install` first: measure the
#                        extension installed in the server and build/pgmig as
#                        they are (PGMIG_BIN names another client binary)
#   PGMIG_BENCH_PORT     the server's port (default 55497)
#   BENCH_NPM_DIR        where dbmate, node-pg-migrate and squawk-cli are
#                        installed with npm (default build/bench-npm); pinned
#                        versions, installed only when missing
#   BENCH_BUILD_DIR      the CMake build folder of the graph benchmark and
#                        of noop_floor (default build-bench)
#   BENCH_FSYNC          the server's fsync (default on, as in production: each
#                        commit waits for its WAL flush, which is part of what
#                        one transaction per revision costs; off measures
#                        CPU only)
#   BENCH_NOTE           one line of context for the page (e.g. "quiet machine")
#   BENCH_JSON           also keep the raw figures (run.py's JSON) in this file,
#                        and the later parts' output next to it (NAME.extras.txt):
#                        report.py writes one page from several runs' files
#                        (e.g. the peers at N = 10,000 once, the histories
#                        three times)
# Exit status: non-zero when any part failed (the page is written anyway and
# lists the failures).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
umask 022 # the server (OS user postgres) reads the generated batch files
port=${PGMIG_BENCH_PORT:-55497}
repeat=${REPEAT:-3}
parts=${BENCH_PARTS:-all}
[ "$parts" = all ] && parts="apply noop heads push onestmt incremental scaling fingerprint lint graph"
tools=${BENCH_TOOLS:-all}
npm_dir=${BENCH_NPM_DIR:-$root/build/bench-npm}
out_dir=${BENCH_OUT:-$root/docs}
# The peers from the npm registry, pinned.
NPM_PEERS=(dbmate@2.36.0 node-pg-migrate@9.0.0 pg@8.23.1)
SQUAWK=squawk-cli@2.66.0

has_part() { [[ " $parts " == *" $1 "* ]]; }
has_tool() { [ "$tools" = all ] || [[ " $tools " == *" $1 "* ]]; }

work=$(mktemp -d /tmp/pgmig-bench.XXXXXX)
chmod 755 "$work"
trap 'scripts/pgserver.sh stop "$work/server" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
	make -s >/dev/null && make -s install SKIP_CMAKE=1 >/dev/null
fi
# The real psql, not Debian's pg_wrapper script in /usr/bin (a Perl program
# that adds about 60 ms to every start: to the floors, and to Sqitch, which
# runs psql once per change).
PATH="$(pg_config --bindir):$PATH"
export PATH
# A copy of the client, so that a rebuild during the run changes nothing.
mkdir -p "$work/bin"
cp "${PGMIG_BIN:-$root/build/pgmig}" "$work/bin/pgmig"
pgmig=$work/bin/pgmig

# npm packages at their pinned versions (the registry is asked only when one is missing).
npm_has() { # npm_has NAME@VERSION
	local name=${1%@*} version=${1##*@}
	[ -f "$npm_dir/node_modules/$name/package.json" ] &&
		[ "$(jq -r .version "$npm_dir/node_modules/$name/package.json" 2>/dev/null)" = "$version" ]
}
npm_need=()
if has_part apply || has_part noop; then
	{ has_tool dbmate || has_tool npm; } && for p in "${NPM_PEERS[@]}"; do npm_has "$p" || npm_need+=("$p"); done
fi
has_part lint && { npm_has "$SQUAWK" || npm_need+=("$SQUAWK"); }
if [ ${#npm_need[@]} -gt 0 ]; then
	echo "bench: npm install ${npm_need[*]} into $npm_dir" >&2
	mkdir -p "$npm_dir"
	npm install --prefix "$npm_dir" --no-audit --no-fund --silent "${npm_need[@]}" >&2 ||
		echo "bench: npm install failed; the tools it should bring will be reported as failed" >&2
fi

PGSERVER_FSYNC=${BENCH_FSYNC:-on} scripts/pgserver.sh start "$work/server" "$port"
export PGHOST="$work/server" PGPORT="$port" PGUSER=postgres
# One transaction over 10,000 revisions (psql -1, pgmig up --atomic, Alembic,
# node-pg-migrate) locks some 20,000 relations: more than the default lock
# table holds (64 per connection).  Every tool runs with this setting.
command psql -X -q -d postgres -c "ALTER SYSTEM SET max_locks_per_transaction = 2048" >/dev/null
as_postgres() { if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
as_postgres "'$(pg_config --bindir)/pg_ctl' -D '$work/server/data' -l '$work/server/server.log' -w -t 60 -m fast restart >/dev/null"
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

status=0
bdir=${BENCH_BUILD_DIR:-build-bench}
# The no-op floor (bench/noop_floor.cpp), for the part noop.
noop_floor=""
if has_part noop; then
	if cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DPGMIG_BENCH=ON >/dev/null 2>&1 &&
		cmake --build "$bdir" -j"$(nproc)" --target noop_floor >/dev/null 2>&1; then
		cp "$bdir/noop_floor" "$work/bin/noop_floor"
		noop_floor=$work/bin/noop_floor
	else
		echo "bench: building noop_floor failed (needs libssl-dev and libbenchmark-dev); the no-op floor is not measured" >&2
		status=1
	fi
fi
run_parts=""
for p in apply noop heads push onestmt incremental scaling; do has_part "$p" && run_parts+="$p "; done
# The command as given, with the settings that change what is measured.
cmdline=""
for v in BENCH_SKIP_BUILD BENCH_N REPEAT $(compgen -v BENCH_REPEAT_ || true) NOOP_REPEAT BENCH_TOOLS BENCH_PARTS HEADS_N PUSH_N \
	ONESTMT_N INCR_H SCALING_H HIST_CHUNK; do
	if [ -n "${!v+x}" ]; then
		val=${!v}
		[[ $val == *" "* ]] && val="'$val'"
		cmdline+="$v=$val "
	fi
done
cmdline+="make bench"
if [ -n "$run_parts" ]; then
	python3 scripts/bench/run.py --work "$work" --out "$work/results.json" --pgmig "$pgmig" \
		--npm-dir "$npm_dir" --repeat "$repeat" --parts "$run_parts" --tools "$tools" --command "$cmdline" \
		--noop-floor "$noop_floor" ||
		status=1
fi

# The later parts print their figures; the page includes what they print.
extras=$work/extras.txt
: >"$extras"

if has_part fingerprint; then
	command psql -X -q -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS fpbench" -c "CREATE DATABASE fpbench" >/dev/null
	psql -d fpbench -c "CREATE EXTENSION pgmig" >/dev/null
	for i in $(seq 1 10000); do
		[ $((i % 500)) -eq 1 ] && printf 'BEGIN;\n'
		if [ "$i" -eq 1 ]; then ref=''; else ref=", ref bigint REFERENCES t$((i - 1)) (id)"; fi
		printf 'CREATE TABLE t%d (id bigint PRIMARY KEY, name text NOT NULL, created timestamptz DEFAULT now()%s);\n' "$i" "$ref"
		printf 'CREATE INDEX t%d_name ON t%d (name);\n' "$i" "$i"
		[ $((i % 500)) -eq 0 ] && printf 'COMMIT;\n'
	done >"$work/fp10k.sql"
	psql -d fpbench -f "$work/fp10k.sql" >/dev/null
	objects=$(psql -At -d fpbench -c "SELECT count(*) FROM pgmig.mig_fingerprint()")
	fp=()
	for r in $(seq 1 "$repeat"); do
		t0=$(now); psql -d fpbench -c "SELECT count(*) FROM pgmig.mig_fingerprint()" >/dev/null; t1=$(now)
		fp+=("$(echo "$t1 - $t0" | bc -l)")
	done
	printf 'mig_fingerprint on 10,000 tables (%d objects), median of %d: %.3f s\n' "$objects" "$repeat" \
		"$(printf '%s\n' "${fp[@]}" | median)" | tee -a "$extras"
	# the schema file's source on the same tables, next to pg_dump --schema-only
	blocks=$(psql -At -d fpbench -c "SELECT count(*) FROM pgmig.mig_schema()")
	ms=()
	for r in $(seq 1 "$repeat"); do
		t0=$(now); psql -d fpbench -c "SELECT kind, identity, statement FROM pgmig.mig_schema()" >/dev/null; t1=$(now)
		ms+=("$(echo "$t1 - $t0" | bc -l)")
	done
	printf 'mig_schema on the same tables (%d blocks), median of %d: %.3f s\n' "$blocks" "$repeat" \
		"$(printf '%s\n' "${ms[@]}" | median)" | tee -a "$extras"
	t0=$(now)
	if dump_err=$(pg_dump --schema-only -d fpbench -f "$work/fp10k.dump" 2>&1); then
		t1=$(now)
		printf 'pg_dump --schema-only on the same tables: %.3f s\n' "$(echo "$t1 - $t0" | bc -l)" | tee -a "$extras"
	else
		printf 'pg_dump --schema-only on the same tables: failed (%s)\n' "$(echo "$dump_err" | head -1)" | tee -a "$extras"
	fi
	command psql -X -q -d postgres -c "DROP DATABASE fpbench" >/dev/null
fi

if has_part lint; then
	if command -v jq >/dev/null 2>&1 && [ -x "$npm_dir/node_modules/.bin/squawk" ]; then
		{ echo; echo "pgmig's linter next to squawk ($SQUAWK), scripts/lint_compare.sh:"; } | tee -a "$extras"
		SQUAWK="$npm_dir/node_modules/.bin/squawk" scripts/lint_compare.sh 2>&1 | tee -a "$extras" || true
	else
		echo "squawk comparison skipped (needs jq and $SQUAWK from npm; see scripts/lint_compare.sh)" | tee -a "$extras"
	fi
fi

if has_part graph; then
	if cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DPGMIG_BENCH=ON >/dev/null 2>&1 &&
		cmake --build "$bdir" -j"$(nproc)" --target bench_graph >/dev/null 2>&1; then
		{ echo; echo "graph core (Google Benchmark, bench/bench_graph.cpp):"; } | tee -a "$extras"
		"$bdir/bench_graph" --benchmark_min_time=0.2 2>&1 | tee -a "$extras"
	else
		echo "graph core benchmark skipped: building bench_graph failed (needs libbenchmark-dev)" | tee -a "$extras"
		status=1
	fi
fi

if [ "${BENCH_DOCS:-1}" != 0 ] && [ -f "$work/results.json" ]; then
	mkdir -p "$out_dir"
	python3 scripts/bench/report.py --extras "$extras" "$out_dir/benchmarks.md" "$out_dir/benchmarks.png" "$work/results.json"
	if [ -n "${BENCH_JSON:-}" ]; then
		cp "$work/results.json" "$BENCH_JSON"
		cp "$extras" "${BENCH_JSON%.json}.extras.txt"
	fi
	echo "bench: wrote $out_dir/benchmarks.md, $out_dir/benchmarks.png and (with the part scaling) $out_dir/benchmarks-scaling.png" >&2
fi
exit "$status"
