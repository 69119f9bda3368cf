/*
 * extension/src/boundary.hpp
 *
 * The uploader boundary: a body runs as the role that uploaded it, and
 * nothing the body starts may outlive it and run later as someone else.
 *
 * A body runs inside the caller's transaction and session.  Left alone,
 * several things a body can start would run after its last statement, under
 * the identity of whoever is current then (the applier, often a superuser),
 * or stay in the session for the applier's next query or, behind a pooler,
 * for the next client of the same server connection:
 *
 *   - deferred trigger events (a DEFERRABLE INITIALLY DEFERRED constraint
 *     trigger, a deferrable unique or exclusion constraint): fired at COMMIT
 *     as the current user;
 *   - cursors: a WITH HOLD cursor's query runs at COMMIT, any open cursor's
 *     on the next FETCH;
 *   - temporary objects: a TEMP VIEW or table named like a real one sits in
 *     pg_temp, in front of the session's search_path;
 *   - prepared statements, LISTEN, loaded libraries, session advisory locks.
 *
 * PostgreSQL closes the same class for its own maintenance commands with
 * SECURITY_RESTRICTED_OPERATION, which refuses most of these at once.  A body
 * cannot run restricted (that also refuses temporary tables, which data
 * migrations use), so pgmig does it in two halves:
 *
 *   - refused while a body runs (PM016, tamper.cpp's hooks): PREPARE,
 *     DEALLOCATE, LISTEN, UNLISTEN, DISCARD, LOAD, DECLARE ... WITH HOLD,
 *     CLOSE of a cursor the body did not open, and the session-level advisory
 *     lock functions;
 *   - ended by BodyBoundary::Close() after the body's last statement, still
 *     as the uploader and still under the tamper guard: the deferred events
 *     of non-RI triggers queued on the tables the body wrote are fired (SET
 *     CONSTRAINTS ... IMMEDIATE, then the initially deferred ones back to
 *     DEFERRED, so the rest of the transaction keeps their defaults); cursors
 *     the body opened are closed; temporary objects it created are dropped.
 *     RI triggers may stay deferred: they run as the table's owner.
 *
 * SET in a body ends with the revision through the GUC nest level the
 * engine opens around it.
 *
 * The hooks report to the boundary through the Boundary* functions below.
 * They are called from PostgreSQL callbacks: plain data (PostgreSQL Lists in
 * TopTransactionContext), no C++ object with a destructor, errors through
 * ereport.  The boundary belongs to the transaction it was opened in, so an
 * error that skipped the destructor cannot leave it open in the next one.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_BOUNDARY_HPP
#define PGMIG_BOUNDARY_HPP

extern "C" {
#include "postgres.h"
}

struct PortalData;

namespace pgmig {

/*
 * Opened before a body's first statement (as the caller), closed after its
 * last (as the uploader).  Marks the statements for the tamper guard for its
 * whole life, Close() included.
 */
class BodyBoundary {
public:
	BodyBoundary();
	~BodyBoundary();
	/* Ends what the body started (see the file header); throws PgError or
	 * PgmigError like a body statement. */
	void Close();
	BodyBoundary(const BodyBoundary &) = delete;
	BodyBoundary &operator=(const BodyBoundary &) = delete;

private:
	bool outermost_;
	bool closed_ = false;
};

/*
 * After a body failed and its (sub)transaction was rolled back: puts back a
 * sequence of pgmig's that the body set back (setval is not rolled back).
 * When the failure aborts the whole transaction there is no chance to: the
 * next pgmig write fails on a duplicate event id, writing nothing.
 */
void BoundaryRepair();

/* Whether a body's statements are running now (the hooks' test). */
bool BoundaryActive();

/* Called by the hooks while BoundaryActive(); C-only, may ereport. */
void BoundaryNoteTempObject(Oid classId, Oid objectId);
void BoundaryNoteWrite(Oid relid);
/* Whether the cursor `name` was open before the body started. */
bool BoundaryCursorPredates(const char *name);
/* A portal other than the body's own is starting: a cursor the body opened. */
void BoundaryNotePortal(::PortalData *portal);

} // namespace pgmig

#endif /* PGMIG_BOUNDARY_HPP */
