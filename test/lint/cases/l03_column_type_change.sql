-- L003: int -> bigint rewrites the table
ALTER TABLE orders ALTER COLUMN amount TYPE bigint;
