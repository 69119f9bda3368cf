-- pgmig:revision 0009_category_slug
-- pgmig:parents  0008_product_category
-- pgmig:message  category slugs
ALTER TABLE categories ADD COLUMN slug text;
UPDATE categories SET slug = lower(name);
ALTER TABLE categories ALTER COLUMN slug SET NOT NULL;

-- pgmig:down
ALTER TABLE categories DROP COLUMN slug;
