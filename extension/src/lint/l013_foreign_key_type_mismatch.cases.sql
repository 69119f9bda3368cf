-- l013_foreign_key_type_mismatch.cases.sql: the cases of rule L013 foreign-key-type-mismatch (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: an int column referencing a bigint key
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id int REFERENCES customers);

-- fires: a table FOREIGN KEY to a table created earlier in the body
CREATE TABLE carriers (code bigint PRIMARY KEY);
CREATE TABLE shipments (id bigint PRIMARY KEY, carrier int, FOREIGN KEY (carrier) REFERENCES carriers);

-- fires: ADD CONSTRAINT ... FOREIGN KEY
ALTER TABLE orders ADD CONSTRAINT orders_amount_fk FOREIGN KEY (amount) REFERENCES customers NOT VALID;

-- fires: ADD COLUMN ... REFERENCES with another type
ALTER TABLE orders ADD COLUMN payer int REFERENCES customers;

-- silent: ADD COLUMN ... REFERENCES with the referenced type
ALTER TABLE orders ADD COLUMN payer bigint REFERENCES customers;

-- silent: the referenced type
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers);

-- silent: a domain over the referenced type
CREATE DOMAIN customer_ref AS bigint;
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id customer_ref REFERENCES customers (id));
