-- pgmig:revision 0005_invoices
-- pgmig:parents  0004_payment_status
-- pgmig:message  invoices
CREATE TABLE invoices (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	order_id  bigint NOT NULL UNIQUE REFERENCES orders ON DELETE CASCADE,
	issued_at timestamptz NOT NULL DEFAULT now()
);

-- pgmig:down
DROP TABLE invoices;
