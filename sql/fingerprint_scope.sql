-- fingerprint_scope: each apply records what it changed from the objects it
-- touched (0.7, fingerprint.hpp), not from a fingerprint of the whole schema
-- before and after.  For every kind of DDL (and DDL run by EXECUTE in a DO
-- block) the record leaves nothing pgmig did as drift; renames of whole
-- objects fall back to the whole fingerprint; drift made by hand stays drift
-- whichever way the record was taken; and the scoped query prints exactly
-- the rows of the whole one.
CREATE EXTENSION pgmig;
SET client_min_messages = warning;
SELECT lint FROM pgmig.mig_set_policy(lint => 'off');
SELECT objects > 0 AS recorded FROM pgmig.mig_snapshot();

CREATE TEMP TABLE steps (n int PRIMARY KEY, body text NOT NULL);
INSERT INTO steps VALUES
	(1, $b$CREATE SCHEMA app; CREATE TABLE app.t (id int PRIMARY KEY, name text);$b$),
	(2, $b$ALTER TABLE app.t ADD COLUMN email text NOT NULL DEFAULT '';$b$),
	(3, $b$CREATE INDEX t_name_idx ON app.t (name);$b$),
	(4, $b$CREATE TABLE app.u (id int PRIMARY KEY, t_id int REFERENCES app.t (id));$b$),
	(5, $b$CREATE VIEW app.v AS SELECT id, name FROM app.t;$b$),
	(6, $b$ALTER TABLE app.t RENAME COLUMN name TO full_name;$b$),
	(7, $b$GRANT SELECT ON app.t TO pgmig_reader;$b$),
	(8, $b$REVOKE SELECT ON app.t FROM pgmig_reader; GRANT USAGE ON SCHEMA app TO pgmig_reader;$b$),
	(9, $b$CREATE TYPE app.mood AS ENUM ('sad', 'ok');$b$),
	(10, $b$ALTER TYPE app.mood ADD VALUE 'happy';$b$),
	(11, $b$ALTER TABLE app.t ADD COLUMN mood app.mood DEFAULT 'ok';$b$),
	(12, $b$ALTER TYPE app.mood RENAME VALUE 'ok' TO 'fine';$b$),
	(13, $b$CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1';$b$),
	(14, $b$CREATE OR REPLACE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 2';$b$),
	(15, $b$ALTER FUNCTION app.f(int) STABLE;$b$),
	(16, $b$GRANT EXECUTE ON FUNCTION app.f(int) TO pgmig_reader;$b$),
	(17, $b$CREATE SEQUENCE app.s; ALTER TABLE app.t ADD COLUMN n bigint DEFAULT nextval('app.s');$b$),
	(18, $b$ALTER SEQUENCE app.s OWNED BY app.t.n;$b$),
	(19, $b$ALTER SEQUENCE app.s INCREMENT 5;$b$),
	(20, $b$ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;$b$),
	(21, $b$CREATE POLICY p ON app.t USING (id > 0);$b$),
	(22, $b$ALTER POLICY p ON app.t RENAME TO p2;$b$),
	(23, $b$CREATE FUNCTION app.trg() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$; CREATE TRIGGER tr BEFORE INSERT ON app.t FOR EACH ROW EXECUTE FUNCTION app.trg();$b$),
	(24, $b$ALTER TABLE app.t DISABLE TRIGGER tr;$b$),
	(25, $b$ALTER TABLE app.t ADD CONSTRAINT t_id_pos CHECK (id > 0) NOT VALID;$b$),
	(26, $b$ALTER TABLE app.t VALIDATE CONSTRAINT t_id_pos;$b$),
	(27, $b$ALTER TABLE app.t RENAME CONSTRAINT t_id_pos TO t_id_positive;$b$),
	(28, $b$ALTER TABLE app.t ALTER COLUMN email DROP DEFAULT;$b$),
	(29, $b$ALTER TABLE app.t ALTER COLUMN email TYPE varchar(200);$b$),
	(30, $b$ALTER TABLE app.t ALTER COLUMN email DROP NOT NULL;$b$),
	(31, $b$ALTER TABLE app.t SET (fillfactor = 70);$b$),
	(32, $b$CREATE DOMAIN app.posint AS int CHECK (VALUE > 0);$b$),
	(33, $b$ALTER DOMAIN app.posint ADD CONSTRAINT big CHECK (VALUE < 1000000);$b$),
	(34, $b$ALTER DOMAIN app.posint SET DEFAULT 1;$b$),
	(35, $b$CREATE TYPE app.pair AS (a int, b text);$b$),
	(36, $b$ALTER TYPE app.pair ADD ATTRIBUTE c int;$b$),
	(37, $b$CREATE TABLE app.p (id int, k int) PARTITION BY RANGE (k); CREATE TABLE app.p1 PARTITION OF app.p FOR VALUES FROM (0) TO (10);$b$),
	(38, $b$CREATE TABLE app.p2 (id int, k int); ALTER TABLE app.p ATTACH PARTITION app.p2 FOR VALUES FROM (10) TO (20);$b$),
	(39, $b$ALTER TABLE app.p DETACH PARTITION app.p1;$b$),
	(40, $b$CREATE MATERIALIZED VIEW app.mv AS SELECT count(*) AS n FROM app.t;$b$),
	(41, $b$CREATE OR REPLACE VIEW app.v AS SELECT id, full_name AS name, email FROM app.t;$b$),
	(42, $b$DO $$BEGIN EXECUTE 'CREATE TABLE app.dyn (id int)'; END$$;$b$),
	(43, $b$ALTER TABLE app.dyn OWNER TO pgmig_reader;$b$),
	(44, $b$ALTER INDEX app.t_name_idx RENAME TO t_fullname_idx;$b$),
	(45, $b$ALTER TABLE app.u RENAME TO u2;$b$),
	(46, $b$ALTER TABLE app.dyn SET SCHEMA public;$b$),
	(47, $b$CREATE SCHEMA other; CREATE TABLE other.x (id int);$b$),
	(48, $b$ALTER SCHEMA other RENAME TO other2;$b$),
	(49, $b$DROP TABLE other2.x;$b$),
	(50, $b$DROP SCHEMA other2;$b$),
	(51, $b$COMMENT ON TABLE app.t IS 'hello';$b$),
	(52, $b$DROP VIEW app.v;$b$),
	(53, $b$ALTER TABLE app.t DROP COLUMN mood;$b$),
	(54, $b$DROP TYPE app.mood;$b$),
	(55, $b$DROP FUNCTION app.f(int);$b$),
	(56, $b$ALTER TABLE app.t DROP CONSTRAINT t_id_positive;$b$),
	(57, $b$DROP POLICY p2 ON app.t;$b$),
	(58, $b$DROP TRIGGER tr ON app.t;$b$),
	(59, $b$CREATE EXTENSION IF NOT EXISTS pg_trgm;$b$),
	(60, $b$DROP EXTENSION pg_trgm;$b$),
	(61, $b$CREATE FUNCTION app.et() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$; CREATE EVENT TRIGGER et1 ON ddl_command_end EXECUTE FUNCTION app.et();$b$),
	(62, $b$DROP EVENT TRIGGER et1;$b$),
	(63, $b$CREATE TABLE app.big (a int); DROP TABLE app.big; CREATE TABLE app.big (a int, b int);$b$),
	(64, $b$GRANT SELECT ON ALL TABLES IN SCHEMA app TO pgmig_reader;$b$),
	(65, $b$ALTER TABLE app.t ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;$b$),
	(66, $b$ALTER TABLE app.t RENAME TO t_renamed;$b$),
	(67, $b$DROP SCHEMA app CASCADE;$b$);
SELECT count(*) AS uploaded FROM pgmig.mig_upload_batch((
	SELECT jsonb_agg(jsonb_build_object(
	           'revision', 's' || lpad(n::text, 3, '0'),
	           'parents', CASE WHEN n = 1 THEN '[]'::jsonb ELSE jsonb_build_array('s' || lpad((n - 1)::text, 3, '0')) END,
	           'up', body) ORDER BY n)
	  FROM steps));

-- One revision per call, as the client applies them; after each, what the
-- record says the schema is must be the live schema.
CREATE TEMP TABLE left_as_drift (revision text, change text, kind text, identity text);
DO $$
DECLARE
	r record;
BEGIN
	LOOP
		SELECT * INTO r FROM pgmig.mig_apply(max_revisions => 1);
		EXIT WHEN NOT FOUND;
		INSERT INTO left_as_drift SELECT r.revision, d.change, d.kind, d.identity FROM pgmig.mig_drift() d;
	END LOOP;
END $$;
SELECT count(*) AS applied FROM pgmig.applied;
SELECT * FROM left_as_drift;
-- the records: the touched objects' (no digest of the whole schema), and the
-- whole fingerprint for the renames and moves of whole objects and GRANT ON
-- ALL TABLES IN SCHEMA
SELECT count(*) FILTER (WHERE c.digest IS NULL) AS touched_objects,
       string_agg(e.revision, ' ' ORDER BY e.revision) FILTER (WHERE c.digest IS NOT NULL) AS whole_schema
  FROM pgmig.event e JOIN pgmig.schema_change c USING (event_id)
 WHERE e.kind = 'apply';
SELECT s.n, s.body FROM steps s
 WHERE 's' || lpad(s.n::text, 3, '0') IN (SELECT e.revision FROM pgmig.event e JOIN pgmig.schema_change c USING (event_id)
                                           WHERE e.kind = 'apply' AND c.digest IS NOT NULL)
 ORDER BY s.n;
-- a record holds what its revision changed: s002 added a column with a
-- default (its position and type), s006 renamed a column (the view, index
-- and foreign key that print its name changed with it)
SELECT e.revision, x.kind, x.identity, x.definition
  FROM pgmig.event e JOIN pgmig.schema_change c USING (event_id),
       jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text)
 WHERE e.revision IN ('s002', 's006') ORDER BY e.revision, x.kind, x.identity;

-- Drift made by hand stays drift when a revision then alters the same table
-- (its "before" is taken live just before the ALTER), and when a revision
-- needs the whole fingerprint (a schema renamed).
CREATE TABLE byhand (id int);
ALTER TABLE byhand ADD COLUMN by_hand_too text;
SELECT count(*) FROM pgmig.mig_upload('h1', 'ALTER TABLE byhand ADD COLUMN c int; CREATE TABLE h1 (id int);', '{s067}');
SELECT count(*) FROM pgmig.mig_upload('h2', 'CREATE SCHEMA h2s; ALTER TABLE byhand ADD COLUMN d int; ALTER SCHEMA h2s RENAME TO h2t;', '{h1}');
SELECT revision FROM pgmig.mig_apply('h1');
SELECT change, kind, identity FROM pgmig.mig_drift();
SELECT revision FROM pgmig.mig_apply('h2');
SELECT change, kind, identity FROM pgmig.mig_drift();
SELECT e.revision, c.digest IS NULL AS touched_only, x.kind, x.identity
  FROM pgmig.event e JOIN pgmig.schema_change c USING (event_id),
       jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text)
 WHERE e.revision IN ('h1', 'h2') ORDER BY e.revision, x.kind, x.identity;

-- A body that fails leaves no record of what it touched before failing.
SELECT count(*) FROM pgmig.mig_upload('h3', 'ALTER TABLE h1 ADD COLUMN x int; SELECT 1/0;', '{h2}');
SELECT count(*) AS applied FROM pgmig.mig_apply('h3', atomic => false);
SELECT kind, revision FROM pgmig.event WHERE revision = 'h3' ORDER BY event_id;
SELECT change, kind, identity FROM pgmig.mig_drift();

-- With pgmig.fingerprint = full, a call records the whole schema before and
-- after (0.6's on), with the digest of the live schema in its event.
SELECT count(*) FROM pgmig.mig_upload('h4', 'CREATE TABLE h4 (id int);', '{h2}');
SET pgmig.fingerprint = full;
SELECT revision FROM pgmig.mig_apply('h4');
RESET pgmig.fingerprint;
SELECT e.fingerprint = pgmig.mig_fingerprint_digest() AS digest_is_live, c.digest = e.fingerprint AS same
  FROM pgmig.event e JOIN pgmig.schema_change c USING (event_id) WHERE e.revision = 'h4' AND e.kind = 'apply';
SELECT change, kind, identity FROM pgmig.mig_drift();
SHOW pgmig.fingerprint;
SET pgmig.fingerprint = false;
SHOW pgmig.fingerprint;
RESET pgmig.fingerprint;


-- The same when the revision replaces a function, adds a partition to a
-- table, or gives a domain another owner: each is read live before the
-- statement, so what was changed by hand on it stays drift.
SELECT count(*) FROM pgmig.mig_upload('h5', $b$
CREATE FUNCTION f5(x int) RETURNS int LANGUAGE sql AS 'SELECT x';
CREATE TABLE p5 (k int, v text) PARTITION BY RANGE (k);
CREATE DOMAIN d5 AS int;
$b$, '{h4}');
SELECT revision FROM pgmig.mig_apply('h5');
GRANT EXECUTE ON FUNCTION f5(int) TO pgmig_reader;
ALTER TABLE p5 ADD COLUMN by_hand int;
ALTER DOMAIN d5 ADD CONSTRAINT by_hand CHECK (VALUE > 0);
SELECT count(*) FROM pgmig.mig_upload('h6', $b$
CREATE OR REPLACE FUNCTION f5(x int) RETURNS int LANGUAGE sql AS 'SELECT x + 1';
CREATE TABLE p5_low PARTITION OF p5 FOR VALUES FROM (0) TO (10);
ALTER DOMAIN d5 OWNER TO pgmig_reader;
$b$, '{h5}');
SELECT revision FROM pgmig.mig_apply('h6');
SELECT change, kind, identity FROM pgmig.mig_drift();
SELECT x.kind, x.identity FROM pgmig.event e JOIN pgmig.schema_change c USING (event_id),
       jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text)
 WHERE e.revision = 'h6' AND e.kind = 'apply' ORDER BY 1, 2;

DROP TABLE byhand, h1, h4, public.dyn, p5;
DROP FUNCTION f5(int);
DROP DOMAIN d5;
DROP SCHEMA h2t;
DROP EXTENSION pgmig;
