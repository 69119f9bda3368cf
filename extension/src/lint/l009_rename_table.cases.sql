-- l009_rename_table.cases.sql: the cases of rule L009 rename-table (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: RENAME TO of an existing table
ALTER TABLE orders RENAME TO purchases;

-- silent: a table created in the same body
CREATE TABLE scratch (id int);
ALTER TABLE scratch RENAME TO staging;

-- silent: renaming a column is L010's
ALTER TABLE orders RENAME COLUMN note TO remark;
