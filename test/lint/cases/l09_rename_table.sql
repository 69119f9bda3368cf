-- L009
ALTER TABLE orders RENAME TO purchases;
