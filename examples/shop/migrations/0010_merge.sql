-- pgmig:revision 0010_merge
-- pgmig:parents  0006_backfill_totals 0009_category_slug
-- pgmig:message  merge billing and catalog: the order report needs both
CREATE VIEW order_report AS
SELECT o.id, c.email, p.name AS product, cat.slug AS category, o.quantity, o.total_cents, o.status
  FROM orders o JOIN customers c ON c.id = o.customer_id
  JOIN products p ON p.id = o.product_id LEFT JOIN categories cat ON cat.id = p.category_id;

-- pgmig:down
DROP VIEW order_report;
