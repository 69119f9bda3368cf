-- l010_rename_column.cases.sql: the cases of rule L010 rename-column (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: RENAME COLUMN of an existing table
ALTER TABLE orders RENAME COLUMN note TO remark;

-- silent: a table created in the same body
CREATE TABLE shipments (id bigint PRIMARY KEY, carrier text);
ALTER TABLE shipments RENAME COLUMN carrier TO shipper;

-- silent: add the new column instead
ALTER TABLE orders ADD COLUMN remark varchar(10);
