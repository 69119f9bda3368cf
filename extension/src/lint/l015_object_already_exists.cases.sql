-- l015_object_already_exists.cases.sql: the cases of rule L015 object-already-exists (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- setup:
CREATE VIEW l015_open_orders AS SELECT id FROM orders WHERE status = 'new';
CREATE INDEX l015_orders_status_idx ON orders (status);

-- fires: CREATE TABLE of a table that exists
CREATE TABLE customers (id bigint PRIMARY KEY);

-- fires: a named index whose name is taken
CREATE INDEX CONCURRENTLY customers_pkey ON customers (id);

-- fires: CREATE TYPE of a type that exists
CREATE TYPE order_status AS ENUM ('new', 'paid');

-- fires: CREATE SCHEMA of a schema that exists
CREATE SCHEMA public;

-- fires: CREATE VIEW of a view that exists
CREATE VIEW l015_open_orders AS SELECT id FROM orders WHERE status = 'new';

-- silent: IF NOT EXISTS
CREATE TABLE IF NOT EXISTS customers (id bigint PRIMARY KEY);

-- silent: dropped earlier in the body
DROP TABLE customers;
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);

-- silent: an index dropped earlier in the body
DROP INDEX l015_orders_status_idx;
CREATE INDEX l015_orders_status_idx ON orders (status, id);

-- silent: a view dropped earlier in the body
DROP VIEW l015_open_orders;
CREATE VIEW l015_open_orders AS SELECT id, status FROM orders;

-- silent: a table renamed away earlier in the body
ALTER TABLE customers RENAME TO customers_old;
CREATE TABLE customers (id bigint PRIMARY KEY);

-- silent: OR REPLACE
CREATE OR REPLACE VIEW l015_open_orders AS SELECT id FROM orders WHERE status = 'new';

-- silent: a new name
CREATE TABLE invoices (id bigint PRIMARY KEY);
