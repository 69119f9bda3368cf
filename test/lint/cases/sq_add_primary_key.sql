-- squawk-only: ADD PRIMARY KEY builds an index under ACCESS EXCLUSIVE
CREATE TABLE tags (id bigint, name text);
ALTER TABLE customers ADD COLUMN tag_id bigint;
ALTER TABLE tags ADD PRIMARY KEY (id);
