/*
 * extension/sql/pgmig--0.7--0.8.sql - upgrade pgmig 0.7 to 0.8.
 *
 * 0.8 repairs history on purpose and on the record (issue 18):
 *  - mig_repair replaces the down body, message, parents, dependencies or
 *    branch labels of applied revisions (and their up body only when the
 *    caller states that it builds the same schema), checks the result as an
 *    upload checks a batch, and records who, why and what as a "repair"
 *    event (extension/src/repair.hpp);
 *  - the trigger revision_immutable becomes a C function of the library,
 *    which lets mig_repair's update through and refuses every other one as
 *    before (PM020): what lets it through is a flag of the library that no
 *    SQL can set.
 * The library's branch targets (X@+N, X@-N, X@base) need no catalog change.
 */

\echo Use "ALTER EXTENSION pgmig UPDATE TO '0.8'" to load this file. \quit

CREATE OR REPLACE FUNCTION pgmig.refuse_revision_update() RETURNS trigger
AS 'MODULE_PATHNAME', 'pgmig_refuse_revision_update' LANGUAGE C;
COMMENT ON FUNCTION pgmig.refuse_revision_update()
	IS 'pgmig: trigger keeping stored revisions immutable, but to mig_repair';

/* ---------------------------------------------------------------------------
 * mig_repair: each entry of revisions is a whole revision, as
 * mig_upload_batch takes it; every one must be stored and applied.  One row
 * per entry: the fields that changed (up, down, message, parents,
 * depends_on, branch_labels), empty when it was stored so.  All or nothing,
 * under the project lock.  Needs pgmig_admin, as stamp does: it changes
 * what the history says.
 * -------------------------------------------------------------------------*/
CREATE FUNCTION pgmig.mig_repair(
	revisions        jsonb,
	reason           text,
	schema_unchanged boolean DEFAULT false,
	project          text    DEFAULT 'default',
	OUT revision text, OUT changed text[])
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_repair' LANGUAGE C VOLATILE CALLED ON NULL INPUT;
COMMENT ON FUNCTION pgmig.mig_repair(jsonb, text, boolean, text)
	IS 'pgmig: replace the down body and metadata of applied revisions (the up body only with schema_unchanged), recorded with a reason';
REVOKE EXECUTE ON FUNCTION pgmig.mig_repair(jsonb, text, boolean, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_repair(jsonb, text, boolean, text) TO pgmig_admin;
