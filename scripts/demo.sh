#!/usr/bin/env bash
# scripts/demo.sh — the main job on the example project, against a throwaway
# server: upload, heads (two heads, then the merge), apply, history, a
# downgrade and a re-apply, all through psql and pgmig's SQL functions.
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PGMIG_DEMO_PORT:-55498}
work=$(mktemp -d /tmp/pgmig-demo.XXXXXX)
chmod 755 "$work"
trap 'scripts/pgserver.sh stop "$work/server" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "== building and installing the extension"
make -s SKIP_CMAKE=1 >"$work/build.log" 2>&1 && make -s install SKIP_CMAKE=1 >>"$work/build.log" 2>&1 || {
	cat "$work/build.log"
	exit 1
}
echo "== starting a throwaway PostgreSQL $(pg_config --version | awk '{print $2}') on port $port"
scripts/pgserver.sh start "$work/server" "$port"
export PGHOST="$work/server" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres

psql -X -q -v ON_ERROR_STOP=1 -P pager=off <<'SQL'
\set ECHO none
\pset null '-'
CREATE EXTENSION pgmig;
\echo
\echo '== 1. upload the example project (examples/shop): 9 revisions, two branches'
\i examples/shop/revisions.sql
\echo
\echo '== 2. heads: the billing and catalog branches are two heads'
SELECT * FROM pgmig.mig_heads();
\echo
\echo '== 3. apply to "head" is refused while there are two heads'
\set ON_ERROR_STOP 0
SELECT * FROM pgmig.mig_apply();
\set ON_ERROR_STOP 1
\echo
\echo '== 4. upload the merge revision: one head again'
\i examples/shop/merge.sql
SELECT * FROM pgmig.mig_heads();
\echo
\echo '== 5. apply up to 0003_orders, take an order, then apply the rest (the backfill fills its total)'
SELECT revision, statements FROM pgmig.mig_apply('0003_orders');
INSERT INTO customers (email) VALUES ('ann@example.com');
INSERT INTO orders (customer_id, product_id, quantity) VALUES (1, 1, 2);
SELECT revision, statements FROM pgmig.mig_apply();
SELECT * FROM order_report;
\echo
\echo '== 6. status and history'
SELECT current, heads, applied, pending FROM pgmig.mig_status();
SELECT event_id, kind, revision, target, who FROM pgmig.mig_history() WHERE kind <> 'upload';
\echo
\echo '== 7. downgrade to 0003_orders: the merge and both branches, children first (the enum type goes too)'
SELECT revision, statements FROM pgmig.mig_downgrade('0003_orders');
SELECT current, pending, pending_revisions FROM pgmig.mig_status();
SELECT count(*) AS payment_status_types_left FROM pg_type WHERE typname = 'payment_status';
\echo
\echo '== 8. re-apply to head'
SELECT revision, statements FROM pgmig.mig_apply('head');
SELECT current, heads, applied, pending FROM pgmig.mig_status();
SQL
echo
echo "== demo done; the server is stopped and removed"
