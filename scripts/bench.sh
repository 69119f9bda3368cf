#!/usr/bin/env bash
# scripts/bench.sh — benchmarks, against a throwaway server:
#   1. N small revisions (default 1,000) applied by plain `psql -1 -f`, by
#      psql with BEGIN/COMMIT around each revision, by one mig_apply call, by `pgmig up` (files, one transaction per revision)
#      and by `pgmig up --atomic`, in the same run;
#   2. nothing pending on a 10,000-revision history: a mig_apply call,
#      `pgmig up` (which pushes the 10,000 files first) and `pgmig status`;
#   3. mig_fingerprint on a generated schema of 10,000 tables (each with a
#      primary key, a NOT NULL column, a default, a foreign key and an index);
#   4. pgmig's linter next to squawk on test/lint/cases (when npm can install
#      squawk-cli; scripts/lint_compare.sh);
#   5. the graph core (Google Benchmark), if built with -DPGMIG_BENCH=ON.
# Each figure is the median of REPEAT runs (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PGMIG_BENCH_PORT:-55497}
n=${BENCH_REVISIONS:-1000}
repeat=${REPEAT:-5}
work=$(mktemp -d /tmp/pgmig-bench.XXXXXX)
chmod 755 "$work"
trap 'scripts/pgserver.sh stop "$work/server" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

make -s >/dev/null && make -s install SKIP_CMAKE=1 >/dev/null
pgmig=$(pwd)/build/pgmig
scripts/pgserver.sh start "$work/server" "$port"
export PGHOST="$work/server" PGPORT="$port" PGUSER=postgres
psql() { command psql -X -q -v ON_ERROR_STOP=1 "$@"; }

now() { date +%s.%N; }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# The same SQL for both: revision i creates a table, an index and inserts a row.
body() { printf 'CREATE TABLE b_%d (id int PRIMARY KEY, v text); INSERT INTO b_%d VALUES (1, '"'"'x'"'"');\n' "$1" "$1"; }
for i in $(seq 1 "$n"); do body "$i"; done >"$work/plain.sql"
for i in $(seq 1 "$n"); do printf 'BEGIN;\n'; body "$i"; printf 'COMMIT;\n'; done >"$work/pertx.sql"
{
	printf '['
	for i in $(seq 1 "$n"); do
		[ "$i" -gt 1 ] && printf ','
		if [ "$i" -eq 1 ]; then parents='[]'; else parents="[\"r$((i - 1))\"]"; fi
		printf '{"revision":"r%d","parents":%s,"up":"%s"}' "$i" "$parents" "$(body "$i" | sed 's/"/\\"/g' | tr -d '\n')"
	done
	printf ']'
} >"$work/batch.json"

# The same revisions as migration files for the client.
mkdir -p "$work/files"
for i in $(seq 1 "$n"); do
	{
		printf -- '-- pgmig:revision r%05d\n' "$i"
		[ "$i" -gt 1 ] && printf -- '-- pgmig:parents r%05d\n' "$((i - 1))"
		body "$i"
	} >"$work/files/r$(printf '%05d' "$i").sql"
done

plain=() pertx=() apply=() client=() atomic=()
for r in $(seq 1 "$repeat"); do
	command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
	psql -d bench -c "CREATE EXTENSION pgmig" >/dev/null
	t0=$(now); "$pgmig" -q -d bench --dir "$work/files" up; t1=$(now)
	client+=("$(echo "$t1 - $t0" | bc -l)")

	command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
	psql -d bench -c "CREATE EXTENSION pgmig" >/dev/null
	t0=$(now); "$pgmig" -q -d bench --dir "$work/files" up --atomic; t1=$(now)
	atomic+=("$(echo "$t1 - $t0" | bc -l)")

	command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
	t0=$(now); psql -d bench -1 -f "$work/plain.sql" >/dev/null; t1=$(now)
	plain+=("$(echo "$t1 - $t0" | bc -l)")

	command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
	t0=$(now); psql -d bench -f "$work/pertx.sql" >/dev/null; t1=$(now)
	pertx+=("$(echo "$t1 - $t0" | bc -l)")

	command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
	psql -d bench -c "CREATE EXTENSION pgmig" -c "SET client_min_messages = warning" \
		-c "SELECT count(*) FROM pgmig.mig_upload_batch(pg_read_file('$work/batch.json')::jsonb)" >/dev/null
	t0=$(now); psql -d bench -c "SET client_min_messages = warning" -c "SELECT count(*) FROM pgmig.mig_apply()" >/dev/null; t1=$(now)
	apply+=("$(echo "$t1 - $t0" | bc -l)")
done
p=$(printf '%s\n' "${plain[@]}" | median)
pt=$(printf '%s\n' "${pertx[@]}" | median)
a=$(printf '%s\n' "${apply[@]}" | median)
c=$(printf '%s\n' "${client[@]}" | median)
ca=$(printf '%s\n' "${atomic[@]}" | median)
printf '%d revisions, median of %d: psql -1 -f %.3f s, mig_apply %.3f s (%.2fx)\n' "$n" "$repeat" "$p" "$a" "$(echo "$a / $p" | bc -l)"
printf '%d revisions, median of %d: psql with BEGIN/COMMIT around each revision %.3f s (%.2fx)\n' \
	"$n" "$repeat" "$pt" "$(echo "$pt / $p" | bc -l)"
printf '%d revisions, median of %d: pgmig up %.3f s (%.2fx; push + one transaction per revision; %.2fx the psql run with one transaction per revision), pgmig up --atomic %.3f s (%.2fx)\n' \
	"$n" "$repeat" "$c" "$(echo "$c / $p" | bc -l)" "$(echo "$c / $pt" | bc -l)" "$ca" "$(echo "$ca / $p" | bc -l)"

# Nothing pending on a 10,000-revision history.
command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
psql -d bench -c "CREATE EXTENSION pgmig" -c "SELECT count(*) FROM pgmig.mig_upload_batch((SELECT jsonb_agg(jsonb_build_object('revision', 'h' || i, 'parents', CASE WHEN i = 1 THEN '[]'::jsonb ELSE jsonb_build_array('h' || (i - 1)) END, 'up', 'SELECT 1') ORDER BY i) FROM generate_series(1, 10000) i))" \
	-c "SELECT count(*) FROM pgmig.mig_stamp('head')" >/dev/null
noop=()
for r in $(seq 1 "$repeat"); do
	t0=$(now); psql -d bench -c "SELECT count(*) FROM pgmig.mig_apply()" >/dev/null; t1=$(now)
	noop+=("$(echo "$t1 - $t0" | bc -l)")
done
base=()
for r in $(seq 1 "$repeat"); do
	t0=$(now); psql -d bench -c "SELECT 1" >/dev/null; t1=$(now)
	base+=("$(echo "$t1 - $t0" | bc -l)")
done
printf 'nothing pending on 10,000 revisions, median of %d: mig_apply %.1f ms (psql -c "SELECT 1": %.1f ms)\n' \
	"$repeat" "$(printf '%s\n' "${noop[@]}" | median | awk '{print $1*1000}')" "$(printf '%s\n' "${base[@]}" | median | awk '{print $1*1000}')"

# The client on the same history: the 10,000 files, pushed once.
mkdir -p "$work/history"
for i in $(seq 1 10000); do
	if [ "$i" -eq 1 ]; then printf -- '-- pgmig:revision h%d\nSELECT 1\n' "$i"
	else printf -- '-- pgmig:revision h%d\n-- pgmig:parents h%d\nSELECT 1\n' "$i" "$((i - 1))"; fi >"$work/history/h$(printf '%05d' "$i").sql"
done
"$pgmig" -q -d bench --dir "$work/history" push
noop_up=() status=()
for r in $(seq 1 "$repeat"); do
	t0=$(now); "$pgmig" -q -d bench --dir "$work/history" up; t1=$(now)
	noop_up+=("$(echo "$t1 - $t0" | bc -l)")
	t0=$(now); "$pgmig" -d bench status >/dev/null; t1=$(now)
	status+=("$(echo "$t1 - $t0" | bc -l)")
done
printf 'nothing pending on 10,000 revisions, median of %d: pgmig up %.1f ms (reads and pushes the 10,000 files), pgmig status %.1f ms\n' \
	"$repeat" "$(printf '%s\n' "${noop_up[@]}" | median | awk '{print $1*1000}')" "$(printf '%s\n' "${status[@]}" | median | awk '{print $1*1000}')"

# The schema fingerprint on 10,000 tables.
command psql -X -q -d postgres -c "DROP DATABASE IF EXISTS fpbench" -c "CREATE DATABASE fpbench" >/dev/null
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
	"$(printf '%s\n' "${fp[@]}" | median)"

# pgmig's linter next to squawk, when npm can fetch it.
if command -v npm >/dev/null 2>&1 && command -v jq >/dev/null 2>&1 &&
	npm install --silent --prefix "$work/squawk" squawk-cli >/dev/null 2>&1; then
	SQUAWK="$work/squawk/node_modules/.bin/squawk" scripts/lint_compare.sh || true
else
	echo "squawk comparison skipped (needs npm and jq; see scripts/lint_compare.sh)"
fi

if cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DPGMIG_BENCH=ON >/dev/null 2>&1 &&
	cmake --build build-bench -j"$(nproc)" --target bench_graph >/dev/null 2>&1; then
	build-bench/bench_graph --benchmark_min_time=0.2
fi
