/*
 * extension/sql/pgmig--0.6--0.7.sql - upgrade pgmig 0.6 to 0.7.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.7'" to load this file. \quit

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
