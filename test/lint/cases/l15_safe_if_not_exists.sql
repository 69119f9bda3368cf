-- L015 safe
CREATE TABLE IF NOT EXISTS customers (id bigint PRIMARY KEY, name text NOT NULL);
