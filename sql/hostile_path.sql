-- hostile_path: pgmig's own SQL cannot be captured through the search_path
-- (RELIABILITY D1, the CVE-2018-1058 class).
--
-- An attacker role owns schema evil and fills it with traps, each of which,
-- when it runs, writes a row into evil.canary, draws from evil.canary_seq
-- (which a rollback does not undo, so a trap fired by a call that then fails
-- still counts) and raises a WARNING naming itself the first time:
--  - functions with the exact signature of every pg_catalog function whose
--    name occurs in pgmig's install scripts or C++ sources, generated from
--    pg_proc.  The names were found with
--      psql -Atc "SELECT DISTINCT proname FROM pg_proc
--                  WHERE pronamespace = 'pg_catalog'::regnamespace" |
--      while read n; do grep -qP "(?<![A-Za-z0-9_.])(pg_catalog\.)?\Q$n\E\s*\(|pg_catalog\.\Q$n\E\b" \
--          extension/sql/*.sql extension/src/*.cpp && echo $n; done
--    (a name followed by "(", or qualified by pg_catalog; some are words of
--    comments, such as left or line, which only adds traps).  A trap calls
--    the real function and returns its result, so a capture changes nothing
--    but the canary; aggregates fire and return their state.  What SQL and
--    PL/pgSQL cannot declare ("any", pg_ddl_command, window and ordered-set
--    aggregates) is listed;
--  - operators =, <>, <, >, <=, >=, ||, ~~, ~, !~, &&, @>, <@, +, -, &, ->,
--    ->> on the types pgmig uses (and the polymorphic ones), generated from
--    pg_operator, transparent in the same way;
--  - domains named like the types pgmig casts to (text, oid, name, int4, ...)
--    whose CHECK fires;
--  - views named like each of pgmig's tables and sequences, with the same
--    columns, whose reading (WHERE) and writing (INSTEAD OF triggers) fire;
--    and, for the hostile run only, temp tables with those names (their
--    writes fire) and temp views named like the system views pgmig reads.
--
-- pg_temp.hp_seq runs pgmig's whole SQL API as a superuser on one project
-- (every function of extension/sql/*.sql but mig_recover's work, which
-- needs a dead backend); the non-transactional protocol (mig_begin_nontx,
-- the statement, mig_finish_nontx, and mig_abort_nontx) runs at top level,
-- as the client runs it.  A second session (dblink) holds the project lock
-- once, so that the PM035 path (which names the lock's holders) runs too.
-- The sequence runs twice: with the default search_path on project hp_clean,
-- and with search_path = evil, pg_catalog, public on project hp_evil.  The
-- canary must stay empty and the sequence never be drawn from, and both runs
-- must give the same lines (project name normalised).  Every object the
-- sequence creates is schema-qualified, and each run ends with the schema as
-- it found it, so the fingerprint digests of the two runs can be compared.
CREATE EXTENSION pgmig;
CREATE SCHEMA hp_dblink;
CREATE EXTENSION dblink SCHEMA hp_dblink;
CREATE ROLE hostile_attacker NOLOGIN;
CREATE SCHEMA evil AUTHORIZATION hostile_attacker;
\set VERBOSITY terse
-- how the second session reaches this database
SELECT format('dbname=''%s'' host=''%s'' port=%s user=''%s''', current_database(),
              split_part(current_setting('unix_socket_directories'), ',', 1), current_setting('port'),
              session_user) AS hp_conn \gset

-- the attacker's schema, canary and traps
SET ROLE hostile_attacker;
SET search_path = pg_catalog;
GRANT USAGE ON SCHEMA evil TO PUBLIC;
CREATE TABLE evil.canary (what text, by_role name);
CREATE SEQUENCE evil.canary_seq;
GRANT SELECT, INSERT ON evil.canary TO PUBLIC;
GRANT SELECT, USAGE ON SEQUENCE evil.canary_seq TO PUBLIC;
CREATE FUNCTION evil.fire(what text) RETURNS boolean LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM nextval('evil.canary_seq');
	IF NOT EXISTS (SELECT 1 FROM evil.canary c WHERE c.what = fire.what) THEN
		RAISE WARNING 'hostile_path: trap % fired (as the superuser: %)', what, current_user = session_user;
	END IF;
	INSERT INTO evil.canary VALUES (what, current_user);
	RETURN true;
END $$;
CREATE FUNCTION evil.tg_fire() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	PERFORM evil.fire(TG_ARGV[0]);
	RETURN NULL;
END $$;
CREATE TEMP TABLE trap_log (kind text, sig text, made text);

-- functions: every pg_catalog function with one of the names pgmig uses
DO $gen$
DECLARE
	f record; sig text; callargs text; body text; made text; agg text;
BEGIN
	FOR f IN SELECT p.oid, p.proname, p.prokind, p.proretset, p.pronargs, p.provariadic,
	                p.proallargtypes IS NOT NULL AS has_out, a.aggkind,
	                pg_get_function_arguments(p.oid) AS args, pg_get_function_result(p.oid) AS res,
	                p.oid::regprocedure::text AS ident
	           FROM pg_proc p LEFT JOIN pg_aggregate a ON a.aggfnoid = p.oid
	          WHERE p.pronamespace = 'pg_catalog'::regnamespace
	            AND p.proname = ANY (ARRAY['aclexplode', 'array_to_string', 'bool', 'cardinality', 'clock_timestamp',
	                'concat_ws', 'convert_to', 'count', 'date_part', 'encode', 'format', 'format_type', 'hashtext',
	                'jsonb_agg', 'jsonb_array_elements', 'jsonb_array_length', 'jsonb_build_object', 'jsonb_object_keys',
	                'jsonb_to_recordset', 'jsonb_typeof', 'left', 'line', 'make_interval', 'max', 'mode', 'name',
	                'nextval', 'now', 'numeric', 'oid', 'pg_advisory_xact_lock', 'pg_backend_pid', 'pg_blocking_pids',
	                'pg_current_xact_id', 'pg_event_trigger_ddl_commands', 'pg_event_trigger_dropped_objects',
	                'pg_extension_config_dump', 'pg_get_constraintdef', 'pg_get_expr', 'pg_get_functiondef',
	                'pg_get_indexdef', 'pg_get_partkeydef', 'pg_get_triggerdef', 'pg_get_userbyid', 'pg_get_viewdef',
	                'pg_try_advisory_xact_lock', 'pg_xact_status', 'quote_ident', 'quote_literal', 'regclass',
	                'row_number', 'sha256', 'string_agg', 'text', 'to_regclass', 'unnest', 'varchar'])
	          ORDER BY 11
	LOOP
		sig := 'function ' || f.ident;
		IF f.prokind = 'f' THEN
			SELECT string_agg(CASE WHEN f.provariadic <> 0 AND i = f.pronargs THEN 'VARIADIC ' ELSE '' END || '$' || i,
			                  ', ' ORDER BY i)
			  INTO callargs FROM generate_series(1, f.pronargs) i;
			body := format('SELECT evil.fire(%L); ', sig) ||
			        CASE WHEN f.proretset OR f.has_out THEN format('SELECT * FROM pg_catalog.%I(%s)', f.proname, callargs)
			             ELSE format('SELECT pg_catalog.%I(%s)', f.proname, callargs) END;
			BEGIN
				EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE sql AS %L', f.proname, f.args, f.res, body);
				made := 'transparent';
			EXCEPTION WHEN OTHERS THEN
				BEGIN
					EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE plpgsql AS %L', f.proname, f.args, f.res,
					               format('BEGIN PERFORM evil.fire(%L); RETURN%s; END', sig,
					                      CASE WHEN f.proretset OR f.has_out THEN '' ELSE ' NULL' END));
					made := 'fires';
				EXCEPTION WHEN OTHERS THEN
					made := 'not possible';
				END;
			END;
		ELSIF f.prokind = 'a' AND f.aggkind = 'n' THEN
			agg := 'aggtrap_' || substr(md5(sig), 1, 10);
			BEGIN
				EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE sql AS %L',
				               agg, concat_ws(', ', f.res, nullif(f.args, '')), f.res,
				               format('SELECT evil.fire(%L); SELECT $1', sig));
				EXECUTE format('CREATE AGGREGATE evil.%I(%s) (SFUNC = evil.%I, STYPE = %s)',
				               f.proname, coalesce(nullif(f.args, ''), '*'), agg, f.res);
				made := 'fires';
			EXCEPTION WHEN OTHERS THEN
				made := 'not possible';
			END;
		ELSE
			made := 'not possible';
		END IF;
		INSERT INTO trap_log VALUES ('function', sig, made);
	END LOOP;
END
$gen$;

-- operators on the types pgmig uses
DO $gen$
DECLARE
	o record; sig text; fn text; made text;
BEGIN
	FOR o IN SELECT op.oprname, op.oprleft, pp.proname AS code, pp.provariadic <> 0 AS variadic,
	                format_type(nullif(op.oprleft, 0), NULL) AS l, format_type(op.oprright, NULL) AS r,
	                format_type(op.oprresult, NULL) AS res
	           FROM pg_operator op JOIN pg_proc pp ON pp.oid = op.oprcode,
	                (SELECT ARRAY['text', 'name', 'oid', 'int2', 'int4', 'int8', 'bool', 'timestamptz', 'interval',
	                              'jsonb', 'text[]', 'name[]', 'regclass', '"char"', 'xid8', 'float8', 'numeric',
	                              'regnamespace', 'regproc', 'regtype', 'regrole', 'anyelement', 'anyarray',
	                              'anynonarray', 'anycompatible', 'anycompatiblearray',
	                              'anycompatiblenonarray']::regtype[]::oid[] AS types) t
	          WHERE op.oprnamespace = 'pg_catalog'::regnamespace
	            AND op.oprname = ANY (ARRAY['=', '<>', '<', '>', '<=', '>=', '||', '~~', '~', '!~', '&&', '@>', '<@',
	                                        '+', '-', '&', '->', '->>'])
	            AND (op.oprleft = 0 OR op.oprleft = ANY (t.types)) AND op.oprright = ANY (t.types)
	          ORDER BY 1, 5, 6
	LOOP
		sig := format('operator %s(%s, %s)', o.oprname, coalesce(o.l, 'none'), o.r);
		fn := 'optrap_' || substr(md5(sig), 1, 10);
		BEGIN
			IF o.oprleft = 0 THEN
				EXECUTE format('CREATE FUNCTION evil.%I(%s) RETURNS %s LANGUAGE sql AS %L', fn, o.r, o.res,
				               format('SELECT evil.fire(%L); SELECT pg_catalog.%I($1)', sig, o.code));
				EXECUTE format('CREATE OPERATOR evil.%s (RIGHTARG = %s, FUNCTION = evil.%I)', o.oprname, o.r, fn);
			ELSE
				EXECUTE format('CREATE FUNCTION evil.%I(%s, %s) RETURNS %s LANGUAGE sql AS %L', fn, o.l, o.r, o.res,
				               format('SELECT evil.fire(%L); SELECT pg_catalog.%I($1, %s$2)', sig, o.code,
				                      CASE WHEN o.variadic THEN 'VARIADIC ' ELSE '' END));
				EXECUTE format('CREATE OPERATOR evil.%s (LEFTARG = %s, RIGHTARG = %s, FUNCTION = evil.%I)',
				               o.oprname, o.l, o.r, fn);
			END IF;
			made := 'transparent';
		EXCEPTION WHEN OTHERS THEN
			made := 'not possible';
		END;
		INSERT INTO trap_log VALUES ('operator', sig, made);
	END LOOP;
END
$gen$;

-- types named like those pgmig casts to
DO $gen$
DECLARE t text; made text;
BEGIN
	FOR t IN SELECT unnest(ARRAY['text', 'name', 'oid', 'int2', 'int4', 'int8', 'bool', 'timestamptz', 'interval',
	                             'jsonb', 'regclass', 'char', 'xid8', 'float8', 'numeric', 'regnamespace', 'regproc',
	                             'regtype', 'regrole']) ORDER BY 1
	LOOP
		BEGIN
			EXECUTE format('CREATE DOMAIN evil.%I AS pg_catalog.%I CHECK (evil.fire(%L))', t, t, 'type ' || t);
			made := 'transparent';
		EXCEPTION WHEN OTHERS THEN
			made := 'not possible';
		END;
		INSERT INTO trap_log VALUES ('type', 'type ' || t, made);
	END LOOP;
END
$gen$;

-- relations named like pgmig's tables and sequences, with their columns
DO $gen$
DECLARE r record; made text;
BEGIN
	FOR r IN SELECT c.relname,
	                string_agg(format('CAST(NULL AS %s) AS %I', format_type(a.atttypid, a.atttypmod), a.attname), ', '
	                           ORDER BY a.attnum) AS cols
	           FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	          WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind IN ('r', 'S')
	          GROUP BY c.relname ORDER BY 1
	LOOP
		BEGIN
			EXECUTE format('CREATE VIEW evil.%I AS SELECT %s WHERE evil.fire(%L)', r.relname, r.cols,
			               'relation evil.' || r.relname);
			EXECUTE format('CREATE TRIGGER fire INSTEAD OF INSERT OR UPDATE OR DELETE ON evil.%I '
			               'FOR EACH ROW EXECUTE FUNCTION evil.tg_fire(%L)', r.relname, 'relation evil.' || r.relname);
			made := 'transparent';
		EXCEPTION WHEN OTHERS THEN
			made := 'not possible';
		END;
		INSERT INTO trap_log VALUES ('relation', 'relation evil.' || r.relname, made);
	END LOOP;
END
$gen$;
RESET search_path;
RESET ROLE;
SELECT kind, made, count(*) AS traps FROM trap_log GROUP BY 1, 2 ORDER BY 1, 2;
SELECT sig AS no_trap_possible FROM trap_log WHERE made = 'not possible' ORDER BY 1;

-- pgmig's whole SQL API on project p, as lines of text; every name in it is
-- schema-qualified (the operators too), so that only pgmig's own queries can
-- meet the traps
CREATE FUNCTION pg_temp.hp_seq(p pg_catalog.text, conn pg_catalog.text) RETURNS SETOF pg_catalog.text
LANGUAGE plpgsql AS $seq$
DECLARE
	pb pg_catalog.text := pg_catalog.concat(p, '_b');
	pl pg_catalog.text := pg_catalog.concat(p, '_l');
	st pg_catalog.text;
	log_before pg_catalog.int8;
BEGIN
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'upload', u.revision, u.action, u.transactional, u.checksum)
	  FROM pgmig.mig_upload('r1', 'CREATE TABLE public.hp_t (id pg_catalog.int4 PRIMARY KEY)',
	                        down => 'DROP TABLE public.hp_t', message => 'first', project => p) u;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'upload_batch', u.revision, u.action, u.transactional, u.checksum)
	  FROM pgmig.mig_upload_batch($j$[
	    {"revision": "r2", "parents": ["r1"], "up": "ALTER TABLE public.hp_t ADD COLUMN note pg_catalog.text",
	     "down": "ALTER TABLE public.hp_t DROP COLUMN note", "branch_labels": ["hp_label"], "message": "second"},
	    {"revision": "r3", "parents": ["r2"], "up": "CREATE TABLE public.hp_a (id pg_catalog.int4)",
	     "down": "DROP TABLE public.hp_a"},
	    {"revision": "n1", "parents": ["r3"], "up": "CREATE INDEX CONCURRENTLY hp_nidx ON public.hp_t (id)",
	     "down": "DROP INDEX public.hp_nidx"},
	    {"revision": "r4", "parents": ["n1"], "up": "CREATE TABLE public.hp_z (id pg_catalog.int4)",
	     "down": "DROP TABLE public.hp_z"}
	  ]$j$, project => p) u ORDER BY u.revision;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'heads', h.revision, h.applied, h.branch_labels, h.message)
	  FROM pgmig.mig_heads(p) h ORDER BY h.revision;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'status', s.current, s.heads, s.applied, s.pending,
	                                         s.pending_revisions, s.nontransactional_pending)
	  FROM pgmig.mig_status(p) s;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'sync', y.digest, y.revisions, y.pending, y.nontransactional)
	  FROM pgmig.mig_sync(p) y;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'revisions', r.revision, r.parents, r.depends_on, r.branch_labels,
	                                         r.message, r.transactional, r.checksum, r.down_checksum, r.applied, r.how)
	  FROM pgmig.mig_revisions(p) r;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'plan', x.step, x.revision, x.statement, x.line, x.transactional,
	                                         x.lock, x.sql)
	  FROM pgmig.mig_plan('head', p) x;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'lint', l.rule, l.name, l.severity, l.statement, l.line)
	  FROM pgmig.mig_lint('ALTER TABLE public.hp_t ADD COLUMN c pg_catalog.int4 NOT NULL') l;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'apply', a.revision, a.statements)
	  FROM pgmig.mig_apply('r2', p) a;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'plan down', x.step, x.revision, x.statement, x.sql)
	  FROM pgmig.mig_plan('base', p, 'down') x;
	RETURN QUERY SELECT pg_catalog.concat('fingerprint objects=', pg_catalog.count(*)) FROM pgmig.mig_fingerprint();
	RETURN QUERY SELECT pg_catalog.concat('fingerprint digest=', pgmig.mig_fingerprint_digest());
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'drift', d.change, d.kind, d.identity) FROM pgmig.mig_drift() d;

	-- the audit: a body's DDL is not logged, DDL outside pgmig is
	SELECT pg_catalog.max(g.log_id) INTO log_before FROM pgmig.ddl_log g;
	RETURN QUERY SELECT pg_catalog.concat('audit enable ', pgmig.mig_audit_enable());
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'apply', a.revision, a.statements)
	  FROM pgmig.mig_apply('r3', p) a;
	EXECUTE 'CREATE TABLE public.hp_outside (x pg_catalog.int4)';
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'ddl_log', g.command_tag, g.object_type, g.object_identity)
	  FROM pgmig.ddl_log g WHERE g.log_id OPERATOR(pg_catalog.>) COALESCE(log_before, 0) ORDER BY g.log_id;
	RETURN QUERY SELECT pg_catalog.concat('audit disable ', pgmig.mig_audit_disable());
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'drift', d.change, d.kind, d.identity, d.live) FROM pgmig.mig_drift() d;
	EXECUTE 'DROP TABLE public.hp_outside';
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'drift after drop', d.change, d.kind, d.identity) FROM pgmig.mig_drift() d;

	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'roundtrip', t.revision, t.step, t.result, t.kind, t.identity, t.detail)
	  FROM pgmig.mig_roundtrip('r4', p) t;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'downgrade', a.revision, a.statements)
	  FROM pgmig.mig_downgrade('r1', p) a;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'stamp', s.revision, s.action) FROM pgmig.mig_stamp('r2', p) s;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'stamp array', s.revision, s.action)
	  FROM pgmig.mig_stamp(ARRAY['r1'], p) s;
	RETURN QUERY SELECT pg_catalog.concat('snapshot objects=', s.objects, ' digest=', s.digest) FROM pgmig.mig_snapshot(p) s;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'baseline upload', u.revision, u.action)
	  FROM pgmig.mig_upload('b1', 'SELECT 1', project => pb) u;
	RETURN QUERY SELECT pg_catalog.concat('baseline ', b.revision, ' objects=', b.objects, ' digest=', b.digest)
	  FROM pgmig.mig_baseline('b1', pb) b;

	-- the lint policy: a bad value, then a refused upload
	BEGIN
		PERFORM pgmig.mig_set_policy(p, 'bogus');
		RETURN NEXT 'policy bogus accepted';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
		RETURN NEXT pg_catalog.concat('policy bogus ', st);
	END;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'policy', x.project, x.lint) FROM pgmig.mig_set_policy(p, 'error') x;
	BEGIN
		PERFORM pgmig.mig_upload('r5', 'CREATE INDEX hp_i ON public.hp_t (id)', parents => '{r1}', project => p);
		RETURN NEXT 'upload under lint error accepted';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
		RETURN NEXT pg_catalog.concat('upload under lint error ', st);
	END;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'policy', x.project, x.lint) FROM pgmig.mig_set_policy(p, 'warn') x;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'lease', l.revision) FROM pgmig.mig_lease(p) l;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'recover', r.revision, r.action) FROM pgmig.mig_recover(p) r;

	-- another session holds the lock of project pl (this transaction holds
	-- p's): with pgmig.nowait, PM035 names the holders
	PERFORM hp_dblink.dblink_connect('hp_lock', conn);
	PERFORM hp_dblink.dblink_exec('hp_lock', 'BEGIN');
	RETURN QUERY SELECT pg_catalog.concat('lock taken by another session ', x) FROM hp_dblink.dblink('hp_lock',
	        pg_catalog.format('SELECT pg_catalog.pg_try_advisory_xact_lock(1885826407, pg_catalog.hashtext(%L))', pl))
	        AS t(x pg_catalog.text);
	PERFORM pg_catalog.set_config('pgmig.nowait', 'on', true);
	BEGIN
		PERFORM pgmig.mig_apply('head', pl);
		RETURN NEXT 'apply while locked elsewhere ran';
	EXCEPTION WHEN OTHERS THEN
		GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE;
		RETURN NEXT pg_catalog.concat('apply while locked elsewhere ', st);
	END;
	PERFORM pg_catalog.set_config('pgmig.nowait', 'off', true);
	PERFORM hp_dblink.dblink_exec('hp_lock', 'ROLLBACK');
	PERFORM hp_dblink.dblink_disconnect('hp_lock');

	-- up to r3, so that the non-transactional n1 is next
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'apply', a.revision, a.statements)
	  FROM pgmig.mig_apply('r3', p) a;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'history', e.kind, e.revision, e.target,
	                                         CASE WHEN e.who OPERATOR(pg_catalog.=) SESSION_USER THEN '(superuser)'
	                                              ELSE e.who END, e.sqlstate, e.message)
	  FROM pgmig.mig_history(p) e;
	RETURN QUERY SELECT pg_catalog.concat_ws(' ', 'history b', e.kind, e.revision, e.target, e.message)
	  FROM pgmig.mig_history(pb) e;
END
$seq$;

CREATE TEMP TABLE hp_out (n serial, run text, line text);
SET client_min_messages = warning;
-- the schema as it is now is the starting point of both runs (mig_drift needs one)
SELECT objects > 0 AS recorded FROM pgmig.mig_snapshot('hp_setup');

-- run 1: the default search_path
INSERT INTO hp_out (run, line) SELECT 'clean', l FROM pg_temp.hp_seq('hp_clean', :'hp_conn') AS l;
-- the non-transactional revision, as the client runs it: begin, abort, begin,
-- the statement, finish; then the rest, and everything undone
SELECT revision, run_as = session_user AS run_as_superuser FROM pgmig.mig_begin_nontx('n1', 'hp_clean');
INSERT INTO hp_out (run, line) SELECT 'clean', concat_ws(' ', 'lease', revision, direction, alive) FROM pgmig.mig_lease('hp_clean');
INSERT INTO hp_out (run, line) SELECT 'clean', 'abort ' || pgmig.mig_abort_nontx('n1', '57014', 'canceled by the test', 'hp_clean');
SELECT revision AS hp_rev, body AS hp_body FROM pgmig.mig_begin_nontx('n1', 'hp_clean') \gset
:hp_body;
INSERT INTO hp_out (run, line) SELECT 'clean', concat_ws(' ', 'finish', revision, statements) FROM pgmig.mig_finish_nontx(:'hp_rev', 'hp_clean');
INSERT INTO hp_out (run, line) SELECT 'clean', concat_ws(' ', 'apply', revision, statements) FROM pgmig.mig_apply('head', 'hp_clean');
INSERT INTO hp_out (run, line) SELECT 'clean', concat_ws(' ', 'downgrade', revision, statements) FROM pgmig.mig_downgrade('base', 'hp_clean');
INSERT INTO hp_out (run, line) SELECT 'clean', concat_ws(' ', 'history', kind, revision, sqlstate, message) FROM pgmig.mig_history('hp_clean') WHERE kind IN ('start', 'failure', 'repair');
INSERT INTO hp_out (run, line) SELECT 'clean', concat_ws(' ', 'drift at the end', change, kind, identity) FROM pgmig.mig_drift();

-- run 2: the hostile search_path, and temp relations named like pgmig's tables
-- (their writes fire) and like the system views pgmig reads
DO $tmp$
DECLARE r record;
BEGIN
	FOR r IN SELECT c.relname,
	                string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', ' ORDER BY a.attnum) AS cols
	           FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
	          WHERE c.relnamespace = 'pgmig'::regnamespace AND c.relkind = 'r'
	          GROUP BY c.relname
	LOOP
		EXECUTE format('CREATE TEMP TABLE %I (%s)', r.relname, r.cols);
		EXECUTE format('CREATE TRIGGER fire BEFORE INSERT OR UPDATE OR DELETE ON pg_temp.%I '
		               'FOR EACH ROW EXECUTE FUNCTION evil.tg_fire(%L)', r.relname, 'relation pg_temp.' || r.relname);
		EXECUTE format('CREATE TRIGGER fire_truncate BEFORE TRUNCATE ON pg_temp.%I '
		               'FOR EACH STATEMENT EXECUTE FUNCTION evil.tg_fire(%L)', r.relname, 'relation pg_temp.' || r.relname);
	END LOOP;
	FOR r IN SELECT unnest(ARRAY['pg_locks', 'pg_stat_activity', 'pg_class', 'pg_namespace', 'pg_index', 'pg_extension',
	                             'pg_depend', 'pg_proc', 'pg_type', 'pg_trigger', 'pg_event_trigger', 'pg_roles',
	                             'pg_sequence', 'pg_inherits']) AS relname
	LOOP
		EXECUTE format('CREATE TEMP VIEW %I AS SELECT * FROM pg_catalog.%I WHERE evil.fire(%L)', r.relname, r.relname,
		               'relation pg_temp.' || r.relname);
	END LOOP;
END
$tmp$;
SELECT count(*) AS temp_relations FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema()
   AND relname OPERATOR(pg_catalog.<>) ALL (ARRAY['trap_log', 'hp_out', 'hp_out_n_seq']);
SET search_path = evil, pg_catalog, public;
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', l FROM pg_temp.hp_seq('hp_evil', :'hp_conn') AS l;
SELECT revision, run_as OPERATOR(pg_catalog.=) SESSION_USER AS run_as_superuser FROM pgmig.mig_begin_nontx('n1', 'hp_evil');
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', pg_catalog.concat_ws(' ', 'lease', revision, direction, alive) FROM pgmig.mig_lease('hp_evil');
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', pg_catalog.concat('abort ', pgmig.mig_abort_nontx('n1', '57014', 'canceled by the test', 'hp_evil'));
SELECT revision AS hp_rev, body AS hp_body FROM pgmig.mig_begin_nontx('n1', 'hp_evil') \gset
:hp_body;
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', pg_catalog.concat_ws(' ', 'finish', revision, statements) FROM pgmig.mig_finish_nontx(:'hp_rev', 'hp_evil');
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', pg_catalog.concat_ws(' ', 'apply', revision, statements) FROM pgmig.mig_apply('head', 'hp_evil');
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', pg_catalog.concat_ws(' ', 'downgrade', revision, statements) FROM pgmig.mig_downgrade('base', 'hp_evil');
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', pg_catalog.concat_ws(' ', 'history', kind, revision, sqlstate, message) FROM pgmig.mig_history('hp_evil') WHERE kind OPERATOR(pg_catalog.=) ANY (ARRAY['start', 'failure', 'repair']);
INSERT INTO pg_temp.hp_out (run, line) SELECT 'evil', pg_catalog.concat_ws(' ', 'drift at the end', change, kind, identity) FROM pgmig.mig_drift();
RESET search_path;
DO $tmp$
DECLARE r record;
BEGIN
	FOR r IN SELECT c.relname, c.relkind FROM pg_catalog.pg_class c
	          WHERE c.relnamespace = pg_catalog.pg_my_temp_schema() AND c.relkind IN ('r', 'v')
	            AND c.relname <> ALL (ARRAY['trap_log', 'hp_out'])
	LOOP
		EXECUTE format(CASE r.relkind WHEN 'v' THEN 'DROP VIEW pg_temp.%I' ELSE 'DROP TABLE pg_temp.%I' END, r.relname);
	END LOOP;
END
$tmp$;
RESET client_min_messages;

-- the figures: no trap fired (the canary is empty and its sequence was never
-- drawn from), and both runs gave the same results
SELECT count(*) AS canary_rows FROM evil.canary;
SELECT is_called AS canary_sequence_drawn FROM evil.canary_seq;
SELECT what AS fired, bool_and(by_role = session_user) AS as_superuser FROM evil.canary GROUP BY 1 ORDER BY 1;
SELECT (SELECT count(*) FROM hp_out WHERE run = 'clean') AS clean_lines,
       (SELECT count(*) FROM hp_out WHERE run = 'evil') AS hostile_lines,
       (SELECT md5(string_agg(replace(line, 'hp_clean', 'P'), E'\n' ORDER BY n)) FROM hp_out WHERE run = 'clean')
     = (SELECT md5(string_agg(replace(line, 'hp_evil', 'P'), E'\n' ORDER BY n)) FROM hp_out WHERE run = 'evil')
       AS identical;
-- the lines that differ (none)
WITH c AS (SELECT row_number() OVER (ORDER BY n) AS k, replace(line, 'hp_clean', 'P') AS line FROM hp_out WHERE run = 'clean'),
     e AS (SELECT row_number() OVER (ORDER BY n) AS k, replace(line, 'hp_evil', 'P') AS line FROM hp_out WHERE run = 'evil')
SELECT k, c.line AS clean, e.line AS hostile FROM c FULL JOIN e USING (k)
 WHERE c.line IS DISTINCT FROM e.line ORDER BY k;
-- what the sequence did (the clean run; digests and object counts depend on
-- what earlier suites left in the database, and pids on the run, so they are
-- masked)
SELECT regexp_replace(regexp_replace(replace(line, 'hp_clean', 'P'), '(objects|digest)=\S*', '\1=...', 'g'),
                      '(backend|snapshot \(superuser\)) \d+', '\1 N', 'g') AS line
  FROM hp_out WHERE run = 'clean' ORDER BY n;

SET client_min_messages = warning;
DROP EXTENSION pgmig;
DROP EXTENSION dblink;
DROP SCHEMA hp_dblink;
DROP SCHEMA evil CASCADE;
DROP TABLE trap_log;
DROP ROLE hostile_attacker;
RESET client_min_messages;
