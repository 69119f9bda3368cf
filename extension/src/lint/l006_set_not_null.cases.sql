-- l006_set_not_null.cases.sql: the cases of rule L006 set-not-null (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: SET NOT NULL on an existing table
ALTER TABLE orders ALTER COLUMN status SET NOT NULL;

-- silent: the CHECK ... NOT VALID route until its last step
ALTER TABLE orders ADD CONSTRAINT orders_status_nn CHECK (status IS NOT NULL) NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_status_nn;

-- silent: a table created in the same body
CREATE TABLE shipments (id bigint PRIMARY KEY, carrier text);
ALTER TABLE shipments ALTER COLUMN carrier SET NOT NULL;
