-- L001/L002 safe: a constant default (no rewrite since PostgreSQL 11)
ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';
