/*
 * extension/sql/pgmig--0.6--0.7.sql - upgrade pgmig 0.6 to 0.7.
 *
 * 0.7 makes the everyday deploy cost what is new (issue 17):
 *  - each apply, downgrade and finished non-transactional revision records
 *    what it changed from the objects it touched (fingerprint.hpp), not by
 *    fingerprinting the whole schema before and after: the record costs
 *    what the call changed, whatever the schema holds;
 *  - pgmig.schema_object holds the schema as pgmig knows it, one row per
 *    object, kept by every record; mig_drift compares the live schema with
 *    it, and a call's record reads the rows of the objects it touched by
 *    primary key;
 *  - mig_fingerprint is the library's query (one text for the whole schema
 *    and for the touched objects, so that both print the same rows);
 *  - mig_sync_lines: push sends only the files the server does not hold
 *    identically, not the whole folder, when anything differs.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.7'" to load this file. \quit

/* ---------------------------------------------------------------------------
 * The schema as pgmig knows it: the latest 'full' row of pgmig.schema_change
 * with every later 'delta' applied, one row per object, written by the C
 * functions in the transaction of the record that changes it (event_id
 * names that schema_change row).  Identities compare in byte order, so that
 * the rows of one table ("<schema>.<table>.<name>") are one range of the
 * primary key.
 * ------------------------------------------------------------------------- */
CREATE TABLE pgmig.schema_object (
	kind       text COLLATE pg_catalog."C" NOT NULL,
	identity   text COLLATE pg_catalog."C" NOT NULL,
	definition text                        NOT NULL,
	event_id   bigint                      NOT NULL,
	PRIMARY KEY (kind, identity)
);
/* a call's record looks its objects' rows up by identity: "<schema>.<table>"
 * and the range "<schema>.<table>.*" hold a table's rows, whatever their kind */
CREATE INDEX schema_object_identity ON pgmig.schema_object (identity);
COMMENT ON TABLE pgmig.schema_object
	IS 'pgmig: the schema as pgmig recorded it, one row per object; mig_drift compares the live schema with it';
SELECT pg_catalog.pg_extension_config_dump('pgmig.schema_object', '');
REVOKE ALL ON pgmig.schema_object FROM PUBLIC;

INSERT INTO pgmig.schema_object (kind, identity, definition, event_id)
WITH b AS (SELECT c.event_id, c.changes FROM pgmig.schema_change c WHERE c.kind OPERATOR(pg_catalog.=) 'full'
            ORDER BY c.event_id DESC LIMIT 1),
     base AS (SELECT x.kind, x.identity, x.definition, b.event_id
                FROM b, pg_catalog.jsonb_to_recordset(b.changes) AS x(kind text, identity text, definition text)),
     chg AS (SELECT DISTINCT ON (x.kind, x.identity) x.kind, x.identity, x.definition, c.event_id
               FROM pgmig.schema_change c, b,
                    pg_catalog.jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text)
              WHERE c.kind OPERATOR(pg_catalog.=) 'delta' AND c.event_id OPERATOR(pg_catalog.>) b.event_id
              ORDER BY x.kind, x.identity, c.event_id DESC)
SELECT base.kind, base.identity, base.definition, base.event_id FROM base
 WHERE NOT EXISTS (SELECT 1 FROM chg WHERE chg.kind OPERATOR(pg_catalog.=) base.kind
                                       AND chg.identity OPERATOR(pg_catalog.=) base.identity)
UNION ALL
SELECT chg.kind, chg.identity, chg.definition, chg.event_id FROM chg WHERE chg.definition IS NOT NULL;

/* Every writer call asks whether a base exists; each call now adds a row. */
CREATE INDEX schema_change_full ON pgmig.schema_change (event_id) WHERE kind OPERATOR(pg_catalog.=) 'full';

/* A record of the touched objects has no digest of the whole schema. */
ALTER TABLE pgmig.schema_change ALTER COLUMN digest DROP NOT NULL;
COMMENT ON COLUMN pgmig.schema_change.digest
	IS 'pgmig: digest of the whole live schema when the row was written; null for a record of the objects a call touched';

/* The same rows, listed by the library (fingerprint.cpp). */
CREATE OR REPLACE FUNCTION pgmig.mig_fingerprint(OUT kind text, OUT identity text, OUT definition text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_fingerprint'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
SET jit = off;

/* ---------------------------------------------------------------------------
 * mig_sync_lines: an incremental push (issue 17).
 *
 * When the folder's sync digest differs from the one mig_sync returns, the
 * client used to send every file, and the server checked every body again
 * (0.23 ms a file: 2 s for one new file on a 10,000-revision history).
 * mig_sync_lines returns, for each stored revision, the SHA-256 of its line
 * of the sync digest (extension/core/sync.hpp: id, parents, depends_on,
 * branch labels, message and the checksums of both bodies), and whether it
 * runs in a transaction.  The client compares each with its file's line and
 * sends mig_upload_batch only the revisions the server does not hold
 * identically; the upload checks them against the stored graph, as it
 * always did for a partial batch.  No body is read: the answer comes from
 * the project's metadata (the backend's graph cache), so the upload that
 * follows in the same session finds the project loaded.  Read-only, no
 * lock; granted to readers, as mig_sync is.
 * -------------------------------------------------------------------------*/
CREATE FUNCTION pgmig.mig_sync_lines(
	project text DEFAULT 'default',
	OUT revision text, OUT line_digest text, OUT transactional boolean)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_sync_lines' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_sync_lines(text)
	IS 'pgmig: for each stored revision, the SHA-256 of its line of the sync digest and whether it is transactional, in upload order';
REVOKE EXECUTE ON FUNCTION pgmig.mig_sync_lines(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_sync_lines(text) TO pgmig_reader;
