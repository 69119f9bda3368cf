-- trojan: bodies uploaded by a low-privileged role and applied by a superuser
-- (RELIABILITY D4), and hostile metadata (D5).
--
-- trojan_actor is a NOLOGIN member of pgmig_deployer: it may upload, nothing
-- more.  Each attack body is uploaded by trojan_actor and applied by the
-- superuser running this file, one case at a time, each in a subtransaction of
-- its own.  pgmig runs a body as the role that uploaded it, so every attack
-- must fail with PostgreSQL's own privilege error (42501), or be refused at
-- upload (PM011: ALTER SYSTEM, SET ROLE, SET SESSION AUTHORIZATION and LOAD
-- written plainly); ALTER SYSTEM hidden in a DO block cannot run inside a function at
-- all (25001).  Two bodies are legitimate and apply (a SECURITY DEFINER
-- function and a SECURITY DEFINER trigger on trojan_actor's own table, both
-- trying ALTER ROLE trojan_actor SUPERUSER): they run as their owner,
-- trojan_actor, when the superuser later calls or writes them, and fail then.
-- (A SECURITY INVOKER function or trigger of trojan_actor's that a superuser
-- later calls or writes runs as the superuser: that is PostgreSQL's own
-- "Trojan horse" hazard, outside pgmig, and not a case here.)
--
-- After the attacks: pg_authid, pg_auth_members and pg_db_role_setting are
-- compared with snapshots taken before; the files the attacks try to create
-- do not exist; pg_file_settings and postgresql.auto.conf are unchanged; and
-- the last line counts escalations, which must be 0.
--
-- D5: about thirty hostile strings (quote and dollar-quote breakouts, SQL
-- comments, format directives, identifier quotes, psql meta-commands, very
-- long strings, unicode and control characters) as revision id, message,
-- branch label, parent, depends_on entry and project name, through mig_upload
-- and through the JSON of mig_upload_batch.  Each is either stored verbatim
-- (read back through mig_revisions and compared) or refused: 22023 for a
-- string that is not a valid id, label or project name (parents and
-- depends_on entries included), PM001 for a valid id that names no revision,
-- PM007 for a label equal to a revision id.  All stored revisions are then
-- applied: a canary table any role may write stays empty.
CREATE EXTENSION pgmig;
CREATE ROLE trojan_actor NOLOGIN IN ROLE pgmig_deployer;
-- trojan_actor owns the schema of its application (PUBLIC may not create in public)
CREATE SCHEMA trojan_app AUTHORIZATION trojan_actor;
CREATE TABLE trojan_su_table (id int);
CREATE TABLE trojan_canary (what text);
GRANT ALL ON trojan_canary TO PUBLIC;
\set VERBOSITY terse

-- the roles an attack could change: the superuser, trojan_actor, the
-- predefined and pgmig roles, and any new trojan% role
CREATE FUNCTION pg_temp.watched(r oid) RETURNS boolean LANGUAGE sql AS $$
	SELECT rolname = session_user OR rolname LIKE 'trojan%' OR rolname LIKE 'pg\_%' OR rolname LIKE 'pgmig\_%'
	  FROM pg_authid WHERE oid = r
$$;
CREATE TEMP VIEW trojan_roles AS
	SELECT oid, rolname, rolsuper, rolinherit, rolcreaterole, rolcreatedb, rolcanlogin, rolreplication,
	       rolbypassrls, rolconnlimit, rolpassword, rolvaliduntil
	  FROM pg_authid WHERE pg_temp.watched(oid);
CREATE TEMP VIEW trojan_members AS
	SELECT roleid::regrole::text AS role, member::regrole::text AS member, grantor::regrole::text AS grantor, admin_option
	  FROM pg_auth_members WHERE pg_temp.watched(roleid) OR pg_temp.watched(member);
CREATE TEMP VIEW trojan_role_settings AS
	SELECT setdatabase, setrole, setconfig FROM pg_db_role_setting WHERE setrole = 0 OR pg_temp.watched(setrole);
CREATE TEMP VIEW trojan_file_settings AS
	SELECT sourcefile, sourceline, seqno, name, setting, applied, error FROM pg_file_settings;
CREATE TEMP TABLE roles_before AS SELECT * FROM trojan_roles;
CREATE TEMP TABLE members_before AS SELECT * FROM trojan_members;
CREATE TEMP TABLE role_settings_before AS SELECT * FROM trojan_role_settings;
CREATE TEMP TABLE file_settings_before AS SELECT * FROM trojan_file_settings;
CREATE TEMP TABLE auto_conf_before AS SELECT size, modification FROM pg_stat_file('postgresql.auto.conf', true);

-- the files the attacks try to write (named after this backend, so a file
-- left by an earlier run cannot be mistaken for this run's)
CREATE TEMP TABLE trojan_paths AS
	SELECT k, format('/tmp/pgmig_trojan_%s_%s', pg_backend_pid(), k) AS path
	  FROM unnest(ARRAY['program', 'program_from', 'copy_to', 'lo_export']) AS k;
SELECT k, pg_stat_file(path, true) IS NULL AS absent_before FROM trojan_paths ORDER BY k;

-- an untrusted extension this server has (contrib: adminpack, else file_fdw or dblink)
CREATE TEMP TABLE untrusted AS
	SELECT COALESCE((SELECT e.name FROM pg_available_extensions e JOIN unnest(ARRAY['adminpack', 'file_fdw', 'dblink'])
	                             WITH ORDINALITY AS u(name, pos) ON u.name = e.name
	                  ORDER BY u.pos LIMIT 1), 'adminpack') AS name;

-- the attacks; %1$I is the superuser running this file, %2$s a path above,
-- %3$I the untrusted extension
CREATE TEMP TABLE attacks (n int, what text, body text);
INSERT INTO attacks
SELECT n, what, format(body, session_user, (SELECT path FROM trojan_paths WHERE k = file), (SELECT name FROM untrusted))
  FROM (VALUES
	(1,  'ALTER ROLE self SUPERUSER', NULL, 'ALTER ROLE trojan_actor SUPERUSER'),
	(2,  'ALTER ROLE self CREATEROLE', NULL, 'ALTER ROLE trojan_actor CREATEROLE'),
	(3,  'ALTER ROLE self BYPASSRLS', NULL, 'ALTER ROLE trojan_actor BYPASSRLS'),
	(4,  'ALTER ROLE self REPLICATION', NULL, 'ALTER ROLE trojan_actor REPLICATION'),
	(5,  'ALTER ROLE self CREATEDB', NULL, 'ALTER ROLE trojan_actor CREATEDB'),
	(6,  'ALTER ROLE self LOGIN PASSWORD', NULL, 'ALTER ROLE trojan_actor LOGIN PASSWORD ''pwned'''),
	(7,  'GRANT pg_execute_server_program', NULL, 'GRANT pg_execute_server_program TO trojan_actor'),
	(8,  'GRANT pg_read_server_files', NULL, 'GRANT pg_read_server_files TO trojan_actor'),
	(9,  'GRANT pg_write_server_files', NULL, 'GRANT pg_write_server_files TO trojan_actor'),
	(10, 'GRANT pgmig_admin', NULL, 'GRANT pgmig_admin TO trojan_actor'),
	(11, 'GRANT superuser role', NULL, 'GRANT %1$I TO trojan_actor'),
	(12, 'COPY TO PROGRAM', 'program', 'COPY (SELECT 1) TO PROGRAM ''touch %2$s'''),
	(13, 'COPY FROM PROGRAM', 'program_from', 'COPY trojan_canary FROM PROGRAM ''touch %2$s'''),
	(14, 'COPY TO file', 'copy_to', 'COPY (SELECT 1) TO ''%2$s'''),
	(15, 'lo_export to file', 'lo_export', 'SELECT lo_export(lo_from_bytea(0, ''x''), ''%2$s'')'),
	(16, 'pg_read_file', NULL, 'SELECT pg_read_file(''postgresql.conf'')'),
	(17, 'pg_ls_dir', NULL, 'SELECT pg_ls_dir(''.'')'),
	(18, 'lo_import', NULL, 'SELECT lo_import(''/etc/hostname'')'),
	(19, 'ALTER SYSTEM', NULL, 'ALTER SYSTEM SET work_mem = ''1GB'''),
	(20, 'ALTER SYSTEM in DO/EXECUTE', NULL, 'DO $b$ BEGIN EXECUTE ''ALTER SYSTEM SET work_mem = ''''1GB''''''; END $b$'),
	(21, 'SET ROLE', NULL, 'SET ROLE %1$I'),
	(22, 'SET SESSION AUTHORIZATION', NULL, 'SET SESSION AUTHORIZATION %1$I'),
	(23, 'SET ROLE in DO/EXECUTE', NULL, 'DO $b$ BEGIN EXECUTE ''SET ROLE %1$I''; END $b$'),
	(24, 'SET SESSION AUTHORIZATION in DO/EXECUTE', NULL, 'DO $b$ BEGIN EXECUTE ''SET SESSION AUTHORIZATION %1$I''; END $b$'),
	(25, 'set_config(role)', NULL, 'SELECT set_config(''role'', ''%1$s'', false)'),
	(26, 'set_config(session_authorization)', NULL, 'SELECT set_config(''session_authorization'', ''%1$s'', false)'),
	(27, 'SET session_replication_role', NULL, 'SET session_replication_role = replica'),
	(28, 'set_config(session_replication_role)', NULL, 'SELECT set_config(''session_replication_role'', ''replica'', false)'),
	(29, 'LOAD', NULL, 'LOAD ''plpgsql'''),
	(30, 'UPDATE pg_authid', NULL, 'UPDATE pg_authid SET rolsuper = true WHERE rolname = ''trojan_actor'''),
	(31, 'CREATE ROLE SUPERUSER', NULL, 'CREATE ROLE trojan_minion SUPERUSER LOGIN'),
	(32, 'CREATE ROLE', NULL, 'CREATE ROLE trojan_minion'),
	(33, 'ALTER ROLE superuser NOSUPERUSER', NULL, 'ALTER ROLE %1$I NOSUPERUSER'),
	(34, 'ALTER ROLE superuser PASSWORD', NULL, 'ALTER ROLE %1$I PASSWORD ''pwned'''),
	(35, 'ALTER ROLE superuser SET', NULL, 'ALTER ROLE %1$I SET search_path = trojan'),
	(36, 'SECURITY DEFINER function', NULL,
	     'CREATE FUNCTION trojan_app.trojan_sd() RETURNS void LANGUAGE plpgsql SECURITY DEFINER AS $f$ BEGIN EXECUTE ''ALTER ROLE trojan_actor SUPERUSER''; END $f$'),
	(37, 'SECURITY DEFINER trigger on own table', NULL,
	     'CREATE TABLE trojan_app.trojan_own (id int); CREATE FUNCTION trojan_app.trojan_own_tg() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER AS $f$ BEGIN EXECUTE ''ALTER ROLE trojan_actor SUPERUSER''; RETURN NEW; END $f$; CREATE TRIGGER trojan_own_tg BEFORE INSERT ON trojan_app.trojan_own FOR EACH ROW EXECUTE FUNCTION trojan_app.trojan_own_tg()'),
	(38, 'trigger on a superuser''s table', NULL,
	     'CREATE FUNCTION trojan_app.trojan_tg() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN EXECUTE ''ALTER ROLE trojan_actor SUPERUSER''; RETURN NEW; END $f$; CREATE TRIGGER trojan_tg BEFORE INSERT ON public.trojan_su_table FOR EACH ROW EXECUTE FUNCTION trojan_app.trojan_tg()'),
	(39, 'rule on a superuser''s table', NULL,
	     'CREATE RULE trojan_r AS ON INSERT TO public.trojan_su_table DO ALSO SELECT 1'),
	(40, 'take over a superuser''s table', NULL, 'ALTER TABLE public.trojan_su_table OWNER TO trojan_actor'),
	(41, 'event trigger', NULL,
	     'CREATE FUNCTION trojan_app.trojan_et() RETURNS event_trigger LANGUAGE plpgsql AS $f$ BEGIN EXECUTE ''ALTER ROLE trojan_actor SUPERUSER''; END $f$; CREATE EVENT TRIGGER trojan_et ON ddl_command_end EXECUTE FUNCTION trojan_app.trojan_et()'),
	(42, 'CREATE EXTENSION untrusted', NULL, 'CREATE EXTENSION %3$I'),
	(43, 'untrusted language (C)', NULL, 'CREATE FUNCTION trojan_app.trojan_c() RETURNS int LANGUAGE c AS ''$libdir/pgmig'', ''pgmig_heads'''),
	(44, 'CREATE FOREIGN DATA WRAPPER', NULL, 'CREATE FOREIGN DATA WRAPPER trojan_fdw'),
	(45, 'CREATE SCHEMA AUTHORIZATION superuser', NULL, 'CREATE SCHEMA trojan_s AUTHORIZATION %1$I'),
	(46, 'ALTER DEFAULT PRIVILEGES FOR superuser', NULL, 'ALTER DEFAULT PRIVILEGES FOR ROLE %1$I GRANT ALL ON TABLES TO trojan_actor'),
	(47, 'pg_reload_conf', NULL, 'SELECT pg_reload_conf()'),
	(48, 'pg_terminate_backend (own, superuser session)', NULL, 'SELECT pg_terminate_backend(pg_backend_pid())'),
	(49, 'REASSIGN OWNED to superuser', NULL, 'REASSIGN OWNED BY trojan_actor TO %1$I'),
	(50, 'DISCARD ALL', NULL, 'DISCARD ALL')
  ) AS a(n, what, file, body);

-- upload as trojan_actor, apply as the superuser: the SQLSTATE of each step
CREATE FUNCTION pg_temp.trojan(rev text, body text, OUT upload text, OUT apply text) LANGUAGE plpgsql AS $$
BEGIN
	BEGIN
		SET LOCAL ROLE trojan_actor;
		PERFORM pgmig.mig_upload(rev, body);
		RESET ROLE;
		upload := 'ok';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS upload = RETURNED_SQLSTATE;
		apply := '-';
		RETURN;
	END;
	BEGIN
		PERFORM pgmig.mig_apply(rev);
		apply := 'applied';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS apply = RETURNED_SQLSTATE;
	END;
END $$;
-- the SQLSTATE of one statement run by the superuser
CREATE FUNCTION pg_temp.state(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE st text;
BEGIN
	EXECUTE sql;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	RETURN st;
END $$;

SET client_min_messages = error;
CREATE TEMP TABLE results AS
	SELECT n, what, (pg_temp.trojan('t' || n, body)).* FROM attacks ORDER BY n;
RESET client_min_messages;
SELECT n, what, upload, apply FROM results ORDER BY n;

-- the two bodies that applied: trojan_actor's objects run as trojan_actor
SELECT pg_temp.state('SELECT trojan_app.trojan_sd()') AS superuser_calls_definer_function,
       pg_temp.state('INSERT INTO trojan_app.trojan_own VALUES (1)') AS superuser_writes_own_table;
SELECT p.proname, pg_get_userbyid(p.proowner) AS owner, p.prosecdef
  FROM pg_proc p WHERE p.pronamespace = 'trojan_app'::regnamespace ORDER BY 1;

-- nothing changed: roles, memberships, role settings, files, server settings
SELECT (SELECT count(*) FROM (TABLE roles_before EXCEPT TABLE trojan_roles) a)
     + (SELECT count(*) FROM (TABLE trojan_roles EXCEPT TABLE roles_before) b) AS roles_changed,
       (SELECT count(*) FROM (TABLE members_before EXCEPT TABLE trojan_members) a)
     + (SELECT count(*) FROM (TABLE trojan_members EXCEPT TABLE members_before) b) AS memberships_changed,
       (SELECT count(*) FROM (TABLE role_settings_before EXCEPT TABLE trojan_role_settings) a)
     + (SELECT count(*) FROM (TABLE trojan_role_settings EXCEPT TABLE role_settings_before) b) AS role_settings_changed;
SELECT rolname, rolsuper, rolcreaterole, rolbypassrls, rolcanlogin, rolreplication, rolcreatedb
  FROM pg_roles WHERE rolname LIKE 'trojan%' ORDER BY 1;
SELECT r.rolname AS granted_role FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid
 WHERE m.member = 'trojan_actor'::regrole ORDER BY 1;
SELECT k, pg_stat_file(path, true) IS NULL AS absent_after FROM trojan_paths ORDER BY k;
SELECT (SELECT count(*) FROM (TABLE file_settings_before EXCEPT TABLE trojan_file_settings) a)
     + (SELECT count(*) FROM (TABLE trojan_file_settings EXCEPT TABLE file_settings_before) b) AS file_settings_changed,
       (SELECT (size, modification) FROM pg_stat_file('postgresql.auto.conf', true))
         IS NOT DISTINCT FROM (SELECT (size, modification) FROM auto_conf_before) AS auto_conf_unchanged;

-- D5: hostile metadata
CREATE TEMP TABLE payloads (n int, payload text);
INSERT INTO payloads VALUES
	(1,  '$$; ALTER ROLE trojan_actor SUPERUSER; --'),
	(2,  '''; ALTER ROLE trojan_actor SUPERUSER; --'),
	(3,  '''); INSERT INTO trojan_canary VALUES (''3''); --'),
	(4,  '"; INSERT INTO trojan_canary VALUES (''4''); --'),
	(5,  '$x$ || (SELECT pg_catalog.set_config(''role'', ''none'', false)) || $x$'),
	(6,  '$body$; DROP TABLE trojan_canary; $body$'),
	(7,  E'\\''; INSERT INTO trojan_canary VALUES (''7''); --'),
	(8,  '*/ INSERT INTO trojan_canary VALUES (''8''); /*'),
	(9,  '-- INSERT INTO trojan_canary'),
	(10, '%s%s%s%n%x'),
	(11, '%I%L%1$s'),
	(12, 'a"b'),
	(13, '"public"."trojan_canary"'),
	(14, 'test9.control"(),pg_sleep(10),pgtle."test9'),
	(15, E'\\gexec'),
	(16, E'\\! touch /tmp/pgmig_trojan_meta'),
	(17, E'line1\nINSERT INTO trojan_canary VALUES (''17'');'),
	(18, E'tab\there\rcarriage'),
	(19, '"}, {"revision": "d5evil", "up": "INSERT INTO trojan_canary VALUES (''19'')"}, {"x": "'),
	(20, E'\u00e9\u2713 \u6f22\u5b57 \U0001F600'),
	(21, E'\u202Eevil\u200B'),
	(22, E'\x1f'),
	(23, ''),
	(24, ' '),
	(25, 'head'),
	(26, 'x@head'),
	(27, '+1'),
	(28, repeat('a', 129)),
	(29, repeat('é', 100000)),
	(30, 'ok.id-1'),
	(31, 'd5_t1'),
	(32, 'no-such-rev');
-- a revision every valid parent / depends_on payload can name (payload 31)
SET ROLE trojan_actor;
SELECT revision FROM pgmig.mig_upload('d5_t1', 'SELECT 1', project => 'd5');
RESET ROLE;

-- one payload in one field, uploaded by trojan_actor: 'verbatim' when it is
-- stored and reads back equal, 'ALTERED' when it reads back different,
-- else the SQLSTATE of the refusal.  Payloads as revision ids go to project
-- d5_ids, the rest to d5 (where d5_t1 exists and nothing else is named
-- like a payload)
CREATE FUNCTION pg_temp.meta(n int, field text, p text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE rev text := 'd5' || replace(field, ' ', '_') || n; st text; got text;
BEGIN
	SET LOCAL ROLE trojan_actor;
	CASE field
	WHEN 'id' THEN
		rev := p;
		PERFORM pgmig.mig_upload(p, 'SELECT 1', project => 'd5_ids');
		SELECT r.revision INTO got FROM pgmig.mig_revisions('d5_ids') r WHERE r.revision = p;
	WHEN 'message' THEN
		PERFORM pgmig.mig_upload(rev, 'SELECT 1', message => p, project => 'd5');
		SELECT r.message INTO got FROM pgmig.mig_revisions('d5') r WHERE r.revision = rev;
	WHEN 'label' THEN
		PERFORM pgmig.mig_upload(rev, 'SELECT 1', branch_labels => ARRAY[p], project => 'd5');
		SELECT r.branch_labels[1] INTO got FROM pgmig.mig_revisions('d5') r WHERE r.revision = rev;
	WHEN 'parent' THEN
		PERFORM pgmig.mig_upload(rev, 'SELECT 1', parents => ARRAY[p], project => 'd5');
		SELECT r.parents[1] INTO got FROM pgmig.mig_revisions('d5') r WHERE r.revision = rev;
	WHEN 'depends' THEN
		PERFORM pgmig.mig_upload(rev, 'SELECT 1', depends_on => ARRAY[p], project => 'd5');
		SELECT r.depends_on[1] INTO got FROM pgmig.mig_revisions('d5') r WHERE r.revision = rev;
	WHEN 'project' THEN
		PERFORM pgmig.mig_upload(rev, 'SELECT 1', project => p);
		SELECT h.revision INTO got FROM pgmig.mig_heads(p) h;
		got := CASE WHEN got = rev THEN p END;
	WHEN 'batch message' THEN
		PERFORM pgmig.mig_upload_batch(jsonb_build_array(jsonb_build_object('revision', rev, 'up', 'SELECT 1', 'message', p)), project => 'd5');
		SELECT r.message INTO got FROM pgmig.mig_revisions('d5') r WHERE r.revision = rev;
	WHEN 'batch label' THEN
		PERFORM pgmig.mig_upload_batch(jsonb_build_array(jsonb_build_object('revision', rev, 'up', 'SELECT 1',
		                                                                    'branch_labels', jsonb_build_array(p))), project => 'd5');
		SELECT r.branch_labels[1] INTO got FROM pgmig.mig_revisions('d5') r WHERE r.revision = rev;
	WHEN 'batch parent' THEN
		PERFORM pgmig.mig_upload_batch(jsonb_build_array(jsonb_build_object('revision', rev, 'up', 'SELECT 1',
		                                                                    'parents', jsonb_build_array(p))), project => 'd5');
		SELECT r.parents[1] INTO got FROM pgmig.mig_revisions('d5') r WHERE r.revision = rev;
	WHEN 'batch id' THEN
		PERFORM pgmig.mig_upload_batch(jsonb_build_array(jsonb_build_object('revision', p, 'up', 'SELECT 1')),
		                               project => 'd5_ids');
		SELECT r.revision INTO got FROM pgmig.mig_revisions('d5_ids') r WHERE r.revision = p;
	END CASE;
	RESET ROLE;
	RETURN CASE WHEN got IS NOT DISTINCT FROM p THEN 'verbatim' ELSE 'ALTERED' END;
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
	RETURN st;
END $$;
SET client_min_messages = error;
SELECT n, left(regexp_replace(payload, '[^ -~]', '?', 'g'), 20) AS payload,
       pg_temp.meta(n, 'id', payload) AS id,
       pg_temp.meta(n, 'message', payload) AS message,
       pg_temp.meta(n, 'label', payload) AS label,
       pg_temp.meta(n, 'parent', payload) AS parent,
       pg_temp.meta(n, 'depends', payload) AS depends_on,
       pg_temp.meta(n, 'project', payload) AS project,
       pg_temp.meta(n, 'batch id', payload) AS batch_id,
       pg_temp.meta(n, 'batch message', payload) AS batch_message,
       pg_temp.meta(n, 'batch label', payload) AS batch_label,
       pg_temp.meta(n, 'batch parent', payload) AS batch_parent
  FROM payloads ORDER BY n;
-- every stored revision applies (as trojan_actor: they are its uploads), and
-- the history shows the hostile messages as data
SELECT s.project, (SELECT count(*) FROM pgmig.mig_apply('heads', s.project)) AS applied
  FROM (SELECT DISTINCT project FROM pgmig.revision WHERE project <> 'default') s ORDER BY 1;
RESET client_min_messages;
SELECT count(*) AS hostile_messages_stored
  FROM pgmig.mig_revisions('d5') r JOIN payloads p ON p.payload = r.message;

-- the canary table stays empty, and trojan_actor is still not a superuser
SELECT count(*) AS canary_rows FROM trojan_canary;
SELECT rolsuper FROM pg_roles WHERE rolname = 'trojan_actor';

-- the figure: escalations, from every check above
SELECT count(*) AS escalations FROM (
	SELECT 'applied: ' || what FROM results WHERE apply = 'applied' AND n NOT IN (36, 37)
	UNION ALL SELECT 'role' FROM ((TABLE roles_before EXCEPT TABLE trojan_roles)
	                               UNION ALL (TABLE trojan_roles EXCEPT TABLE roles_before)) r
	UNION ALL SELECT 'membership' FROM ((TABLE members_before EXCEPT TABLE trojan_members)
	                                     UNION ALL (TABLE trojan_members EXCEPT TABLE members_before)) m
	UNION ALL SELECT 'role setting' FROM ((TABLE role_settings_before EXCEPT TABLE trojan_role_settings)
	                                       UNION ALL (TABLE trojan_role_settings EXCEPT TABLE role_settings_before)) s
	UNION ALL SELECT 'file ' || k FROM trojan_paths WHERE pg_stat_file(path, true) IS NOT NULL
	UNION ALL SELECT 'server setting' FROM ((TABLE file_settings_before EXCEPT TABLE trojan_file_settings)
	                                         UNION ALL (TABLE trojan_file_settings EXCEPT TABLE file_settings_before)) f
	UNION ALL SELECT 'canary' FROM trojan_canary
	UNION ALL SELECT 'superuser' FROM pg_roles WHERE rolname LIKE 'trojan%' AND (rolsuper OR rolcreaterole OR rolbypassrls)
) e;

DROP EXTENSION pgmig;
DROP TABLE trojan_su_table, trojan_canary;
DROP SCHEMA trojan_app CASCADE;
DROP OWNED BY trojan_actor;
DROP ROLE trojan_actor;
