/*
 * extension/sql/pgmig--0.5--0.6.sql - upgrade pgmig 0.5 to 0.6.
 *
 * 0.6 lets CI see what production will see (issue 16):
 *  - mig_check: the pending revisions run in apply order in a rolled-back
 *    subtransaction, and each body is linted or tested in the schema it
 *    will meet there (not the catalog as it is before any of them ran);
 *    each revision is also applied on its ancestors alone, to find
 *    dependencies the graph does not declare;
 *  - mig_upload_batch(..., stamp_targets): the revisions a baseline or an
 *    import-history stamps in the same transaction are not linted (they
 *    never run), held to that stamp at commit (PM025).
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.6'" to load this file. \quit

/* ---------------------------------------------------------------------------
 * mig_check: every pending revision checked in the schema it will meet
 * (extension/src/check.hpp).  Inside one subtransaction that is rolled back,
 * the pending revisions towards target run in apply order; with mode 'lint'
 * each up body is linted just before it runs and each down body just after
 * its up body ran; with mode 'test' each revision runs up, down and up again
 * (compared with the schema each should give back), and each revision is
 * then applied on its ancestors alone, so that one that works only because
 * another branch's revision ran first is reported with that revision.
 * `batch` (mig_upload_batch's format) is uploaded inside the rolled-back
 * subtransaction first: a folder is checked without storing it.  A
 * non-transactional revision runs in its transactional form.  `revisions`
 * limits the checks to those revisions (the others run on the way).  Nothing
 * stays, nothing is recorded.  Granted to deployers only: rows quote bodies
 * and the errors they raise.
 * -------------------------------------------------------------------------*/
CREATE FUNCTION pgmig.mig_check(
	target    text   DEFAULT 'head',
	project   text   DEFAULT 'default',
	revisions text[] DEFAULT NULL,
	batch     jsonb  DEFAULT NULL,
	mode      text   DEFAULT 'test',
	OUT revision text, OUT step text, OUT result text, OUT line integer, OUT sqlstate text,
	OUT message text, OUT detail text, OUT hint text,
	OUT rule text, OUT name text, OUT severity text,
	OUT kind text, OUT identity text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_check' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_check(text, text, text[], jsonb, text)
	IS 'pgmig: each pending revision towards target linted (mode lint) or run up, down and up again and on its ancestors alone (mode test), in the schema it will meet; everything is rolled back';
REVOKE EXECUTE ON FUNCTION pgmig.mig_check(text, text, text[], jsonb, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_check(text, text, text[], jsonb, text) TO pgmig_deployer;

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
