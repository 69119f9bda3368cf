-- L014: customers.name is NOT NULL without a default (only the catalog knows)
INSERT INTO customers (id, email) VALUES (1, 'a@example.com');
