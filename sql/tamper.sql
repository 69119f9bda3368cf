-- tamper: a body that attacks pgmig itself is refused, whoever uploaded it,
-- and the catalog is unchanged.  Bodies uploaded by a superuser run with a
-- superuser's privileges, so PostgreSQL's own checks do not stop them: the
-- tamper guard does (PM015).  A pgmig_admin's upload is stopped by the
-- missing privilege (42501) or, where it has one (EXECUTE on pgmig's
-- functions), by the guard.  Role changes are refused by PostgreSQL inside a
-- body (42501).
CREATE EXTENSION pgmig;
CREATE ROLE tamper_admin NOLOGIN IN ROLE pgmig_admin;
CREATE TABLE tamper_seen (n int);
GRANT ALL ON tamper_seen TO PUBLIC;
SELECT revision FROM pgmig.mig_upload('base1', 'CREATE TABLE tamper_t (x int)');
SELECT revision FROM pgmig.mig_apply('base1');

-- every row of every pgmig table (sequences too), as one digest
CREATE FUNCTION pg_temp.catalog_hash() RETURNS text LANGUAGE plpgsql AS $$
DECLARE t regclass; k "char"; part text; h text := '';
BEGIN
	FOR t, k IN SELECT c.oid, c.relkind FROM pg_class c
	             WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind IN ('r', 'S') ORDER BY c.relname LOOP
		EXECUTE format('SELECT md5(coalesce(string_agg(r, %L ORDER BY r), %L)) FROM (SELECT %s AS r FROM %s x) s',
		               '|', '-', CASE k WHEN 'S' THEN 'x.last_value::text || x.is_called::text' ELSE 'x::text' END, t)
		   INTO STRICT part;
		h := md5(h || t::text || part);
	END LOOP;
	RETURN h || (SELECT count(*) FROM pg_proc WHERE pronamespace = 'pgmig'::regnamespace)
	          || (SELECT string_agg(evtname || evtenabled::text, ',' ORDER BY evtname) FROM pg_event_trigger);
END $$;

-- upload as `who`, then apply as the superuser: the SQLSTATE of the apply,
-- and whether the catalog differs from what it was after the upload
CREATE FUNCTION pg_temp.attack(who text, rev text, body text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text; h text;
BEGIN
	EXECUTE format('SET LOCAL ROLE %I', who);
	PERFORM pgmig.mig_upload(rev, body, parents => '{base1}');
	RESET ROLE;
	h := pg_temp.catalog_hash();
	BEGIN
		PERFORM pgmig.mig_apply(rev);
		st := 'applied';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	END;
	RETURN st || CASE WHEN pg_temp.catalog_hash() = h THEN '' ELSE ' (catalog changed)' END;
END $$;

\set VERBOSITY terse
SET client_min_messages = warning;
CREATE TEMP TABLE attacks (n int, body text);
INSERT INTO attacks VALUES
 (1,  'INSERT INTO pgmig.applied (project, revision, applied_by, duration, checksum, how) SELECT project, ''base1'', ''x'', ''0'', ''x'', ''stamp'' FROM pgmig.applied'),
 (2,  'UPDATE pgmig.applied SET checksum = ''x'''),
 (3,  'DELETE FROM pgmig.event'),
 (4,  'UPDATE pgmig.revision SET up_body = ''DROP TABLE tamper_t'''),
 (5,  'TRUNCATE pgmig.event'),
 (6,  'COPY pgmig.event FROM ''/dev/null'''),
 (7,  'SELECT count(*) FROM (SELECT 1 FROM pgmig.applied FOR UPDATE) s'),
 (8,  'CREATE VIEW tamper_v AS SELECT * FROM pgmig.applied; DELETE FROM tamper_v'),
 (9,  'DO $b$ BEGIN EXECUTE ''DELETE FROM pgmig.applied''; END $b$'),
 (10, 'DROP SCHEMA pgmig CASCADE'),
 (11, 'DROP EXTENSION pgmig CASCADE'),
 (12, 'ALTER EXTENSION pgmig DROP TABLE pgmig.event'),
 (13, 'ALTER SCHEMA pgmig RENAME TO pgmig_old'),
 (14, 'ALTER TABLE pgmig.revision DISABLE TRIGGER USER'),
 (15, 'DROP TRIGGER revision_immutable ON pgmig.revision'),
 (16, 'CREATE TRIGGER tamper_tg BEFORE INSERT ON pgmig.event FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()'),
 (17, 'CREATE RULE tamper_r AS ON INSERT TO pgmig.event DO INSTEAD NOTHING'),
 (18, 'CREATE POLICY tamper_p ON pgmig.applied USING (false)'),
 (19, 'CREATE INDEX ON pgmig.event (kind)'),
 (20, 'ALTER TABLE pgmig.event ADD COLUMN tamper int'),
 (21, 'ALTER TABLE pgmig.applied ALTER COLUMN how SET DEFAULT ''stamp'''),
 (22, 'GRANT ALL ON pgmig.applied TO PUBLIC'),
 (23, 'ALTER SEQUENCE pgmig.revision_upload_seq_seq RESTART'),
 (24, 'CREATE TABLE pgmig.tamper_shadow (x int)'),
 (25, 'CREATE FUNCTION pgmig.mig_apply(target varchar) RETURNS int LANGUAGE sql AS ''SELECT 1'''),
 (26, 'ALTER FUNCTION pgmig.mig_apply(text, text, boolean, integer, jsonb) SECURITY DEFINER'),
 (27, 'ALTER EVENT TRIGGER pgmig_audit_ddl DISABLE'),
 (28, 'SELECT pgmig.mig_stamp(''base'')'),
 (29, 'SELECT pgmig.mig_upload(''tamper_z'', ''SELECT 1'')'),
 (30, 'SELECT pg_advisory_unlock_all()'),
 (31, 'SELECT pg_advisory_unlock(1)'),
 (32, 'DO $b$ BEGIN EXECUTE ''SET ROLE postgres''; END $b$'),
 (33, 'SELECT set_config(''role'', ''postgres'', false)'),
 (34, 'DO $b$ BEGIN EXECUTE ''SET SESSION AUTHORIZATION postgres''; END $b$'),
 (35, 'ALTER DEFAULT PRIVILEGES IN SCHEMA pgmig GRANT ALL ON TABLES TO PUBLIC'),
 (36, 'GRANT ALL ON SCHEMA pgmig TO PUBLIC'),
 (37, 'REVOKE ALL ON FUNCTION pgmig.mig_heads FROM pgmig_reader'),
 (38, 'SET search_path = pgmig, public; GRANT ALL ON TABLE applied TO PUBLIC');
SELECT n, pg_temp.attack('postgres', 'su' || n, body) AS superuser_upload,
          pg_temp.attack('tamper_admin', 'ad' || n, body) AS admin_upload
  FROM attacks ORDER BY n;
RESET client_min_messages;
-- pgmig is intact: nothing applied but base1, its functions and audit triggers all there
SELECT revision FROM pgmig.applied ORDER BY revision;
SELECT count(*) AS functions FROM pg_proc WHERE pronamespace = 'pgmig'::regnamespace;
SELECT evtname, evtenabled FROM pg_event_trigger ORDER BY evtname;
-- the messages name the revision, the line and what was refused
\set VERBOSITY default
SELECT revision FROM pgmig.mig_upload('msg1', E'CREATE TABLE tamper_ok (x int);\nDELETE FROM pgmig.event;', parents => '{base1}');
SELECT revision FROM pgmig.mig_apply('msg1');
SELECT revision FROM pgmig.mig_upload('msg2', 'SELECT pg_advisory_unlock_all()', parents => '{base1}');
SELECT revision FROM pgmig.mig_apply('msg2');
\set VERBOSITY terse

-- a body may still use its own advisory locks and pgmig's lock survives
SELECT revision FROM pgmig.mig_upload('ok1', $b$
SELECT pg_advisory_xact_lock(42);
INSERT INTO tamper_seen SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid();
$b$, parents => '{base1}');
SELECT revision FROM pgmig.mig_apply('ok1');
SELECT n AS advisory_locks_seen_by_body FROM tamper_seen;
-- the guard ends with the body: pgmig's own calls after a refused body work
SELECT revision, action FROM pgmig.mig_stamp('base1');

DROP EXTENSION pgmig;
DROP TABLE tamper_seen, tamper_t;
DROP ROLE tamper_admin;
