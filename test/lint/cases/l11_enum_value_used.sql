-- L011: the new value cannot be used before ADD VALUE commits (55P04)
ALTER TYPE order_status ADD VALUE 'refunded';
UPDATE orders SET status = 'refunded' WHERE status = 'cancelled';
SELECT 'refunded'::order_status;
