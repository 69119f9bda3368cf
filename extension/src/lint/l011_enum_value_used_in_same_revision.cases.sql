-- l011_enum_value_used_in_same_revision.cases.sql: the cases of rule L011 enum-value-used-in-same-revision (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: the value added by statement 1 is used by statement 2
ALTER TYPE order_status ADD VALUE 'refunded';
UPDATE orders SET status = 'refunded' WHERE status = 'paid';

-- silent: a label the type already has is not new
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'paid';
UPDATE orders SET status = 'paid' WHERE status = 'new';

-- silent: AFTER 'v' and COMMENT are not uses
ALTER TYPE order_status ADD VALUE 'refunded';
ALTER TYPE order_status ADD VALUE 'disputed' AFTER 'refunded';
COMMENT ON TYPE order_status IS 'refunded';

-- silent: the same text in a comment
ALTER TYPE order_status ADD VALUE 'refunded';
-- 'refunded' is used from the next revision on
SELECT 1;
