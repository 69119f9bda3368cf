/*
 * extension/sql/pgmig--0.4--0.5.sql - upgrade pgmig 0.4 to 0.5.
 *
 * 0.5 keeps promises at the edges (issue 14):
 *  - mig_apply and mig_begin_nontx take `expected`, a JSON object mapping
 *    revision ids to the checksums of the up bodies the caller pushed.
 *    Given, every revision the call would run must be in it with the stored
 *    checksum, or the call fails with PM023 before anything runs: a client
 *    applies exactly the bodies it pushed, even when another release pushed
 *    other bodies for the same pending revisions in between, and never a
 *    revision its folder does not have.  NULL (the default, and what a psql
 *    user passes) checks nothing, as before;
 *  - nontx_lease.search_path: the schemas, in order, through which the
 *    lease's statement names its objects, resolved when the lease is taken
 *    in the session that runs the statement (as the uploader).  Recovery by
 *    another session resolves the statement's index and table through that
 *    list, not through its own search_path: a statement run by a role whose
 *    search_path is app, recovered by a DBA whose search_path is public, is
 *    checked in app.  NULL for a lease taken before 0.5;
 *  - mig_record_failure: the client records the failure of a body it ran
 *    (its transaction rolled back, so nothing else records it);
 *  - checksums are computed over a body's UTF-8 form, the text of the file
 *    the client read, whatever the database's encoding: in a LATIN1 or
 *    EUC_JP database the server's checksum of a body with non-ASCII text no
 *    longer differs from the client's (verify called such a revision
 *    changed).  In such a database this script computes the stored
 *    checksums again (and the applied rows' checksums with them); the
 *    project summary rows are dropped and written again by the next upload
 *    or apply.  In a UTF8 or SQL_ASCII database nothing changes;
 *  - readers no longer see statement text: pgmig_reader keeps every column
 *    of pgmig.ddl_log but `statement` (DDL run outside pgmig may hold
 *    secrets, as bodies may: CREATE USER MAPPING ... OPTIONS (password ...),
 *    a function's source); pgmig_deployer, who may read bodies, reads it
 *    (mig_plan's statements are shown on the same terms).
 *
 * Same rules as the earlier scripts: the search_path is pinned, operators
 * are qualified, nothing is granted to PUBLIC.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.5'" to load this file. \quit

SET LOCAL search_path = pg_catalog, pg_temp;

DROP FUNCTION pgmig.mig_apply(text, text, boolean, integer);
CREATE FUNCTION pgmig.mig_apply(
	target        text    DEFAULT 'head',
	project       text    DEFAULT 'default',
	atomic        boolean DEFAULT true,
	max_revisions integer DEFAULT NULL,
	expected      jsonb   DEFAULT NULL,
	OUT revision text, OUT statements integer, OUT duration interval, OUT xid xid8)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_apply' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_apply(text, text, boolean, integer, jsonb)
	IS 'pgmig: apply every pending ancestor of target (at most max_revisions of them), parents first, under the project lock; with expected ({revision: checksum}), only bodies the caller pushed';

DROP FUNCTION pgmig.mig_begin_nontx(text, text, text);
CREATE FUNCTION pgmig.mig_begin_nontx(
	target    text  DEFAULT 'head',
	project   text  DEFAULT 'default',
	direction text  DEFAULT 'up',
	expected  jsonb DEFAULT NULL,
	OUT revision text, OUT body text, OUT run_as name, OUT checksum text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_begin_nontx' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_begin_nontx(text, text, text, jsonb)
	IS 'pgmig: take the lease of the next (non-transactional) revision towards target; the caller then runs body outside a transaction';

REVOKE EXECUTE ON FUNCTION pgmig.mig_apply(text, text, boolean, integer, jsonb),
                           pgmig.mig_begin_nontx(text, text, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_apply(text, text, boolean, integer, jsonb),
                          pgmig.mig_begin_nontx(text, text, text, jsonb) TO pgmig_deployer;

/*
 * A failure the caller saw and rolled back with its transaction, recorded
 * afterwards (the client commits one revision per transaction, so the
 * failure of a body leaves nothing in the history otherwise).
 */
CREATE FUNCTION pgmig.mig_record_failure(
	revision  text,
	direction text,
	sqlstate  text,
	message   text,
	project   text DEFAULT 'default')
RETURNS void
AS 'MODULE_PATHNAME', 'pgmig_record_failure' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_record_failure(text, text, text, text, text)
	IS 'pgmig: record in the history the failure of a revision''s body that the caller saw and rolled back';
REVOKE EXECUTE ON FUNCTION pgmig.mig_record_failure(text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_record_failure(text, text, text, text, text) TO pgmig_deployer;

ALTER TABLE pgmig.nontx_lease ADD COLUMN search_path text[];
COMMENT ON COLUMN pgmig.nontx_lease.search_path
	IS 'pgmig: the schemas through which the statement names its objects, as resolved for the uploader in the session that runs it';

/* Checksums over UTF-8: computed again in a database of another encoding. */
CREATE FUNCTION pgmig.upgrade_body_checksum(body text) RETURNS text
AS 'MODULE_PATHNAME', 'pgmig_upgrade_body_checksum' LANGUAGE C STRICT;
REVOKE EXECUTE ON FUNCTION pgmig.upgrade_body_checksum(text) FROM PUBLIC;
DO $rehash$
BEGIN
	IF pg_catalog.current_setting('server_encoding') OPERATOR(pg_catalog.<>) ALL (ARRAY['UTF8', 'SQL_ASCII']) THEN
		UPDATE pgmig.applied a
		   SET checksum = pgmig.upgrade_body_checksum(r.up_body)
		  FROM pgmig.revision r
		 WHERE a.project OPERATOR(pg_catalog.=) r.project AND a.revision OPERATOR(pg_catalog.=) r.revision
		   AND a.checksum OPERATOR(pg_catalog.=) r.checksum
		   AND r.checksum OPERATOR(pg_catalog.<>) pgmig.upgrade_body_checksum(r.up_body);
		ALTER TABLE pgmig.revision DISABLE TRIGGER revision_immutable;
		UPDATE pgmig.revision
		   SET checksum = pgmig.upgrade_body_checksum(up_body),
		       down_checksum = pgmig.upgrade_body_checksum(down_body)
		 WHERE checksum OPERATOR(pg_catalog.<>) pgmig.upgrade_body_checksum(up_body)
		    OR down_checksum OPERATOR(pg_catalog.<>) pgmig.upgrade_body_checksum(down_body);
		ALTER TABLE pgmig.revision ENABLE TRIGGER revision_immutable;
		DELETE FROM pgmig.project_state;
	END IF;
END
$rehash$;
DROP FUNCTION pgmig.upgrade_body_checksum(text);

/* Readers see which DDL ran outside pgmig, not its text. */
REVOKE SELECT ON pgmig.ddl_log FROM pgmig_reader;
GRANT SELECT (log_id, at, command_tag, object_type, object_identity, role_name, session_user_name, application,
              backend_pid, xid) ON pgmig.ddl_log TO pgmig_reader;
GRANT SELECT ON pgmig.ddl_log TO pgmig_deployer;
