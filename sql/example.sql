-- example: the project in examples/shop, as make demo runs it
CREATE EXTENSION pgmig;
\set QUIET on
\i examples/shop/revisions.sql
\set QUIET off
SELECT revision, applied, branch_labels FROM pgmig.mig_heads();
SELECT * FROM pgmig.mig_apply();
\i examples/shop/merge.sql
SELECT revision, applied FROM pgmig.mig_heads();
SET client_min_messages = warning;
SELECT revision, statements FROM pgmig.mig_apply('0003_orders');
INSERT INTO customers (email) VALUES ('ann@example.com');
INSERT INTO orders (customer_id, product_id, quantity) VALUES (1, 1, 2);
SELECT revision, statements FROM pgmig.mig_apply();
SELECT email, product, category, quantity, total_cents, status FROM order_report;
-- down to 0003 and up again: the same schema both times (nothing left behind)
CREATE TEMP TABLE fingerprint AS
SELECT 'after apply' AS at, md5(string_agg(format('%s.%s %s', table_name, column_name, data_type), ',' ORDER BY table_name, column_name)) AS columns,
       (SELECT count(*) FROM pg_type WHERE typname = 'payment_status') AS enums
  FROM information_schema.columns WHERE table_schema = 'public';
SELECT revision FROM pgmig.mig_downgrade('0003_orders');
SELECT count(*) AS enums_left FROM pg_type WHERE typname = 'payment_status';
SELECT revision FROM pgmig.mig_apply();
INSERT INTO fingerprint
SELECT 'after re-apply', md5(string_agg(format('%s.%s %s', table_name, column_name, data_type), ',' ORDER BY table_name, column_name)),
       (SELECT count(*) FROM pg_type WHERE typname = 'payment_status')
  FROM information_schema.columns WHERE table_schema = 'public';
SELECT count(DISTINCT (columns, enums)) AS distinct_schemas FROM fingerprint;
RESET client_min_messages;
SELECT current, heads, applied, pending FROM pgmig.mig_status();
SELECT kind, count(*) FROM pgmig.mig_history() GROUP BY kind ORDER BY kind;
DROP EXTENSION pgmig;
DROP VIEW order_report;
DROP TABLE invoices, orders, products, categories, customers;
DROP TYPE payment_status;
