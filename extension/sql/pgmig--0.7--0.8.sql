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
 *  - mig_schema lists the schema as SQL, one block of statements per object,
 *    sorted and in an order that loads (extension/src/schema.hpp): what the
 *    client writes to the schema file and compares between a database and
 *    the schema its migrations build in a shadow database.
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

/* ---------------------------------------------------------------------------
 * mig_schema: the schema as SQL, in load order.  The settings that change
 * how PostgreSQL prints names, constants and privileges are pinned, so the
 * text depends on the schema only, not on the session.
 * -------------------------------------------------------------------------*/
CREATE FUNCTION pgmig.mig_schema(OUT kind text, OUT identity text, OUT statement text)
RETURNS SETOF record
AS 'MODULE_PATHNAME', 'pgmig_schema'
LANGUAGE C STABLE
SET search_path = pg_catalog, pg_temp
SET datestyle = 'ISO, YMD'
SET intervalstyle = 'postgres'
SET timezone = 'UTC'
SET extra_float_digits = 1
SET bytea_output = 'hex'
SET quote_all_identifiers = off
SET jit = off;
COMMENT ON FUNCTION pgmig.mig_schema()
	IS 'pgmig: the schema as SQL, one block of statements per object, sorted and in an order that loads';
REVOKE EXECUTE ON FUNCTION pgmig.mig_schema() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION pgmig.mig_schema() TO pgmig_reader;
