/*
 * extension/src/tamper.hpp
 *
 * The tamper guard: while a revision body runs, nothing it does may change
 * pgmig itself.
 *
 * Bodies run as the role that uploaded them, which has no privilege on
 * pgmig's catalog, so PostgreSQL's own checks refuse most attacks with 42501.
 * A role that does have privileges (a superuser's upload, the extension
 * owner's) is stopped here, with SQLSTATE PM015, whatever path the statement
 * takes (plain SQL, EXECUTE in a DO block, a function, a trigger or a rule
 * that fires during the body):
 *
 *   - INSERT, UPDATE, DELETE, MERGE, SELECT ... FOR UPDATE and COPY FROM on a
 *     table of schema pgmig (ExecutorCheckPerms_hook, which every query and
 *     COPY passes through);
 *   - creating, altering, granting on, truncating or dropping any object in
 *     schema pgmig, a trigger, policy, rule or default of one of its tables,
 *     another member of the extension (its event triggers), the schema itself
 *     or the extension (object_access_hook: OAT_POST_CREATE, OAT_POST_ALTER,
 *     OAT_TRUNCATE, OAT_DROP);
 *   - calling a function of schema pgmig (a nested mig_apply, mig_stamp, ...)
 *     or pg_advisory_unlock / _shared / _all (OAT_FUNCTION_EXECUTE, raised
 *     when an expression calling the function is initialised).  pgmig's
 *     project lock is a transaction-level advisory lock, which these functions
 *     cannot release; they are refused because a body has no business with
 *     the session's locks.
 *   - pgmig's SQL relies on pg_catalog: creating, altering or dropping an
 *     object of schema pg_catalog is refused (except inside the script of
 *     an extension being created or updated), and so is writing a system
 *     catalog directly (UPDATE pg_trigger, DELETE FROM pg_depend, ...)
 *     unless a superuser set pgmig.allow_catalog_writes for the apply.
 *
 * The same hooks enforce the uploader boundary (boundary.hpp): they refuse
 * with PM016 what would leave state in the session (PREPARE, LISTEN,
 * DISCARD, LOAD, WITH HOLD cursors, session advisory locks) and report to
 * the boundary the temporary objects, cursors and written tables that it
 * ends when the body ends.
 *
 * Role changes need no hook: a body runs under SECURITY_LOCAL_USERID_CHANGE,
 * where PostgreSQL refuses SET ROLE, SET SESSION AUTHORIZATION and
 * set_config('role', ...) with 42501; the plain statements are refused at
 * upload (PM011).
 *
 * The hooks cost one comparison when no body is running.  They are C
 * callbacks that may ereport: no C++ object with a destructor lives in them.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_TAMPER_HPP
#define PGMIG_TAMPER_HPP

namespace pgmig {

/* Installs the hooks (from _PG_init). */
void InstallTamperGuard();

/* pgmig.allow_catalog_writes: a body may write system catalogs directly
 * (superuser setting; it cannot be changed while a body runs). */
extern bool allow_catalog_writes;

} // namespace pgmig

#endif /* PGMIG_TAMPER_HPP */
