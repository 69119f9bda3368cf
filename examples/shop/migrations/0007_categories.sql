-- pgmig:revision 0007_categories
-- pgmig:parents  0003_orders
-- pgmig:branch   catalog
-- pgmig:message  categories
CREATE TABLE categories (
	id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name text NOT NULL UNIQUE
);
INSERT INTO categories (name) VALUES ('kitchen'), ('clothing');

-- pgmig:down
DROP TABLE categories;
