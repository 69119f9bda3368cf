-- l003_column_type_change.cases.sql: the cases of rule L003 column-type-change (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: int to bigint rewrites the table
ALTER TABLE orders ALTER COLUMN amount TYPE bigint;

-- fires: USING always rewrites
ALTER TABLE orders ALTER COLUMN note TYPE varchar(10) USING upper(note);

-- fires: a shorter varchar limit
ALTER TABLE orders ALTER COLUMN note TYPE varchar(5);

-- silent: varchar(n) to text is a relabeling
ALTER TABLE orders ALTER COLUMN note TYPE text;

-- silent: a longer varchar limit
ALTER TABLE orders ALTER COLUMN note TYPE varchar(20);

-- silent: a table created in the same body
CREATE TABLE shipments (id int PRIMARY KEY);
ALTER TABLE shipments ALTER COLUMN id TYPE bigint;
