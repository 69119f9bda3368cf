-- pgmig:revision 0008_product_category
-- pgmig:parents  0007_categories
-- pgmig:message  product -> category foreign key, backfilled
ALTER TABLE products ADD COLUMN category_id bigint REFERENCES categories;
UPDATE products SET category_id = (SELECT id FROM categories WHERE name = 'kitchen') WHERE sku = 'MUG-1';
UPDATE products SET category_id = (SELECT id FROM categories WHERE name = 'clothing') WHERE sku = 'TEE-1';

-- pgmig:down
ALTER TABLE products DROP COLUMN category_id;
