/*
 * extension/sql/pgmig--0.1--0.2.sql - upgrade pgmig 0.1 to 0.2.
 *
 * 0.2 is what the pgmig client needs:
 *  - mig_apply and mig_downgrade take max_revisions (the client commits one
 *    revision per transaction by calling them with 1) and return the
 *    transaction id, so a client that lost its connection can ask
 *    pg_xact_status() whether the call committed;
 *  - mig_plan: what an apply or downgrade would run, statement by statement,
 *    with the locks each statement takes;
 *  - mig_revisions: every stored revision with its checksum and applied state
 *    (the client's verify compares them with the files);
 *  - non-transactional revisions (CREATE INDEX CONCURRENTLY and its kin),
 *    which no function can run: mig_begin_nontx writes a lease naming the
 *    client's backend and commits, the client runs the statement outside any
 *    transaction, mig_finish_nontx checks postconditions (an index must be
 *    valid and ready) and records it, mig_abort_nontx cleans up after a
 *    failure.  A lease whose backend is gone (client killed, connection lost,
 *    server restarted) is recovered by the next caller: an INVALID index left
 *    behind is dropped and the revision runs again.  mig_lease shows the
 *    lease, mig_recover recovers it on demand.
 *
 * Same rules as the 0.1 script: everything schema-qualified, nothing granted
 * to PUBLIC, the catalog written only by the C functions.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.2'" to load this file. \quit

/*
 * The lease of a non-transactional revision in flight: at most one per
 * project (every writer takes the project lock and looks here first).
 * object_existed records whether the object the statement creates was
 * already there when the lease was taken, so that recovery never mistakes a
 * pre-existing object for the statement's work.  Not dumped: a lease
 * describes a running backend, which a restored database does not have.
 */
CREATE TABLE pgmig.nontx_lease (
	project        text        PRIMARY KEY,
	revision       text        NOT NULL,
	direction      text        NOT NULL CHECK (direction IN ('up', 'down')),
	backend_pid    integer     NOT NULL,
	backend_start  timestamptz NOT NULL,
	started_at     timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	started_by     name        NOT NULL,
	object_existed boolean     NOT NULL DEFAULT false,
	FOREIGN KEY (project, revision) REFERENCES pgmig.revision (project, revision) ON DELETE RESTRICT
);
COMMENT ON TABLE pgmig.nontx_lease IS 'pgmig: the non-transactional revision each project is running outside a transaction, and the backend running it';
REVOKE ALL ON pgmig.nontx_lease FROM PUBLIC;

/* Recovery of a stale lease is logged as 'repair'; a lease taken as 'start'. */
ALTER TABLE pgmig.event DROP CONSTRAINT event_kind_check;
ALTER TABLE pgmig.event ADD CONSTRAINT event_kind_check
	CHECK (kind IN ('upload', 'replace', 'apply', 'downgrade', 'stamp', 'failure', 'start', 'repair'));

/* apply and downgrade: new argument max_revisions, new result column xid. */
DROP FUNCTION pgmig.mig_apply(text, text, boolean);
DROP FUNCTION pgmig.mig_downgrade(text, text, boolean);

CREATE FUNCTION pgmig.mig_apply(
	target        text    DEFAULT 'head',
	project       text    DEFAULT 'default',
	atomic        boolean DEFAULT true,
	max_revisions integer DEFAULT NULL,
	OUT revision text, OUT statements integer, OUT duration interval, OUT xid xid8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_apply' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_apply(text, text, boolean, integer)
	IS 'pgmig: apply every pending ancestor of target (at most max_revisions of them), parents first, under the project lock';

CREATE FUNCTION pgmig.mig_downgrade(
	target        text,
	project       text    DEFAULT 'default',
	atomic        boolean DEFAULT true,
	max_revisions integer DEFAULT NULL,
	OUT revision text, OUT statements integer, OUT duration interval, OUT xid xid8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_downgrade' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_downgrade(text, text, boolean, integer)
	IS 'pgmig: run the down bodies of applied revisions that are not ancestors of target (at most max_revisions of them), children first';

CREATE FUNCTION pgmig.mig_plan(
	target    text DEFAULT 'head',
	project   text DEFAULT 'default',
	direction text DEFAULT 'up',
	OUT step integer, OUT revision text, OUT statement integer, OUT line integer,
	OUT transactional boolean, OUT lock text, OUT sql text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_plan' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_plan(text, text, text)
	IS 'pgmig: what mig_apply (direction up) or mig_downgrade (down) would run, statement by statement, with the locks taken';

CREATE FUNCTION pgmig.mig_revisions(
	project text DEFAULT 'default',
	OUT revision text, OUT parents text[], OUT depends_on text[], OUT branch_labels text[], OUT message text,
	OUT transactional boolean, OUT checksum text, OUT down_checksum text,
	OUT applied boolean, OUT applied_at timestamptz, OUT how text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_revisions' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_revisions(text)
	IS 'pgmig: every stored revision of a project with its checksums and applied state, in upload order';

CREATE FUNCTION pgmig.mig_begin_nontx(
	target    text DEFAULT 'head',
	project   text DEFAULT 'default',
	direction text DEFAULT 'up',
	OUT revision text, OUT body text, OUT run_as name, OUT checksum text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_begin_nontx' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_begin_nontx(text, text, text)
	IS 'pgmig: take the lease of the next (non-transactional) revision towards target; the caller then runs body outside a transaction';

CREATE FUNCTION pgmig.mig_finish_nontx(
	revision text,
	project  text DEFAULT 'default',
	OUT revision text, OUT statements integer, OUT duration interval, OUT xid xid8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_finish_nontx' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_finish_nontx(text, text)
	IS 'pgmig: check the postconditions of a non-transactional revision this session ran, record it and release the lease';

CREATE FUNCTION pgmig.mig_abort_nontx(
	revision text,
	sqlstate text,
	message  text,
	project  text DEFAULT 'default',
	OUT action text)
RETURNS text
AS 'MODULE_PATHNAME', 'pgmig_abort_nontx' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_abort_nontx(text, text, text, text)
	IS 'pgmig: after a non-transactional statement failed: clean up what it left, record the failure, release the lease';

CREATE FUNCTION pgmig.mig_lease(
	project text DEFAULT 'default',
	OUT revision text, OUT direction text, OUT backend_pid integer, OUT started_at timestamptz,
	OUT started_by name, OUT alive boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_lease' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_lease(text)
	IS 'pgmig: the non-transactional revision in flight, if any, and whether its backend is alive';

CREATE FUNCTION pgmig.mig_recover(
	project text DEFAULT 'default',
	OUT revision text, OUT action text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_recover' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_recover(text)
	IS 'pgmig: recover the lease of a non-transactional revision whose backend is gone';

REVOKE EXECUTE ON FUNCTION pgmig.mig_apply(text, text, boolean, integer),
                           pgmig.mig_downgrade(text, text, boolean, integer),
                           pgmig.mig_plan(text, text, text),
                           pgmig.mig_revisions(text),
                           pgmig.mig_begin_nontx(text, text, text),
                           pgmig.mig_finish_nontx(text, text),
                           pgmig.mig_abort_nontx(text, text, text, text),
                           pgmig.mig_lease(text),
                           pgmig.mig_recover(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_plan(text, text, text),
                          pgmig.mig_revisions(text),
                          pgmig.mig_lease(text) TO pgmig_reader;
GRANT EXECUTE ON FUNCTION pgmig.mig_apply(text, text, boolean, integer),
                          pgmig.mig_downgrade(text, text, boolean, integer),
                          pgmig.mig_begin_nontx(text, text, text),
                          pgmig.mig_finish_nontx(text, text),
                          pgmig.mig_abort_nontx(text, text, text, text),
                          pgmig.mig_recover(text) TO pgmig_deployer;
