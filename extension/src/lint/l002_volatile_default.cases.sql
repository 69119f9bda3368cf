-- l002_volatile_default.cases.sql: the cases of rule L002 volatile-default (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: a DEFAULT calling a volatile function
ALTER TABLE orders ADD COLUMN token uuid DEFAULT gen_random_uuid();

-- fires: a serial column
ALTER TABLE orders ADD COLUMN seq bigserial;

-- fires: an identity column
ALTER TABLE orders ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY;

-- fires: a stored generated column
ALTER TABLE orders ADD COLUMN double_amount int GENERATED ALWAYS AS (amount * 2) STORED;

-- silent: a stable default is evaluated once
ALTER TABLE orders ADD COLUMN created timestamptz DEFAULT now();

-- silent: no default, then a default for new rows only
ALTER TABLE orders ADD COLUMN token uuid;
ALTER TABLE orders ALTER COLUMN token SET DEFAULT gen_random_uuid();

-- silent: a table created in the same body
CREATE TABLE shipments (id bigint PRIMARY KEY);
ALTER TABLE shipments ADD COLUMN token uuid DEFAULT gen_random_uuid();
