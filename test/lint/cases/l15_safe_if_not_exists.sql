-- L015 safe: IF NOT EXISTS adopting a table of exactly this shape (L017 checks the shape)
CREATE TABLE IF NOT EXISTS customers (id bigint PRIMARY KEY, name text NOT NULL, email text);
