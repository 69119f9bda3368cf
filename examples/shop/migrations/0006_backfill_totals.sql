-- pgmig:revision 0006_backfill_totals
-- pgmig:parents  0005_invoices
-- pgmig:message  backfill order totals (data migration)
UPDATE orders o SET total_cents = o.quantity * p.price_cents
  FROM products p WHERE p.id = o.product_id AND o.total_cents IS NULL;
ALTER TABLE orders ALTER COLUMN total_cents SET NOT NULL;

-- pgmig:down
ALTER TABLE orders ALTER COLUMN total_cents DROP NOT NULL;
