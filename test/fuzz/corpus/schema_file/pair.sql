-- x

SET check_function_bodies = false;

-- table a.b
CREATE TABLE a.b ();

-- view a.v
CREATE VIEW a.v AS
 SELECT 1;
-- y

SET check_function_bodies = false;

-- table a.b
CREATE TABLE a.b (x int);
