-- l014_insert_missing_not_null.cases.sql: the cases of rule L014 insert-missing-not-null (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: a column list without the NOT NULL column "name"
INSERT INTO customers (id, email) VALUES (1, 'a@example.com');

-- fires: DEFAULT VALUES
INSERT INTO customers DEFAULT VALUES;

-- silent: every required column given
INSERT INTO customers (id, name) VALUES (1, 'Ada');

-- silent: no column list is not checked
INSERT INTO customers VALUES (1, 'Ada', 'ada@example.com');
