/*
 * extension/sql/pgmig--0.4--0.5.sql — upgrade pgmig 0.4 to 0.5.
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
 *    checked in app.  NULL for a lease taken before 0.5.
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

ALTER TABLE pgmig.nontx_lease ADD COLUMN search_path text[];
COMMENT ON COLUMN pgmig.nontx_lease.search_path
	IS 'pgmig: the schemas through which the statement names its objects, as resolved for the uploader in the session that runs it';
