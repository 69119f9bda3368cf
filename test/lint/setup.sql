-- test/lint/setup.sql: the "deployed" schema the comparison cases are linted
-- against (scripts/lint_compare.sh loads it into a scratch database).  The
-- catalog-aware pgmig rules (L013-L018) and every "existing table"
-- rule need these objects; squawk sees only the case files.
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL, email text);
CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, amount int, note varchar(10), status text);
CREATE TYPE order_status AS ENUM ('new', 'paid');
