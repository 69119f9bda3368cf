-- L015: customers exists already (created outside migrations?)
CREATE TABLE customers (id bigint PRIMARY KEY, name text NOT NULL);
