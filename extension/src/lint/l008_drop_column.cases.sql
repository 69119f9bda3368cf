-- l008_drop_column.cases.sql: the cases of rule L008 drop-column (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: DROP COLUMN of an existing table
ALTER TABLE orders DROP COLUMN note;

-- silent: a table created in the same body
CREATE TABLE shipments (id bigint PRIMARY KEY, carrier text);
ALTER TABLE shipments DROP COLUMN carrier;

-- silent: suppressed for the whole body
-- pgmig-lint: ignore-file L008 the application stopped using note in release 40
ALTER TABLE orders DROP COLUMN note;
