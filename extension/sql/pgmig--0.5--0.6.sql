/*
 * extension/sql/pgmig--0.5--0.6.sql - upgrade pgmig 0.5 to 0.6.
 *
 * 0.6 lets CI see what production will see (issue 16):
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.6'" to load this file. \quit

/* --- upload: revisions about to be stamped are not linted --- */

/*
 * mig_upload_batch takes stamp_targets: the targets the caller stamps as
 * applied (mig_baseline or mig_stamp) in the same transaction.  The
 * revisions the call stores among them and their ancestors, resolved as the
 * stamp resolves them in the uploaded graph, are not linted: lint asks what
 * a body breaks when it runs, and a stamped revision never runs (on the
 * database being adopted its objects exist, so every CREATE would be
 * L015, and a lint policy 'error' would refuse the adoption).  The pending
 * revisions of the same batch are linted as before.  The call must be made
 * in a transaction block by a role that may stamp, and the commit fails
 * (PM025) unless each revision it left unlinted is then applied by a stamp,
 * so skipping lint cannot store a body that later runs.  NULL (the default,
 * and what a client older than 0.6 sends with its three arguments) lints
 * every stored body, as before.
 */
DROP FUNCTION pgmig.mig_upload_batch(jsonb, boolean, text);
CREATE FUNCTION pgmig.mig_upload_batch(
	revisions     jsonb,
	replace       boolean DEFAULT false,
	project       text    DEFAULT 'default',
	stamp_targets text[]  DEFAULT NULL,
	OUT revision text, OUT action text, OUT transactional boolean, OUT checksum text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_upload_batch' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_upload_batch(jsonb, boolean, text, text[])
	IS 'pgmig: parse, validate as a whole and store many revisions (a JSON array of objects with keys revision, up, parents, down, depends_on, branch_labels, message); with stamp_targets, the stored ones among the targets and their ancestors are not linted and must be stamped in the same transaction';
REVOKE EXECUTE ON FUNCTION pgmig.mig_upload_batch(jsonb, boolean, text, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_upload_batch(jsonb, boolean, text, text[]) TO pgmig_deployer;
