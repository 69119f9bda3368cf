-- pgmig:revision 0011_orders_status_idx
-- pgmig:parents  0010_merge
-- pgmig:message  index orders by status without blocking writes (run by the client, outside a transaction)
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);

-- pgmig:down
DROP INDEX CONCURRENTLY orders_status_idx;
