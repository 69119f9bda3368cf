-- l004_index_without_concurrently.cases.sql: the cases of rule L004 index-without-concurrently (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- setup:
CREATE TABLE l004_events (id int, at date) PARTITION BY RANGE (at);

-- fires: a plain index build on an existing table
CREATE INDEX orders_status_idx ON orders (status);

-- fires: a partitioned table (the hint gives the ON ONLY route)
CREATE INDEX ON l004_events (at);

-- silent: CONCURRENTLY
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);

-- silent: a table created in the same body
CREATE TABLE shipments (id bigint PRIMARY KEY, carrier text);
CREATE INDEX ON shipments (carrier);

-- silent: suppressed, with a reason
-- pgmig-lint: ignore L004 orders is empty in every environment
CREATE INDEX orders_status_idx ON orders (status);
