-- L004: a plain CREATE INDEX blocks writes
CREATE INDEX orders_status_idx ON orders (status);
