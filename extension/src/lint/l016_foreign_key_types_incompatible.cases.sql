-- l016_foreign_key_types_incompatible.cases.sql: the cases of rule L016 foreign-key-types-incompatible (rule.hpp).
-- test/t/028_lint_registry.pl lints each body below with pgmig.mig_lint in a
-- database holding test/lint/setup.sql (tables customers, orders, enum
-- order_status) and this file's "-- setup:" part, if any.  A body starts at
-- a line "-- fires: <what>" (the rule must report it) or "-- silent: <what>"
-- (a nearby safe form: the rule must not report it) and runs to the next
-- such line.  The first "fires" case is the example of docs/lint.md.

-- fires: an integer column referencing a uuid key created earlier in the body
CREATE TABLE accounts (id uuid PRIMARY KEY);
CREATE TABLE sessions (id bigint PRIMARY KEY, account_id int REFERENCES accounts);

-- fires: ADD COLUMN ... REFERENCES with a text column to a bigint key
ALTER TABLE orders ADD COLUMN payer text REFERENCES customers;

-- fires: ADD CONSTRAINT ... FOREIGN KEY from text to bigint
ALTER TABLE orders ADD CONSTRAINT orders_status_fk FOREIGN KEY (status) REFERENCES customers NOT VALID;

-- silent: int referencing bigint can be built (L013's warning, not this error)
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id int REFERENCES customers);

-- silent: varchar referencing text compares through text's operators
CREATE TABLE codes (code text PRIMARY KEY);
CREATE TABLE uses (code varchar(20) REFERENCES codes);

-- silent: bigint referencing int uses the integer family's cross-type operator
CREATE TABLE small_keys (id int PRIMARY KEY);
CREATE TABLE big_refs (small_id bigint REFERENCES small_keys);

-- silent: int referencing numeric coerces implicitly to numeric
CREATE TABLE amounts (value numeric PRIMARY KEY);
CREATE TABLE amount_refs (value int REFERENCES amounts);

-- silent: timestamp referencing timestamptz uses the datetime family's cross-type operator
CREATE TABLE moments (at timestamptz PRIMARY KEY);
CREATE TABLE moment_refs (at timestamp REFERENCES moments);
