-- examples/shop/revisions.sql — a small shop schema as pgmig revisions,
-- uploaded from psql.  Two branches grow from 0003: "billing" (invoices,
-- payment status enum, backfill) and "catalog" (categories, product FK).
-- merge.sql joins them.  Each revision has a down body.

SELECT revision, action FROM pgmig.mig_upload('0001_customers', $up$
CREATE TABLE customers (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email      text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now()
);
$up$, down => 'DROP TABLE customers;', message => 'customers');

SELECT revision, action FROM pgmig.mig_upload('0002_products', $up$
CREATE TABLE products (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sku         text NOT NULL UNIQUE,
	name        text NOT NULL,
	price_cents integer NOT NULL CHECK (price_cents >= 0)
);
INSERT INTO products (sku, name, price_cents) VALUES ('MUG-1', 'Mug', 900), ('TEE-1', 'T-shirt', 1900);
$up$, parents => '{0001_customers}', down => 'DROP TABLE products;', message => 'products with two seed rows');

SELECT revision, action FROM pgmig.mig_upload('0003_orders', $up$
CREATE TABLE orders (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES customers,
	product_id  bigint NOT NULL REFERENCES products,
	quantity    integer NOT NULL CHECK (quantity > 0),
	total_cents integer
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
$up$, parents => '{0002_products}', down => 'DROP TABLE orders;', message => 'orders with foreign keys');

-- branch "billing"
SELECT revision, action FROM pgmig.mig_upload('0004_payment_status', $up$
CREATE TYPE payment_status AS ENUM ('pending', 'paid', 'refunded');
ALTER TABLE orders ADD COLUMN status payment_status NOT NULL DEFAULT 'pending';
$up$, parents => '{0003_orders}', branch_labels => '{billing}',
   down => $down$
ALTER TABLE orders DROP COLUMN status;
DROP TYPE payment_status;
$down$, message => 'payment status enum (the down body drops the type too)');

SELECT revision, action FROM pgmig.mig_upload('0005_invoices', $up$
CREATE TABLE invoices (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	order_id  bigint NOT NULL UNIQUE REFERENCES orders ON DELETE CASCADE,
	issued_at timestamptz NOT NULL DEFAULT now()
);
$up$, parents => '{0004_payment_status}', down => 'DROP TABLE invoices;', message => 'invoices');

SELECT revision, action FROM pgmig.mig_upload('0006_backfill_totals', $up$
UPDATE orders o SET total_cents = o.quantity * p.price_cents FROM products p WHERE p.id = o.product_id AND o.total_cents IS NULL;
ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;
$up$, parents => '{0005_invoices}',
   down => 'ALTER TABLE orders ALTER COLUMN total_cents DROP NOT NULL;', message => 'backfill order totals (data migration)');

-- branch "catalog"
SELECT revision, action FROM pgmig.mig_upload('0007_categories', $up$
CREATE TABLE categories (
	id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE
);
INSERT INTO categories (name) VALUES ('kitchen'), ('clothing');
$up$, parents => '{0003_orders}', branch_labels => '{catalog}', down => 'DROP TABLE categories;', message => 'categories');

SELECT revision, action FROM pgmig.mig_upload('0008_product_category', $up$
ALTER TABLE products ADD COLUMN category_id bigint REFERENCES categories;
UPDATE products SET category_id = (SELECT id FROM categories WHERE name = 'kitchen') WHERE sku = 'MUG-1';
UPDATE products SET category_id = (SELECT id FROM categories WHERE name = 'clothing') WHERE sku = 'TEE-1';
$up$, parents => '{0007_categories}', down => 'ALTER TABLE products DROP COLUMN category_id;',
   message => 'product -> category foreign key, backfilled');

SELECT revision, action FROM pgmig.mig_upload('0009_category_slug', $up$
ALTER TABLE categories ADD COLUMN slug text;
UPDATE categories SET slug = lower(name);
ALTER TABLE categories ALTER COLUMN slug SET NOT NULL;
$up$, parents => '{0008_product_category}', down => 'ALTER TABLE categories DROP COLUMN slug;', message => 'category slugs');
