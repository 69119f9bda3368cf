-- test/corpus/boundary/harness.sql: the checks of the boundary suite
-- (sql/boundary.sql, test/t/024_boundary_client.pl).
--
-- Roles and objects: bnd_mallory (a member of pgmig_deployer, so a deployer)
-- owns schema bnd; bnd.trap(tag) records who runs it in public.bnd_canary and
-- tries ALTER ROLE bnd_mallory SUPERUSER, which only a superuser caller can
-- do.  public.accounts is the superuser's own table, the name a temporary
-- view or table left by a body would shadow.
--
-- Per attack (n): bnd_before(n) applies the project's root revision,
-- bnd_snapshot(n) records the session's state, pgmig's rows outside the
-- attack's project and pgmig's footprint in the catalogs;
-- bnd_after(n) probes the session the way its next user would (unqualified
-- queries of accounts) and reports, in one row, whether anything escalated,
-- changed pgmig's rows or stayed behind in the session.
--
-- No temporary object is used here: the state check lists them.
CREATE TABLE IF NOT EXISTS public.bnd_canary (tag text, who text);
GRANT ALL ON public.bnd_canary TO PUBLIC;
CREATE TABLE IF NOT EXISTS public.accounts (id int DEFAULT 0);
CREATE TABLE IF NOT EXISTS public.bnd_run (
	n int PRIMARY KEY, project text, state_before text, digest_before text, seqs_before bigint[],
	outcome text, escalation text, rows_changed text, state_left text);

-- The session's state: temporary objects, prepared statements, cursors,
-- channels listened to, advisory locks held, settings changed for the
-- session, identities.
CREATE OR REPLACE FUNCTION public.bnd_state() RETURNS text LANGUAGE sql AS $f$
SELECT concat_ws(' | ',
	'temp relations: ' || (SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
	                        WHERE relnamespace = pg_my_temp_schema()),
	'temp functions: ' || (SELECT string_agg(proname, ',' ORDER BY proname) FROM pg_proc
	                        WHERE pronamespace = pg_my_temp_schema()),
	'temp types: ' || (SELECT string_agg(typname, ',' ORDER BY typname) FROM pg_type
	                    WHERE typnamespace = pg_my_temp_schema()),
	'prepared: ' || (SELECT string_agg(name, ',' ORDER BY name) FROM pg_prepared_statements),
	'cursors: ' || (SELECT string_agg(name, ',' ORDER BY name) FROM pg_cursors),
	'listening: ' || (SELECT string_agg(c, ',' ORDER BY c) FROM pg_listening_channels() c),
	'advisory locks: ' || (SELECT string_agg(concat(classid, '/', objid, '/', mode), ',' ORDER BY classid, objid)
	                        FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()),
	'session settings: ' || (SELECT string_agg(name || '=' || setting, ',' ORDER BY name) FROM pg_settings
	                          WHERE source = 'session'),
	'bnd.x: ' || NULLIF(current_setting('bnd.x', true), ''),
	'search_path: ' || current_setting('search_path'),
	'user: ' || current_user || '/' || session_user)
$f$;

-- pgmig's rows outside project p, and its footprint in the catalogs: its
-- triggers and whether they are enabled, its extension members, its
-- policies and rules.
CREATE OR REPLACE FUNCTION public.bnd_digest(p text) RETURNS text LANGUAGE sql AS $f$
SELECT md5(concat_ws('#',
	(SELECT string_agg(concat_ws(',', project, revision, checksum, down_checksum, uploaded_by, parents::text),
	                   ';' ORDER BY project, revision) FROM pgmig.revision WHERE project <> p),
	(SELECT string_agg(concat_ws(',', project, revision, checksum, how), ';' ORDER BY project, revision)
	   FROM pgmig.applied WHERE project <> p),
	(SELECT string_agg(concat_ws(',', event_id, project, kind, revision), ';' ORDER BY event_id)
	   FROM pgmig.event WHERE project <> p),
	(SELECT string_agg(concat_ws(',', project, revisions, applied, heads::text, sync_digest), ';' ORDER BY project)
	   FROM pgmig.project_state WHERE project <> p),
	(SELECT count(*) FROM pgmig.nontx_lease)::text,
	(SELECT string_agg(concat_ws(',', tgrelid::regclass, tgname, tgenabled, tgfoid::regproc), ';'
	                   ORDER BY tgrelid::regclass::text, tgname)
	   FROM pg_trigger WHERE tgrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'pgmig'::regnamespace)),
	(SELECT count(*) FROM pg_depend WHERE refclassid = 'pg_extension'::regclass
	    AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'pgmig') AND deptype = 'e')::text,
	(SELECT count(*) FROM pg_policy WHERE polrelid IN (SELECT oid FROM pg_class WHERE relnamespace = 'pgmig'::regnamespace))::text,
	(SELECT count(*) FROM pg_rewrite WHERE ev_class IN (SELECT oid FROM pg_class WHERE relnamespace = 'pgmig'::regnamespace))::text,
	(SELECT string_agg(p.oid::regprocedure::text || ':' || md5(p.prosrc), ',' ORDER BY p.oid::regprocedure::text)
	   FROM pg_proc p WHERE p.proname IN ('pg_advisory_xact_lock', 'hashtext', 'nextval', 'setval'))))
$f$;

-- pgmig's sequences, in a fixed order (they may only move forward).
CREATE OR REPLACE FUNCTION public.bnd_sequences() RETURNS bigint[] LANGUAGE sql AS $f$
SELECT ARRAY[(SELECT last_value FROM pgmig.revision_upload_seq_seq), (SELECT last_value FROM pgmig.event_event_id_seq),
             (SELECT last_value FROM pgmig.state_version_seq)]
$f$;

-- Records the state before attack n, and applies the attack project's root
-- revision "r" (uploaded by bnd_mallory), so that the attack's own apply
-- runs exactly one revision.
CREATE OR REPLACE FUNCTION public.bnd_before(n int, root_by text) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	p text := 'bnd_' || n;
BEGIN
	EXECUTE format('SET ROLE %I', root_by);
	PERFORM pgmig.mig_upload('r', 'SELECT 1', project => p);
	RESET ROLE;
	PERFORM pgmig.mig_apply('r', p);
END
$f$;

-- The state before attack n, in a statement of its own (bnd_before's
-- transaction holds the project's lock).
CREATE OR REPLACE FUNCTION public.bnd_snapshot(n int) RETURNS void LANGUAGE plpgsql AS $f$
DECLARE
	p text := 'bnd_' || n;
BEGIN
	DELETE FROM public.bnd_canary;
	INSERT INTO public.bnd_run (n, project, state_before, digest_before, seqs_before)
	VALUES (n, p, public.bnd_state(), public.bnd_digest(p), public.bnd_sequences());
END
$f$;

-- The checks after attack n: one row, also kept in bnd_run.
CREATE OR REPLACE FUNCTION public.bnd_after(n int, OUT attack text, OUT outcome text, OUT escalation text,
                                            OUT rows_changed text, OUT state_left text)
LANGUAGE plpgsql AS $f$
DECLARE
	r public.bnd_run;
	a record;
	applied text;
	seqs bigint[];
BEGIN
	SELECT * INTO r FROM public.bnd_run WHERE bnd_run.n = bnd_after.n;
	SELECT * INTO a FROM public.bnd_attack WHERE bnd_attack.n = bnd_after.n;
	attack := a.name;
	-- the next user of the session: unqualified queries a temporary view,
	-- table or function could shadow
	BEGIN
		PERFORM count(*) FROM accounts;
		INSERT INTO accounts DEFAULT VALUES;
		DELETE FROM public.accounts;
	EXCEPTION WHEN OTHERS THEN
		NULL;
	END;
	SELECT string_agg(revision, ',' ORDER BY revision) INTO applied FROM pgmig.applied WHERE project = r.project;
	outcome := CASE WHEN applied = 'r,x' THEN 'applied'
	                WHEN applied = 'r' THEN 'refused'
	                ELSE 'applied set: ' || coalesce(applied, '(none)') END;
	SELECT string_agg(DISTINCT who, ',') INTO escalation FROM public.bnd_canary WHERE who <> 'bnd_mallory';
	IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'bnd_mallory' AND (rolsuper OR rolcreaterole OR rolbypassrls)) THEN
		escalation := concat_ws(', ', escalation, 'bnd_mallory gained an attribute');
		EXECUTE 'ALTER ROLE bnd_mallory NOSUPERUSER NOCREATEROLE NOBYPASSRLS';
	END IF;
	escalation := coalesce('ran as ' || escalation, '0');
	seqs := public.bnd_sequences();
	rows_changed := concat_ws(', ',
		CASE WHEN public.bnd_digest(r.project) <> r.digest_before THEN 'pgmig rows or footprint' END,
		CASE WHEN seqs[1] < r.seqs_before[1] OR seqs[2] < r.seqs_before[2] OR seqs[3] < r.seqs_before[3]
		     THEN 'a sequence went back' END,
		CASE WHEN outcome NOT IN ('applied', 'refused') THEN outcome END);
	rows_changed := coalesce(NULLIF(rows_changed, ''), '0');
	state_left := public.bnd_state();
	state_left := CASE WHEN state_left = r.state_before THEN '0' ELSE state_left END;
	UPDATE public.bnd_run SET outcome = bnd_after.outcome, escalation = bnd_after.escalation,
	       rows_changed = bnd_after.rows_changed, state_left = bnd_after.state_left
	 WHERE bnd_run.n = bnd_after.n;
END
$f$;

-- The suite's figures: attacks run, and how many escalated, changed pgmig's
-- rows, left state in the session, or ended otherwise than expected.
CREATE OR REPLACE FUNCTION public.bnd_summary(OUT attacks bigint, OUT escalations bigint, OUT rows_changed bigint,
                                              OUT state_left bigint, OUT unexpected bigint)
LANGUAGE sql AS $f$
SELECT count(*),
       count(*) FILTER (WHERE r.escalation <> '0'),
       count(*) FILTER (WHERE r.rows_changed <> '0'),
       count(*) FILTER (WHERE r.state_left <> '0'),
       count(*) FILTER (WHERE r.outcome IS DISTINCT FROM a.expect)
  FROM public.bnd_run r JOIN public.bnd_attack a USING (n)
$f$;
