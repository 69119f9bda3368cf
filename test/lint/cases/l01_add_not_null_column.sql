-- L001: a NOT NULL column without a default on a table that has rows
ALTER TABLE orders ADD COLUMN region text NOT NULL;
