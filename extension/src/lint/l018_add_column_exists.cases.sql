-- l018_add_column_exists.cases.sql: the cases of rule L018 add-column-exists (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: ADD COLUMN of a column the table has
ALTER TABLE customers ADD COLUMN email text;

-- fires: the existing column has another type
ALTER TABLE orders ADD COLUMN note varchar(50);

-- fires: a column added earlier in the body
ALTER TABLE orders ADD COLUMN region text;
ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';

-- fires: twice in one ALTER TABLE
ALTER TABLE orders ADD COLUMN region text, ADD COLUMN region text;

-- fires: a column of a table created earlier in the body
CREATE TABLE shipments (id bigint PRIMARY KEY, carrier text);
ALTER TABLE shipments ADD COLUMN carrier varchar(20);

-- fires: a column renamed to that name earlier in the body
ALTER TABLE orders RENAME COLUMN note TO remark;
ALTER TABLE orders ADD COLUMN remark text;

-- silent: a new column
ALTER TABLE customers ADD COLUMN phone text;

-- silent: ADD COLUMN IF NOT EXISTS (L017 checks its shape)
ALTER TABLE customers ADD COLUMN IF NOT EXISTS email text;

-- silent: the column dropped earlier in the body
ALTER TABLE orders DROP COLUMN note;
ALTER TABLE orders ADD COLUMN note text;

-- silent: dropped and added again in one ALTER TABLE
ALTER TABLE orders DROP COLUMN amount, ADD COLUMN amount bigint;

-- silent: the column renamed away earlier in the body
ALTER TABLE orders RENAME COLUMN note TO note_old;
ALTER TABLE orders ADD COLUMN note text;

-- silent: a table that does not exist
ALTER TABLE invoices ADD COLUMN email text;

-- silent: a table created earlier in the body without the column
CREATE TABLE shipments (id bigint PRIMARY KEY);
ALTER TABLE shipments ADD COLUMN carrier text;
