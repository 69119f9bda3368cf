-- l001_not_null_column_without_default.cases.sql: the cases of rule L001 not-null-column-without-default (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: NOT NULL without DEFAULT on an existing table
ALTER TABLE orders ADD COLUMN region text NOT NULL;

-- fires: PRIMARY KEY implies NOT NULL; DEFAULT NULL is no default
ALTER TABLE customers ADD COLUMN code text PRIMARY KEY DEFAULT NULL;

-- silent: a constant default
ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';

-- silent: nullable first
ALTER TABLE orders ADD COLUMN region text;

-- silent: an identity column fills existing rows
ALTER TABLE orders ADD COLUMN seq bigint NOT NULL GENERATED ALWAYS AS IDENTITY;

-- silent: a table created in the same body
CREATE TABLE shipments (id bigint PRIMARY KEY);
ALTER TABLE shipments ADD COLUMN carrier text NOT NULL;
