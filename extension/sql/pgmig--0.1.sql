/*
 * extension/sql/pgmig--0.1.sql - install script of pgmig 0.1 (frozen: later
 * versions change things in pgmig--0.1--0.2.sql and onwards).
 *
 * Creates the catalog (revision, applied, event) in the fixed schema pgmig,
 * the SQL-callable functions (C, in pgmig.so) and the three NOLOGIN roles
 * through which every privilege is granted.  Nothing is granted to PUBLIC.
 *
 * Security notes (see docs/security.md):
 *  - every object, function and operator reference is schema-qualified, so
 *    nothing in the installing session's search_path can capture a name;
 *  - the catalog is written only by pgmig's C functions, which switch to the
 *    extension owner for that purpose; no role gets a table privilege;
 *  - roles are created only when absent and checked (NOLOGIN, not superuser)
 *    when present, because roles are cluster-wide and a pre-existing one may
 *    belong to someone else;
 *  - every table is marked with pg_extension_config_dump so pg_dump keeps the
 *    history.
 */

\echo Use "CREATE EXTENSION pgmig" to load this file. \quit

/*
 * The schema must belong to the installing role.  PostgreSQL creates it when
 * absent but does not drop it with the extension, so it may pre-exist; one
 * owned by another role (who could then replace pgmig's tables) is refused.
 */
DO $schema$
BEGIN
	IF EXISTS (SELECT 1 FROM pg_catalog.pg_namespace n
	            WHERE n.nspname OPERATOR(pg_catalog.=) 'pgmig'
	              AND n.nspowner OPERATOR(pg_catalog.<>) (SELECT r.oid FROM pg_catalog.pg_roles r
	                                                       WHERE r.rolname OPERATOR(pg_catalog.=) CURRENT_USER)) THEN
		RAISE EXCEPTION 'schema "pgmig" already exists and is owned by another role'
			USING ERRCODE = '42501',
			      DETAIL = 'The owner of the schema could replace pgmig''s catalog and functions.',
			      HINT = 'Drop the schema (DROP SCHEMA pgmig) or make the installing role its owner, then retry.';
	END IF;
END
$schema$;

/* The roles.  reader < deployer < admin. */
DO $roles$
DECLARE
	r record;
BEGIN
	FOR r IN SELECT * FROM (VALUES ('pgmig_reader', NULL), ('pgmig_deployer', 'pgmig_reader'),
	                               ('pgmig_admin', 'pgmig_deployer')) AS v(name, member_of)
	LOOP
		IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname OPERATOR(pg_catalog.=) r.name) THEN
			EXECUTE pg_catalog.format('CREATE ROLE %I NOLOGIN', r.name);
		ELSIF EXISTS (SELECT 1 FROM pg_catalog.pg_roles
		              WHERE rolname OPERATOR(pg_catalog.=) r.name AND (rolcanlogin OR rolsuper)) THEN
			RAISE EXCEPTION 'role "%" already exists and is not a NOLOGIN, non-superuser role', r.name
				USING ERRCODE = '42710',
				      DETAIL = 'pgmig grants its privileges through this role; an existing role with LOGIN or SUPERUSER may belong to someone else.',
				      HINT = pg_catalog.format('Drop or rename the existing role "%s", or make it NOLOGIN NOSUPERUSER, then retry.', r.name);
		END IF;
		IF r.member_of IS NOT NULL THEN
			EXECUTE pg_catalog.format('GRANT %I TO %I', r.member_of, r.name);
		END IF;
	END LOOP;
END
$roles$;

REVOKE ALL ON SCHEMA pgmig FROM PUBLIC;
GRANT USAGE ON SCHEMA pgmig TO pgmig_reader;

/*
 * Every uploaded revision.  Bodies and checksums never change once stored
 * (trigger below); a revision that is not applied may be replaced as a whole
 * through mig_upload(..., replace => true).
 */
CREATE TABLE pgmig.revision (
	project            text        NOT NULL,
	revision           text        NOT NULL,
	parents            text[]      NOT NULL DEFAULT '{}',
	depends_on         text[]      NOT NULL DEFAULT '{}',
	branch_labels      text[]      NOT NULL DEFAULT '{}',
	message            text,
	up_body            text        NOT NULL,
	down_body          text,
	transactional      boolean     NOT NULL,
	down_transactional boolean,
	up_statements      integer     NOT NULL,
	down_statements    integer,
	checksum           text        NOT NULL,
	down_checksum      text,
	uploaded_at        timestamptz NOT NULL DEFAULT pg_catalog.now(),
	uploaded_by        name        NOT NULL,
	upload_seq         bigserial   NOT NULL,
	PRIMARY KEY (project, revision)
);
COMMENT ON TABLE pgmig.revision IS 'pgmig: every uploaded revision (immutable bodies and checksums)';

/* The applied set of each project.  A row exists exactly while the revision's
 * effects are in the database (or were stamped as such). */
CREATE TABLE pgmig.applied (
	project     text        NOT NULL,
	revision    text        NOT NULL,
	applied_at  timestamptz NOT NULL DEFAULT pg_catalog.now(),
	applied_by  name        NOT NULL,
	duration    interval,
	checksum    text        NOT NULL,
	how         text        NOT NULL CHECK (how IN ('apply', 'stamp')),
	PRIMARY KEY (project, revision),
	FOREIGN KEY (project, revision) REFERENCES pgmig.revision (project, revision) ON DELETE RESTRICT
);
COMMENT ON TABLE pgmig.applied IS 'pgmig: the applied revisions of each project';

/* Append-only history. */
CREATE TABLE pgmig.event (
	event_id    bigserial   PRIMARY KEY,
	project     text        NOT NULL,
	at          timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	kind        text        NOT NULL CHECK (kind IN ('upload', 'replace', 'apply', 'downgrade', 'stamp', 'failure')),
	revision    text,
	target      text,
	who         name        NOT NULL DEFAULT CURRENT_USER,
	duration    interval,
	sqlstate    text,
	message     text,
	xid         xid8        NOT NULL DEFAULT pg_catalog.pg_current_xact_id()
);
CREATE INDEX event_project_idx ON pgmig.event (project, event_id);
COMMENT ON TABLE pgmig.event IS 'pgmig: append-only history of uploads, applies, downgrades, stamps and failures';

SELECT pg_catalog.pg_extension_config_dump('pgmig.revision', '');
SELECT pg_catalog.pg_extension_config_dump('pgmig.revision_upload_seq_seq', '');
SELECT pg_catalog.pg_extension_config_dump('pgmig.applied', '');
SELECT pg_catalog.pg_extension_config_dump('pgmig.event', '');
SELECT pg_catalog.pg_extension_config_dump('pgmig.event_event_id_seq', '');

/* Revisions are immutable (replacement is delete + insert, through
 * mig_upload only); the event log is append-only. */
CREATE FUNCTION pgmig.refuse_revision_update() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
	RAISE EXCEPTION 'revision "%" of project "%" is immutable', OLD.revision, OLD.project
		USING ERRCODE = 'PM020',
		      DETAIL = 'Stored revisions cannot be updated.',
		      HINT = 'Upload a new revision; a revision that is not applied can be replaced with pgmig.mig_upload(..., replace => true).';
END
$fn$;
COMMENT ON FUNCTION pgmig.refuse_revision_update() IS 'pgmig: trigger keeping revision bodies and checksums immutable';

CREATE TRIGGER revision_immutable BEFORE UPDATE ON pgmig.revision
	FOR EACH ROW EXECUTE FUNCTION pgmig.refuse_revision_update();

CREATE FUNCTION pgmig.refuse_event_change() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
	RAISE EXCEPTION 'the pgmig event log is append-only'
		USING ERRCODE = 'PM020',
		      DETAIL = pg_catalog.format('%s on pgmig.event was refused.', TG_OP);
END
$fn$;
COMMENT ON FUNCTION pgmig.refuse_event_change() IS 'pgmig: trigger keeping the event log append-only';

CREATE TRIGGER event_append_only BEFORE UPDATE OR DELETE ON pgmig.event
	FOR EACH ROW EXECUTE FUNCTION pgmig.refuse_event_change();

REVOKE ALL ON ALL TABLES IN SCHEMA pgmig FROM PUBLIC;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA pgmig FROM PUBLIC;

/* ---------------------------------------------------------------------------
 * SQL API.  All C, SECURITY INVOKER, VOLATILE where they take the project
 * lock.  Every function takes project text DEFAULT 'default' last.
 * ------------------------------------------------------------------------- */

CREATE FUNCTION pgmig.mig_upload(
	revision      text,
	up            text,
	parents       text[]  DEFAULT '{}',
	down          text    DEFAULT NULL,
	depends_on    text[]  DEFAULT '{}',
	branch_labels text[]  DEFAULT '{}',
	message       text    DEFAULT NULL,
	replace       boolean DEFAULT false,
	project       text    DEFAULT 'default',
	OUT revision  text, OUT action text, OUT transactional boolean, OUT checksum text)
RETURNS record
AS 'MODULE_PATHNAME', 'pgmig_upload' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_upload(text, text, text[], text, text[], text[], text, boolean, text)
	IS 'pgmig: parse, validate and store one revision (action: inserted, unchanged or replaced)';

CREATE FUNCTION pgmig.mig_upload_batch(
	revisions jsonb,
	replace   boolean DEFAULT false,
	project   text    DEFAULT 'default',
	OUT revision text, OUT action text, OUT transactional boolean, OUT checksum text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_upload_batch' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_upload_batch(jsonb, boolean, text)
	IS 'pgmig: parse, validate as a whole and store many revisions (a JSON array of objects with keys revision, up, parents, down, depends_on, branch_labels, message)';

CREATE FUNCTION pgmig.mig_apply(
	target  text    DEFAULT 'head',
	project text    DEFAULT 'default',
	atomic  boolean DEFAULT true,
	OUT revision text, OUT statements integer, OUT duration interval)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_apply' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_apply(text, text, boolean)
	IS 'pgmig: apply every pending ancestor of target, parents first, under the project lock';

CREATE FUNCTION pgmig.mig_downgrade(
	target  text,
	project text    DEFAULT 'default',
	atomic  boolean DEFAULT true,
	OUT revision text, OUT statements integer, OUT duration interval)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_downgrade' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_downgrade(text, text, boolean)
	IS 'pgmig: run the down bodies of applied revisions that are not ancestors of target, children first';

CREATE FUNCTION pgmig.mig_stamp(
	targets text[],
	project text DEFAULT 'default',
	OUT revision text, OUT action text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_stamp' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_stamp(text[], text)
	IS 'pgmig: make the applied set exactly the ancestors of the targets, without running SQL';

CREATE FUNCTION pgmig.mig_stamp(
	target  text,
	project text DEFAULT 'default',
	OUT revision text, OUT action text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_stamp' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_stamp(text, text)
	IS 'pgmig: make the applied set exactly the ancestors of target (base clears), without running SQL';

CREATE FUNCTION pgmig.mig_heads(
	project text DEFAULT 'default',
	OUT revision text, OUT applied boolean, OUT branch_labels text[], OUT message text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_heads' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_heads(text) IS 'pgmig: the heads of the project graph, with their applied state';

CREATE FUNCTION pgmig.mig_status(
	project text DEFAULT 'default',
	OUT current text[], OUT heads text[], OUT applied integer, OUT pending integer,
	OUT pending_revisions text[], OUT nontransactional_pending text[])
RETURNS record
AS 'MODULE_PATHNAME', 'pgmig_status' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_status(text)
	IS 'pgmig: applied heads, heads, counts and the pending revisions in apply order';

CREATE FUNCTION pgmig.mig_history(
	project text DEFAULT 'default',
	OUT event_id bigint, OUT at timestamptz, OUT kind text, OUT revision text, OUT target text,
	OUT who name, OUT duration interval, OUT sqlstate text, OUT message text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_history' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_history(text) IS 'pgmig: the event log of a project, oldest first';

REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA pgmig FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_heads(text), pgmig.mig_status(text), pgmig.mig_history(text) TO pgmig_reader;
GRANT EXECUTE ON FUNCTION pgmig.mig_upload(text, text, text[], text, text[], text[], text, boolean, text),
                          pgmig.mig_upload_batch(jsonb, boolean, text),
                          pgmig.mig_apply(text, text, boolean),
                          pgmig.mig_downgrade(text, text, boolean) TO pgmig_deployer;
GRANT EXECUTE ON FUNCTION pgmig.mig_stamp(text[], text), pgmig.mig_stamp(text, text) TO pgmig_admin;
