-- pgmig:revision 0003_orders
-- pgmig:parents  0002_products
-- pgmig:message  orders with foreign keys
CREATE TABLE orders (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES customers,
	product_id  bigint NOT NULL REFERENCES products,
	quantity    integer NOT NULL CHECK (quantity > 0),
	total_cents integer
);
CREATE INDEX orders_customer_idx ON orders (customer_id);

-- pgmig:down
DROP TABLE orders;
