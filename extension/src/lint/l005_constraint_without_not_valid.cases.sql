-- l005_constraint_without_not_valid.cases.sql: the cases of rule L005 constraint-without-not-valid (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: a foreign key without NOT VALID
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers;

-- fires: a CHECK without NOT VALID
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);

-- fires: ADD COLUMN ... REFERENCES (a column constraint cannot be NOT VALID)
ALTER TABLE orders ADD COLUMN payer_id bigint REFERENCES customers;

-- silent: NOT VALID, then VALIDATE
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk
  FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;

-- silent: a table created in the same body
CREATE TABLE shipments (id bigint PRIMARY KEY, order_id bigint);
ALTER TABLE shipments ADD CONSTRAINT shipments_order_fk FOREIGN KEY (order_id) REFERENCES orders;
