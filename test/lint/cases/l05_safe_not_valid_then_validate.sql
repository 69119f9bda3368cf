-- L005 safe: NOT VALID, then VALIDATE (no write lock)
ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers NOT VALID;
ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;
