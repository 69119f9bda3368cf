-- schema: mig_schema(), the schema as SQL in an order that loads
-- (schema.cpp, schema_order.cpp).  One block per object, in PostgreSQL's
-- words, sorted by phase, kind and identity, moved only by a dependency;
-- objects another statement creates have no block; the text does not
-- depend on the session's settings.  The load itself (the file into an
-- empty database) is test/t/038_client_schema.
CREATE EXTENSION pgmig;
SET client_min_messages = warning;

-- An empty database: nothing (the public schema as every database has it).
SELECT count(*) FROM pgmig.mig_schema();

CREATE SCHEMA ms;
CREATE TYPE ms.status AS ENUM ('new', 'it''s paid');
CREATE DOMAIN ms.price AS numeric(10, 2) NOT NULL CHECK (VALUE >= 0);
CREATE DOMAIN ms.big_price AS ms.price CHECK (VALUE > 100);
CREATE TYPE ms.pair AS (amount ms.price, note text COLLATE "C");
CREATE FUNCTION ms.tax(numeric) RETURNS numeric LANGUAGE sql IMMUTABLE AS 'SELECT $1 * 0.2';
CREATE TABLE ms.customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text NOT NULL UNIQUE);
CREATE TABLE ms.orders (
	id serial PRIMARY KEY,
	customer_id bigint NOT NULL REFERENCES ms.customer (id) ON DELETE CASCADE,
	status ms.status NOT NULL DEFAULT 'new',
	total ms.price,
	tax numeric GENERATED ALWAYS AS (ms.tax(total)) STORED,
	placed timestamptz DEFAULT '2026-01-02 03:04:05+00',
	CHECK (total < 1000000) NOT VALID);
CREATE INDEX orders_open ON ms.orders (customer_id) WHERE status = 'new';
COMMENT ON TABLE ms.orders IS 'one row per order';
COMMENT ON COLUMN ms.orders.total IS 'in euros';
-- a view on a view whose name sorts after it
CREATE VIEW ms.z_open AS SELECT id, total FROM ms.orders WHERE status = 'new';
CREATE VIEW ms.a_open_total AS SELECT sum(total) AS total FROM ms.z_open;
CREATE MATERIALIZED VIEW ms.per_customer AS SELECT customer_id, count(*) FROM ms.orders GROUP BY 1;
CREATE INDEX per_customer_id ON ms.per_customer (customer_id);
CREATE FUNCTION ms.touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN NEW.placed := now(); RETURN NEW; END$$;
CREATE TRIGGER orders_touch BEFORE UPDATE ON ms.orders FOR EACH ROW EXECUTE FUNCTION ms.touch();
ALTER TABLE ms.orders DISABLE TRIGGER orders_touch;
ALTER TABLE ms.orders ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON ms.orders FOR SELECT TO PUBLIC USING (customer_id > 0);
CREATE TABLE ms.events (id int, at date NOT NULL) PARTITION BY RANGE (at);
CREATE TABLE ms.events_2026 PARTITION OF ms.events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
ALTER TABLE ms.events ADD PRIMARY KEY (id, at);
CREATE TABLE ms.parent (a int CHECK (a > 0));
CREATE TABLE ms.child (b int) INHERITS (ms.parent);
-- collations, extended statistics, rules, replica identity, column privileges
CREATE COLLATION ms.ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
CREATE TABLE ms.tag (name text COLLATE ms.ci NOT NULL, a int, b int);
CREATE UNIQUE INDEX tag_name ON ms.tag (name);
ALTER TABLE ms.tag REPLICA IDENTITY USING INDEX tag_name;
ALTER TABLE ms.child REPLICA IDENTITY FULL;
CREATE STATISTICS ms.tag_ab (dependencies, ndistinct) ON a, b FROM ms.tag;
CREATE RULE tag_no_negative AS ON INSERT TO ms.tag WHERE NEW.a < 0 DO INSTEAD NOTHING;
ALTER TABLE ms.tag DISABLE RULE tag_no_negative;
CREATE ROLE ms_reader NOLOGIN;
GRANT SELECT (a, b), UPDATE (b) ON ms.tag TO ms_reader;
GRANT USAGE ON SCHEMA ms TO ms_reader;
GRANT SELECT ON ms.orders TO ms_reader WITH GRANT OPTION;
REVOKE EXECUTE ON FUNCTION ms.tax(numeric) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ms.tax(numeric) TO ms_reader;

\pset format unaligned
\pset tuples_only on
SELECT '-- ' || kind || ' ' || identity || E'\n' || statement || E'\n' FROM pgmig.mig_schema();
\pset format aligned
\pset tuples_only off

-- The text does not follow the session: a hostile search_path, another
-- DateStyle, TimeZone and float digits, every identifier quoted.
CREATE TEMP TABLE first_text AS
	SELECT string_agg(kind || identity || statement, '|' ORDER BY o) AS t
	  FROM pgmig.mig_schema() WITH ORDINALITY AS s(kind, identity, statement, o);
CREATE FUNCTION ms.format_type(oid, integer) RETURNS text LANGUAGE sql AS $$SELECT 'hijacked'$$;
SET search_path = ms, public;
SET DateStyle = 'German, DMY';
SET TimeZone = 'Asia/Tokyo';
SET extra_float_digits = 3;
SET quote_all_identifiers = on;
SELECT s.t = (SELECT f.t FROM first_text f) AS same_text
  FROM (SELECT string_agg(kind || identity || statement, '|' ORDER BY o) AS t
          FROM pgmig.mig_schema() WITH ORDINALITY AS s(kind, identity, statement, o)
         WHERE identity <> 'ms.format_type(oid,integer)') s;
RESET ALL;
SET client_min_messages = warning;
DROP FUNCTION ms.format_type(oid, integer);

-- Who may call it: pgmig_reader, not PUBLIC.
CREATE ROLE ms_nobody NOLOGIN;
CREATE ROLE ms_inspector NOLOGIN IN ROLE pgmig_reader;
SET ROLE ms_nobody;
SELECT count(*) FROM pgmig.mig_schema();
RESET ROLE;
SET ROLE ms_inspector;
SELECT count(*) > 0 AS reads FROM pgmig.mig_schema();
RESET ROLE;

DROP ROLE ms_nobody, ms_inspector;
DROP SCHEMA ms CASCADE;
DROP ROLE ms_reader;
DROP EXTENSION pgmig;
