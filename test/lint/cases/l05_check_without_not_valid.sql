-- L005: a CHECK scans the table under ACCESS EXCLUSIVE
ALTER TABLE orders ADD CONSTRAINT orders_amount_positive CHECK (amount > 0);
