-- L012: LOCK TABLE defaults to ACCESS EXCLUSIVE
LOCK TABLE orders;
UPDATE orders SET amount = 0 WHERE amount IS NULL;
