-- L004 safe: the table is created by the same revision
CREATE TABLE refunds (id bigint PRIMARY KEY, order_id bigint);
CREATE INDEX refunds_order_idx ON refunds (order_id);
