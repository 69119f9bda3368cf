/*
 * extension/sql/pgmig--0.3--0.4.sql - upgrade pgmig 0.3 to 0.4.
 *
 * 0.4 closes an install-time hole: the 0.1 script accepts a schema "pgmig"
 * that already exists when the installing role owns it, and REVOKE ALL ...
 * FROM PUBLIC does not remove grants to named roles.  A role holding CREATE
 * on that schema could then add functions next to pgmig's (overloads that
 * make documented calls ambiguous, objects mig_fingerprint does not see).
 * CREATE EXTENSION at 0.4 runs the 0.1 script and every upgrade, so this
 * check runs at install time too, and at every ALTER EXTENSION ... UPDATE
 * from 0.3: while any role other than the schema's owner (or PUBLIC) holds
 * CREATE on schema pgmig, installing or upgrading fails with 42501 and
 * changes nothing.
 *
 * 0.4 also adds pgmig.project_state, a row per project that lets the calls
 * a deploy makes most often cost the same on a long history as on a short
 * one: the version keys of the graph cache, the heads, and the sync digest
 * that mig_sync returns to the client (see the table's comment below).
 *
 * 0.4 also adds pgmig.run_base, where a client run keeps the schema as it
 * was before its first change, for the mig_snapshot that ends the run: a
 * backend's memory would not do behind a transaction pooler, where each
 * call of one run may reach another server connection.
 *
 * Same rules as the earlier scripts: the search_path is pinned, operators
 * are qualified, nothing is granted to PUBLIC.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.4'" to load this file. \quit

SET LOCAL search_path = pg_catalog, pg_temp;

DO $check$
DECLARE
	intruders text;
BEGIN
	SELECT pg_catalog.string_agg(CASE WHEN a.grantee OPERATOR(pg_catalog.=) 0 THEN 'PUBLIC'
	                                  ELSE pg_catalog.quote_ident(r.rolname) END, ', '
	                             ORDER BY r.rolname)
	  INTO intruders
	  FROM pg_catalog.pg_namespace n
	 CROSS JOIN LATERAL pg_catalog.aclexplode(n.nspacl) a
	  LEFT JOIN pg_catalog.pg_roles r ON r.oid OPERATOR(pg_catalog.=) a.grantee
	 WHERE n.nspname OPERATOR(pg_catalog.=) 'pgmig'
	   AND a.privilege_type OPERATOR(pg_catalog.=) 'CREATE'
	   AND a.grantee OPERATOR(pg_catalog.<>) n.nspowner;
	IF intruders IS NOT NULL THEN
		RAISE EXCEPTION 'schema "pgmig" grants CREATE to %', intruders
		USING ERRCODE = '42501',
		      DETAIL = 'Only the owner of schema pgmig may create objects in it: another role could add functions '
		               'next to pgmig''s.',
		      HINT = pg_catalog.format('REVOKE CREATE ON SCHEMA pgmig FROM %s; then run the command again.', intruders);
	END IF;
END
$check$;

/*
 * What a call needs to know about a project without reading its whole
 * history, one row per project, written by pgmig's functions in the same
 * transaction as the rows it describes:
 *  - graph_version and applied_version are drawn from state_version_seq by
 *    every upload that changes pgmig.revision and by every change of
 *    pgmig.applied.  A sequence never hands out a value twice, even to a
 *    transaction that rolls back, so a version names one content of the
 *    project's revisions (or applied set) for good: a backend may keep what
 *    it read under that version and reuse it while the row still shows it
 *    (the graph cache, engine.cpp);
 *  - revisions, applied, heads and nontransactional are what mig_heads and
 *    mig_sync return without loading the graph;
 *  - sync_digest is the digest of core/sync.hpp over the stored revisions,
 *    which the client compares with its folder's before uploading anything.
 * A project whose row is missing (one stored by 0.3, or a row deleted by
 * hand) is read the slow way until its next upload or apply writes the row.
 */
CREATE SEQUENCE pgmig.state_version_seq;
CREATE TABLE pgmig.project_state (
	project          text    PRIMARY KEY,
	graph_version    bigint  NOT NULL,
	applied_version  bigint  NOT NULL,
	revisions        integer NOT NULL,
	applied          integer NOT NULL,
	heads            text[]  NOT NULL,
	nontransactional text[]  NOT NULL,
	sync_digest      text    NOT NULL
);
COMMENT ON TABLE pgmig.project_state
	IS 'pgmig: per-project summary (versions, heads, counts, sync digest), kept by pgmig''s functions';
SELECT pg_catalog.pg_extension_config_dump('pgmig.project_state', '');
SELECT pg_catalog.pg_extension_config_dump('pgmig.state_version_seq', '');
REVOKE ALL ON pgmig.project_state FROM PUBLIC;
REVOKE ALL ON SEQUENCE pgmig.state_version_seq FROM PUBLIC;

/*
 * The schema before a client run's first change, keyed by the run id the
 * client sets (pgmig.run_id) in each transaction of the run: the first call
 * of the run that changes the schema with pgmig.fingerprint off writes the
 * row, the run's closing mig_snapshot records what changed since and deletes
 * it.  A row is written and deleted in the transactions of those calls, so a
 * call that rolls back leaves none; a client killed between its calls leaves
 * one, which the next run's first note deletes after a day.  Not dumped: a
 * row is only meaningful to the run that wrote it.
 */
CREATE TABLE pgmig.run_base (
	run_id   text        PRIMARY KEY,
	taken_at timestamptz NOT NULL DEFAULT pg_catalog.now(),
	objects  jsonb       NOT NULL
);
COMMENT ON TABLE pgmig.run_base
	IS 'pgmig: the schema before a client run''s first change, until the run''s mig_snapshot';
REVOKE ALL ON pgmig.run_base FROM PUBLIC;

CREATE FUNCTION pgmig.mig_sync(
	project text DEFAULT 'default',
	OUT digest text, OUT revisions integer, OUT pending integer, OUT nontransactional text[])
RETURNS record
AS 'MODULE_PATHNAME', 'pgmig_sync' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_sync(text)
	IS 'pgmig: the sync digest of the stored revisions (NULL until the project''s next upload or apply when unknown), their number, how many are pending, and the non-transactional ones';
REVOKE EXECUTE ON FUNCTION pgmig.mig_sync(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_sync(text) TO pgmig_reader;
