-- l012_lock_access_exclusive.cases.sql: the cases of rule L012 lock-access-exclusive (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: LOCK TABLE alone means ACCESS EXCLUSIVE
LOCK TABLE orders;

-- fires: ACCESS EXCLUSIVE written out
LOCK TABLE orders, customers IN ACCESS EXCLUSIVE MODE;

-- silent: a weaker mode
LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;

-- silent: a table created in the same body
CREATE TABLE scratch (id int);
LOCK TABLE scratch;
