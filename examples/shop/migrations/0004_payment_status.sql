-- pgmig:revision 0004_payment_status
-- pgmig:parents  0003_orders
-- pgmig:branch   billing
-- pgmig:message  payment status enum (the down body drops the type too)
CREATE TYPE payment_status AS ENUM ('pending', 'paid', 'refunded');
ALTER TABLE orders ADD COLUMN status payment_status NOT NULL DEFAULT 'pending';

-- pgmig:down
ALTER TABLE orders DROP COLUMN status;
DROP TYPE payment_status;
