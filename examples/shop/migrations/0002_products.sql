-- pgmig:revision 0002_products
-- pgmig:parents  0001_customers
-- pgmig:message  products with two seed rows
CREATE TABLE products (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	sku         text NOT NULL UNIQUE,
	name        text NOT NULL,
	price_cents integer NOT NULL CHECK (price_cents >= 0)
);
INSERT INTO products (sku, name, price_cents) VALUES ('MUG-1', 'Mug', 900), ('TEE-1', 'T-shirt', 1900);

-- pgmig:down
DROP TABLE products;
