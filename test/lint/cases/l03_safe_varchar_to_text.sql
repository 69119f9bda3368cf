-- L003 safe: varchar(n) -> text is binary-coercible, no rewrite
ALTER TABLE orders ALTER COLUMN note TYPE text;
