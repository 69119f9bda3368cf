-- l007_drop_table.cases.sql: the cases of rule L007 drop-table (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: DROP TABLE of an existing table
DROP TABLE orders;

-- fires: a table that does not exist now (an earlier revision may create it)
DROP TABLE IF EXISTS archive_2019;

-- silent: a table created in the same body
CREATE TABLE scratch (id int);
DROP TABLE scratch;

-- silent: suppressed, with a reason
-- pgmig-lint: ignore drop-table archived to cold storage in release 41
DROP TABLE orders;
