-- pgmig:revision 0001_customers
-- pgmig:message  customers
CREATE TABLE customers (
	id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	email      text NOT NULL UNIQUE,
	created_at timestamptz NOT NULL DEFAULT now()
);

-- pgmig:down
DROP TABLE customers;
