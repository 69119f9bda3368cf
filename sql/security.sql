-- security: privileges go through the roles; the catalog is written only by
-- pgmig's functions (RELIABILITY D4 role x operation matrix, D7 direct DML,
-- D8 catalog check).
--
-- The spec, from the README ("Roles and privileges"), docs/errors.md (42501)
-- and the install scripts:
--  - pgmig_reader: mig_heads, mig_status, mig_sync, mig_history, mig_plan,
--    mig_revisions, mig_lease, mig_fingerprint, mig_fingerprint_digest,
--    mig_drift, mig_lint; SELECT on pgmig.ddl_log and pgmig.policy.
--  - pgmig_deployer (member of reader): mig_upload, mig_upload_batch,
--    mig_apply, mig_downgrade, mig_roundtrip, mig_begin_nontx,
--    mig_finish_nontx, mig_abort_nontx, mig_recover, mig_snapshot.
--  - pgmig_admin (member of deployer): mig_stamp, mig_baseline,
--    mig_set_policy, mig_audit_enable, mig_audit_disable.
--  - Bodies run as the role that uploaded them: whoever runs a body (apply,
--    downgrade, roundtrip, the non-transactional protocol, recovery of a
--    stale lease) must be a member of its uploader, else 42501.  So a
--    deployer cannot run a superuser's revision, and a deployer who is not a
--    member of a teammate's role cannot run the teammate's revisions.
--  - Replacing a stored revision (mig_upload(..., replace => true)) follows
--    the same rule: only a member of its uploader may replace it.  The README
--    and errors.md do not say so; this file chooses it because a replacement
--    takes the revision over (uploaded_by becomes the replacer) and changes
--    what the teammate's next apply runs.
--  - No role but the extension owner has a privilege on the catalog tables
--    and sequences, except SELECT on ddl_log and policy for pgmig_reader;
--    the superuser may write them, except what the immutability triggers
--    refuse (PM020).
--  - Outsiders (no pgmig role) may do nothing.
--
-- Roles: the superuser is the session; sec_admin, sec_deployer, sec_reader
-- hold one pgmig role each (sec_admin is also a member of sec_deployer, its
-- team); sec_bad_actor is another member of pgmig_deployer, who uploads its
-- own revisions; sec_outsider has no pgmig role.  Every cell runs in a
-- subtransaction that is rolled back, so the cells do not depend on each
-- other: 'yes' when the statement succeeded, else the SQLSTATE.
CREATE EXTENSION pgmig;
CREATE ROLE sec_reader NOLOGIN IN ROLE pgmig_reader;
CREATE ROLE sec_deployer NOLOGIN IN ROLE pgmig_deployer;
CREATE ROLE sec_admin NOLOGIN IN ROLE pgmig_admin;
CREATE ROLE sec_bad_actor NOLOGIN IN ROLE pgmig_deployer;
CREATE ROLE sec_outsider NOLOGIN;
GRANT sec_deployer TO sec_admin;
CREATE SCHEMA sec_app AUTHORIZATION sec_deployer;
\set VERBOSITY terse
SET client_min_messages = warning;

-- the team's revisions, uploaded by sec_deployer: p1 (applied), p2 (pending),
-- n1 (a non-transactional CREATE INDEX CONCURRENTLY, pending); s1, uploaded
-- by the superuser; o1 in another project, for mig_baseline
SET ROLE sec_deployer;
SELECT revision FROM pgmig.mig_upload_batch($j$[
  {"revision": "p1", "up": "CREATE TABLE sec_app.t1 (id int)", "down": "DROP TABLE sec_app.t1"},
  {"revision": "p2", "parents": ["p1"], "up": "CREATE TABLE sec_app.t2 (id int)", "down": "DROP TABLE sec_app.t2"},
  {"revision": "n1", "parents": ["p1"], "up": "CREATE INDEX CONCURRENTLY sec_n1_idx ON sec_app.t1 (id)",
   "down": "DROP INDEX sec_app.sec_n1_idx"}
]$j$) ORDER BY 1;
SELECT revision FROM pgmig.mig_apply('p1');
RESET ROLE;
SELECT revision FROM pgmig.mig_upload('s1', 'SELECT 1', parents => '{p1}');
SELECT revision FROM pgmig.mig_upload('o1', 'SELECT 1', project => 'sec_other');
-- a policy row, a recorded schema and a DDL log row, so that every table has rows
SELECT * FROM pgmig.mig_set_policy('default', 'warn');
SELECT objects > 0 AS recorded FROM pgmig.mig_snapshot();
SELECT pgmig.mig_audit_enable();
CREATE TABLE sec_outside (x int);
SELECT pgmig.mig_audit_disable();
SELECT command_tag, object_identity, role_name = session_user AS by_superuser FROM pgmig.ddl_log;

-- one cell: setup (as the superuser), then sql as role r; always rolled back
CREATE FUNCTION pg_temp.can(r text, setup text, sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
	IF setup IS NOT NULL THEN
		EXECUTE setup;
	END IF;
	EXECUTE format('SET LOCAL ROLE %I', r);
	EXECUTE sql;
	RAISE EXCEPTION 'undo the cell' USING ERRCODE = 'SECOK';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	RETURN CASE WHEN st = 'SECOK' THEN 'yes' ELSE 'no (' || st || ')' END;
END $$;
-- mig_roundtrip reports a body that fails as a row: turn it into its error
CREATE FUNCTION pg_temp.reraise(detail text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '%', detail USING ERRCODE = left(detail, 5);
END $$;

CREATE TEMP TABLE ops (n serial, op text, setup text, sql text);
INSERT INTO ops (op, setup, sql) VALUES
	('mig_heads',              NULL, 'SELECT pgmig.mig_heads()'),
	('mig_status',             NULL, 'SELECT pgmig.mig_status()'),
	('mig_sync',               NULL, 'SELECT pgmig.mig_sync()'),
	('mig_history',            NULL, 'SELECT pgmig.mig_history()'),
	('mig_plan',               NULL, 'SELECT pgmig.mig_plan(''p2'')'),
	('mig_revisions',          NULL, 'SELECT pgmig.mig_revisions()'),
	('mig_lease',              NULL, 'SELECT pgmig.mig_lease()'),
	('mig_fingerprint',        NULL, 'SELECT count(*) FROM pgmig.mig_fingerprint()'),
	('mig_fingerprint_digest', NULL, 'SELECT pgmig.mig_fingerprint_digest()'),
	('mig_drift',              NULL, 'SELECT pgmig.mig_drift()'),
	('mig_lint',               NULL, 'SELECT pgmig.mig_lint(''ALTER TABLE sec_app.t1 ADD COLUMN c int NOT NULL'')'),
	('mig_upload',             NULL, 'SELECT pgmig.mig_upload(''u1'', ''SELECT 1'', parents => ''{p1}'')'),
	('mig_upload_batch',       NULL, 'SELECT pgmig.mig_upload_batch(''[{"revision": "u1", "up": "SELECT 1"}]'')'),
	('replace a teammate''s revision', NULL, 'SELECT pgmig.mig_upload(''p2'', ''SELECT 666'', parents => ''{p1}'', replace => true)'),
	('apply own upload',       NULL, 'SELECT pgmig.mig_upload(''u1'', ''SELECT 1'', parents => ''{p1}''); SELECT pgmig.mig_apply(''u1'')'),
	('apply team''s revision', NULL, 'SELECT pgmig.mig_apply(''p2'')'),
	('apply superuser''s revision', NULL, 'SELECT pgmig.mig_apply(''s1'')'),
	('mig_downgrade',          NULL, 'SELECT pgmig.mig_downgrade(''base'')'),
	('mig_roundtrip',          NULL, 'SELECT pg_temp.reraise(detail) FROM pgmig.mig_roundtrip(''p2'') WHERE result = ''failed'''),
	-- the lease this session would hold after mig_begin_nontx('n1') (which
	-- cannot run in a cell: it refuses a transaction block, see below)
	('mig_finish_nontx',       'INSERT INTO pgmig.nontx_lease (project, revision, direction, backend_pid, backend_start, started_by) SELECT ''default'', ''n1'', ''up'', pid, backend_start, ''x'' FROM pg_stat_activity WHERE pid = pg_backend_pid(); CREATE INDEX sec_n1_idx ON sec_app.t1 (id)',
	                           'SELECT pgmig.mig_finish_nontx(''n1'')'),
	('mig_abort_nontx',        'INSERT INTO pgmig.nontx_lease (project, revision, direction, backend_pid, backend_start, started_by) SELECT ''default'', ''n1'', ''up'', pid, backend_start, ''x'' FROM pg_stat_activity WHERE pid = pg_backend_pid()',
	                           'SELECT pgmig.mig_abort_nontx(''n1'', ''57014'', ''canceled'')'),
	('mig_recover',            NULL, 'SELECT pgmig.mig_recover()'),
	('mig_recover (stale lease)',
	                           'INSERT INTO pgmig.nontx_lease (project, revision, direction, backend_pid, backend_start, started_by) VALUES (''default'', ''n1'', ''up'', 0, now(), ''sec_deployer'')',
	                           'SELECT pgmig.mig_recover()'),
	('mig_snapshot',           NULL, 'SELECT pgmig.mig_snapshot()'),
	('mig_stamp',              NULL, 'SELECT pgmig.mig_stamp(''p2'')'),
	('mig_stamp (array)',      NULL, 'SELECT pgmig.mig_stamp(ARRAY[''p2'', ''n1''])'),
	('mig_baseline',           NULL, 'SELECT pgmig.mig_baseline(''o1'', ''sec_other'')'),
	('mig_set_policy',         NULL, 'SELECT pgmig.mig_set_policy(''default'', ''error'')'),
	('mig_audit_enable',       NULL, 'SELECT pgmig.mig_audit_enable()'),
	('mig_audit_disable',      NULL, 'SELECT pgmig.mig_audit_disable()');
-- direct access to every catalog table and sequence
INSERT INTO ops (op, sql)
SELECT verb || ' ' || t,
       CASE verb
       WHEN 'select' THEN format('SELECT count(*) FROM pgmig.%I', t)
       WHEN 'insert' THEN ins
       WHEN 'update' THEN format('UPDATE pgmig.%I SET %I = %I', t, col, col)
       WHEN 'delete' THEN format('DELETE FROM pgmig.%I', t)
       WHEN 'truncate' THEN format('TRUNCATE pgmig.%I CASCADE', t)
       END
  FROM (VALUES
	(1, 'revision', 'project', 'INSERT INTO pgmig.revision (project, revision, up_body, transactional, up_statements, checksum, uploaded_by) VALUES (''default'', ''z1'', ''SELECT 1'', true, 1, ''x'', ''x'')'),
	(2, 'applied', 'project', 'INSERT INTO pgmig.applied (project, revision, applied_by, checksum, how) VALUES (''default'', ''p2'', ''x'', ''x'', ''stamp'')'),
	(3, 'event', 'project', 'INSERT INTO pgmig.event (project, kind, who) VALUES (''default'', ''stamp'', ''x'')'),
	(4, 'nontx_lease', 'project', 'INSERT INTO pgmig.nontx_lease (project, revision, direction, backend_pid, backend_start, started_by) VALUES (''default'', ''n1'', ''up'', 0, now(), ''x'')'),
	(5, 'schema_change', 'project', 'INSERT INTO pgmig.schema_change (event_id, project, kind, digest, changes) VALUES (-1, ''default'', ''full'', ''x'', ''[]'')'),
	(6, 'ddl_log', 'command_tag', 'INSERT INTO pgmig.ddl_log (command_tag, role_name, session_user_name, backend_pid) VALUES (''X'', ''x'', ''x'', 0)'),
	(7, 'policy', 'project', 'INSERT INTO pgmig.policy (project, lint) VALUES (''z'', ''off'')'),
	(8, 'project_state', 'project', 'INSERT INTO pgmig.project_state VALUES (''z'', 1, 1, 0, 0, ''{}'', ''{}'', ''x'')'),
	(9, 'run_base', 'run_id', 'INSERT INTO pgmig.run_base (run_id, objects) VALUES (''z'', ''[]'')')
  ) AS t(k, t, col, ins),
  unnest(ARRAY['select', 'insert', 'update', 'delete', 'truncate']) WITH ORDINALITY AS v(verb, vk)
 ORDER BY k, vk;
INSERT INTO ops (op, sql)
SELECT verb || ' ' || s,
       CASE verb
       WHEN 'select' THEN format('SELECT last_value FROM pgmig.%I', s)
       WHEN 'nextval' THEN format('SELECT nextval(%L)', 'pgmig.' || s)
       -- sequences are not rolled back: move them forward only
       WHEN 'setval' THEN format('SELECT setval(%L, 1000000)', 'pgmig.' || s)
       END
  FROM unnest(ARRAY['revision_upload_seq_seq', 'event_event_id_seq', 'ddl_log_log_id_seq', 'state_version_seq']) WITH ORDINALITY AS q(s, k),
       unnest(ARRAY['select', 'nextval', 'setval']) WITH ORDINALITY AS v(verb, vk)
 ORDER BY k, vk;

SET client_min_messages = error;
SELECT op,
       pg_temp.can(session_user, setup, sql) AS superuser,
       pg_temp.can('sec_admin', setup, sql) AS admin,
       pg_temp.can('sec_deployer', setup, sql) AS deployer,
       pg_temp.can('sec_bad_actor', setup, sql) AS bad_actor,
       pg_temp.can('sec_reader', setup, sql) AS reader,
       pg_temp.can('sec_outsider', setup, sql) AS outsider
  FROM ops ORDER BY n;
RESET client_min_messages;

-- mig_begin_nontx refuses a transaction block (25001), so it cannot run in a
-- cell (a subtransaction): each role calls it at top level, and the lease it
-- takes is released at once
SET ROLE sec_admin;
SELECT revision AS admin_begins FROM pgmig.mig_begin_nontx('n1');
RESET ROLE;
SELECT pgmig.mig_abort_nontx('n1', NULL, 'released by the matrix') FROM pgmig.mig_lease();
SET ROLE sec_deployer;
SELECT revision AS deployer_begins FROM pgmig.mig_begin_nontx('n1');
RESET ROLE;
SELECT pgmig.mig_abort_nontx('n1', NULL, 'released by the matrix') FROM pgmig.mig_lease();
SET ROLE sec_bad_actor;
SELECT revision AS bad_actor_begins FROM pgmig.mig_begin_nontx('n1');
RESET ROLE;
SET ROLE sec_reader;
SELECT revision AS reader_begins FROM pgmig.mig_begin_nontx('n1');
RESET ROLE;
SET ROLE sec_outsider;
SELECT revision AS outsider_begins FROM pgmig.mig_begin_nontx('n1');
RESET ROLE;
SELECT revision AS superuser_begins FROM pgmig.mig_begin_nontx('n1');
SELECT pgmig.mig_abort_nontx('n1', NULL, 'released by the matrix') FROM pgmig.mig_lease();
SET client_min_messages = warning;

-- the cells changed nothing: the catalog is as the setup left it
SELECT revision, CASE WHEN uploaded_by = session_user THEN '(superuser)' ELSE uploaded_by END AS uploaded_by
  FROM pgmig.revision ORDER BY upload_seq;
SELECT revision, how FROM pgmig.applied ORDER BY revision;
SELECT count(*) AS leases FROM pgmig.nontx_lease;

-- the catalog records who did what: the caller, not the extension owner
SET ROLE sec_bad_actor;
SELECT revision FROM pgmig.mig_upload('b1', 'SELECT 1', parents => '{p1}');
SELECT revision FROM pgmig.mig_apply('b1');
RESET ROLE;
SET ROLE sec_admin;
SELECT revision, action FROM pgmig.mig_stamp('p2');
RESET ROLE;
SELECT kind, revision, CASE WHEN who = session_user THEN '(superuser)' ELSE who END AS who
  FROM pgmig.event WHERE project = 'default' ORDER BY event_id;

-- D8: no SECURITY DEFINER function, none executable by PUBLIC (the
-- allow-list is empty); every function not written in C pins its search_path
SELECT p.oid::regprocedure AS definer_or_public FROM pg_proc p
 WHERE p.pronamespace = 'pgmig'::regnamespace AND (p.prosecdef OR has_function_privilege('public', p.oid, 'EXECUTE'));
SELECT p.oid::regprocedure AS unpinned FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
 WHERE p.pronamespace = 'pgmig'::regnamespace AND l.lanname <> 'c'
   AND NOT coalesce(p.proconfig @> ARRAY['search_path=pg_catalog, pg_temp'], false);
-- every pgmig function and relation belongs to the extension and its owner
SELECT count(*) AS foreign_objects FROM (
	SELECT p.oid, p.proowner AS owner, 'pg_proc'::regclass AS cls FROM pg_proc p WHERE p.pronamespace = 'pgmig'::regnamespace
	UNION ALL
	SELECT c.oid, c.relowner, 'pg_class'::regclass FROM pg_class c
	 WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind IN ('r', 'S', 'v')
) o
 WHERE o.owner <> (SELECT extowner FROM pg_extension WHERE extname = 'pgmig')
    OR NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.cls AND d.objid = o.oid AND d.deptype = 'e'
                      AND d.refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmig'));
-- the only privileges on catalog tables and sequences held by anyone but the owner
SELECT c.relname, a.grantee::regrole AS grantee, a.privilege_type
  FROM pg_class c, aclexplode(c.relacl) a
 WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind IN ('r', 'S', 'v') AND a.grantee <> c.relowner
 ORDER BY 1, 2, 3;
-- and on their columns (readers see ddl_log but for its statement text)
SELECT c.relname, a.grantee::regrole AS grantee, a.privilege_type,
       string_agg(t.attname, ', ' ORDER BY t.attnum) AS columns
  FROM pg_class c JOIN pg_attribute t ON t.attrelid = c.oid, aclexplode(t.attacl) a
 WHERE c.relnamespace = 'pgmig'::regnamespace AND a.grantee <> c.relowner
 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
RESET client_min_messages;

DROP EXTENSION pgmig;
DROP TABLE sec_outside;
DROP SCHEMA sec_app CASCADE;
DROP ROLE sec_reader, sec_deployer, sec_admin, sec_bad_actor, sec_outsider;
