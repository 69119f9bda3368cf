-- L013: int column referencing a bigint key (the key's type is only in the catalog)
CREATE TABLE invoices (id bigint PRIMARY KEY, customer_id int REFERENCES customers);
