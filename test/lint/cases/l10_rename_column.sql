-- L010
ALTER TABLE orders RENAME COLUMN note TO remark;
