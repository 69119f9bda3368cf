#!/usr/bin/env bash
# scripts/lint_compare.sh — pgmig's linter next to squawk, case by case.
#
# For each test/lint/cases/*.sql (one small migration each) this runs squawk
# (https://squawkhq.com, the npm package squawk-cli) on the file and
# pgmig.mig_lint on its text, and prints a Markdown table
#
#   | case | squawk rules | pgmig rules |
#
# followed by how often each rule fired.  pgmig's linter reads the live
# catalog, so the script creates a scratch database on the server named by
# PGHOST/PGPORT/PGUSER, installs pgmig there, loads test/lint/setup.sql (the
# "deployed" schema the cases change) and drops the database at the end.
# Nothing in a case is executed.  A body pgmig refuses is shown as
# "error SQLSTATE".
#
# Not part of `make test`: squawk is a third-party npm package.
#   npm install --prefix /tmp/squawk squawk-cli
#   PGHOST=/tmp/pgm-dev PGPORT=55432 PGUSER=postgres scripts/lint_compare.sh
# Environment:
#   SQUAWK       the squawk binary (default /tmp/squawk/node_modules/.bin/squawk,
#                else squawk on PATH)
#   SQUAWK_OPTS  extra squawk options, e.g. --exclude=prefer-robust-stmts
#   LINT_DB      scratch database name (default pgmig_lint_compare); it must
#                not exist
# Needs psql, jq, and a role that may create databases and extensions.
set -euo pipefail

cd "$(dirname "$0")/.."
cases_dir=test/lint/cases
db=${LINT_DB:-pgmig_lint_compare}

squawk=${SQUAWK:-}
if [[ -z $squawk ]]; then
	if [[ -x /tmp/squawk/node_modules/.bin/squawk ]]; then
		squawk=/tmp/squawk/node_modules/.bin/squawk
	else
		squawk=$(command -v squawk || true)
	fi
fi
if [[ -z $squawk || ! -x $squawk ]]; then
	echo "lint_compare: squawk not found; install it with: npm install --prefix /tmp/squawk squawk-cli" >&2
	exit 2
fi
for tool in psql jq; do
	command -v "$tool" >/dev/null || { echo "lint_compare: $tool not found" >&2; exit 2; }
done

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 -d "${PGDATABASE:-postgres}" "$@"; }

cleanup() { psql_admin -c "DROP DATABASE IF EXISTS \"$db\"" >/dev/null 2>&1 || true; }
psql_admin -c "CREATE DATABASE \"$db\"" >/dev/null
trap cleanup EXIT
psql -X -q -v ON_ERROR_STOP=1 -d "$db" -c 'CREATE EXTENSION pgmig' -f test/lint/setup.sql >/dev/null

# The distinct squawk rule names reported for a file, space-separated ("-" for none).
squawk_rules() {
	local out
	# squawk exits 1 when it reports something; its JSON is still complete.
	# shellcheck disable=SC2086
	out=$("$squawk" --reporter json --pg-version 15.0 ${SQUAWK_OPTS:-} "$1" 2>/dev/null || true)
	out=$(jq -r '[.[].rule_name] | unique | join(" ")' <<<"${out:-[]}")
	echo "${out:--}"
}

# The distinct pgmig rule ids for a file's text, or "error SQLSTATE".
pgmig_rules() {
	local out
	if out=$(psql -X -At -v ON_ERROR_STOP=1 -d "$db" -v body="$(cat "$1")" 2>&1 <<'SQL'
\set VERBOSITY sqlstate
SELECT coalesce(string_agg(DISTINCT rule, ' ' ORDER BY rule), '-') FROM pgmig.mig_lint(:'body');
SQL
	); then
		echo "$out"
	else
		echo "error $(sed -n 's/^.*ERROR: *\([0-9A-Z]\{5\}\).*$/\1/p' <<<"$out" | head -1)"
	fi
}

declare -A squawk_count pgmig_count
ncases=0
echo "| case | squawk rules | pgmig rules |"
echo "|---|---|---|"
for f in "$cases_dir"/*.sql; do
	name=$(basename "$f" .sql)
	s=$(squawk_rules "$f")
	p=$(pgmig_rules "$f")
	echo "| $name | $s | $p |"
	ncases=$((ncases + 1))
	for r in $s; do [[ $r == - ]] || squawk_count[$r]=$((${squawk_count[$r]:-0} + 1)); done
	if [[ $p != error* ]]; then
		for r in $p; do [[ $r == - ]] || pgmig_count[$r]=$((${pgmig_count[$r]:-0} + 1)); done
	fi
done

echo
echo "$ncases cases; squawk $("$squawk" --version | awk '{print $2}'), pgmig $(psql -X -At -d "$db" -c "SELECT extversion FROM pg_extension WHERE extname = 'pgmig'")."
printf 'squawk rules fired (cases):'
for r in $(printf '%s\n' "${!squawk_count[@]}" | sort); do printf ' %s (%d)' "$r" "${squawk_count[$r]}"; done
echo
printf 'pgmig rules fired (cases):'
for r in $(printf '%s\n' "${!pgmig_count[@]}" | sort); do printf ' %s (%d)' "$r" "${pgmig_count[$r]}"; done
echo
