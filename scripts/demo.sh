#!/usr/bin/env bash
# scripts/demo.sh — the main job on the example project (examples/shop),
# driven by the pgmig client against a throwaway server: init, push, heads
# (two branches, then the merge), verify, plan, up (with a non-transactional
# CREATE INDEX CONCURRENTLY run by the client), status, history, graph, a
# downgrade and a re-apply, and the schema file (verify fails with the diff
# until `pgmig schema` rewrites it).
set -euo pipefail
cd "$(dirname "$0")/.."
port=${PGMIG_DEMO_PORT:-55498}
work=$(mktemp -d /tmp/pgmig-demo.XXXXXX)
chmod 755 "$work"
trap 'scripts/pgserver.sh stop "$work/server" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

echo "== building and installing the extension and the client"
{ make -s && make -s install SKIP_CMAKE=1; } >"$work/build.log" 2>&1 || {
	cat "$work/build.log"
	exit 1
}
echo "== starting a throwaway PostgreSQL $(pg_config --version | awk '{print $2}') on port $port"
scripts/pgserver.sh start "$work/server" "$port"
export PGHOST="$work/server" PGPORT="$port" PGUSER=postgres PGDATABASE=postgres NO_COLOR=1
pgmig=$(pwd)/build/pgmig
dir="$work/migrations"
mkdir -p "$dir"

# Shows a command, then runs it.
show() {
	echo
	echo "\$ pgmig $*"
	"$pgmig" "$@"
}

echo
echo "== 1. the example project without its merge: two branches (billing, catalog) grow from 0003_orders"
cp examples/shop/migrations/000[1-9]_*.sql "$dir/"
ls "$dir"
show init
show --dir "$dir" push
show --dir "$dir" heads
echo
echo "== 2. verify is the CI gate: two heads are a finding (exit 3)"
show --dir "$dir" verify || echo "(exit $?)"
echo
echo "== 3. add the merge and the concurrent index; the plan says what runs where, and which locks it takes"
cp examples/shop/migrations/0010_merge.sql examples/shop/migrations/0011_orders_status_idx.sql "$dir/"
show --dir "$dir" graph
show --dir "$dir" plan 0006_backfill_totals
echo
echo "== 4. up to 0003_orders, take an order with psql, then up to the head (the backfill fills its total;"
echo "      0011 runs outside any transaction, then the server checks the index is valid)"
show --dir "$dir" up 0003_orders
psql -X -q -c "INSERT INTO customers (email) VALUES ('ann@example.com')" \
	-c "INSERT INTO orders (customer_id, product_id, quantity) VALUES (1, 1, 2)"
show --dir "$dir" up 2>&1
psql -X -P pager=off -c "SELECT * FROM order_report"
echo
echo "== 5. where the database stands, and what happened"
show --dir "$dir" status
show --dir "$dir" history
echo
echo "== 6. down to 0003_orders: children first, the enum type goes with its revision"
show --dir "$dir" down 0003_orders 2>&1
psql -X -A -t -c "SELECT 'payment_status types left: ' || count(*) FROM pg_type WHERE typname = 'payment_status'"
echo
echo "== 7. up again, then verify: clean (exit 0); with the project's schema file beside the folder, verify"
echo "      also builds the migrations in a temporary shadow database and compares"
cp examples/shop/schema.sql "$work/schema.sql"
show --dir "$dir" -q up
show --dir "$dir" current
show --dir "$dir" verify 2>&1
echo
echo "== 8. a new migration changes the schema, but schema.sql was not rewritten: verify fails with the diff"
cat >"$dir/0012_customer_note.sql" <<'SQL'
-- pgmig:revision 0012_customer_note
-- pgmig:parents  0011_orders_status_idx
-- pgmig:message  a note per customer
ALTER TABLE customers ADD COLUMN note text;

-- pgmig:down
ALTER TABLE customers DROP COLUMN note;
SQL
show --dir "$dir" verify 2>&1 || echo "(exit $?)"
show --dir "$dir" schema 2>&1
show --dir "$dir" -q up
show --dir "$dir" verify 2>&1
echo
echo "== demo done; the server is stopped and removed"
