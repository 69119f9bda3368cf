/*
 * extension/src/nontx.hpp
 *
 * Non-transactional revisions: a body of exactly one statement that cannot
 * run in a transaction block (CREATE INDEX CONCURRENTLY and its kin), so no
 * function can run it.  The protocol (see pgmig--0.1--0.2.sql):
 *
 *  1. mig_begin_nontx (autocommit, under the project lock) writes a lease
 *     naming the client's backend, the direction and the schemas the
 *     statement names its objects through, and commits; it hands the body
 *     and the role to run it as to the client (nontx.cpp).
 *  2. The client runs the statement outside any transaction.
 *  3. mig_finish_nontx checks the statement's postcondition (an index must
 *     exist, valid and ready; a dropped one must be gone) and records the
 *     revision; mig_abort_nontx cleans up what a failed statement left.
 *     Either releases the lease.  Only the backend named by the lease may
 *     call them (PM038).
 *
 * While a lease exists, every writer of the project stops (PM033) if its
 * backend is alive, and recovers it if the backend is gone
 * (nontx_recovery.cpp): the revision is recorded when its postcondition
 * holds and the object was not there before the lease, what an interrupted
 * statement left is dropped, and the revision otherwise runs again.
 *
 * Locks: the project lock (lock.hpp) in every call that writes.
 * Writes: pgmig.nontx_lease (insert on begin, delete on finish, abort and
 * recovery), pgmig.event (start, repair, failure, apply, downgrade),
 * pgmig.applied and pgmig.project_state's applied version when a revision
 * is recorded.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_NONTX_HPP
#define PGMIG_NONTX_HPP

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "apply.hpp"
#include "body.hpp"
#include "run.hpp"

namespace pgmig {

/* pgmig.lease_idle_timeout, in milliseconds (0: never): how long a lease's
 * backend may sit idle before a writer ends its session. */
extern int lease_idle_timeout_ms;

/* What mig_begin_nontx hands to the client. */
struct NontxStart {
	std::string revision;
	std::string body;
	std::string run_as;
	std::string checksum;
};

/* The lease of a non-transactional revision in flight (mig_lease). */
struct LeaseInfo {
	std::string revision;
	std::string direction;
	int backend_pid = 0;
	std::string started_at;
	std::string started_by;
	bool alive = false;
	bool object_existed = false;
	/* the schemas the statement names its objects through (0.5; nullopt for
	 * an older lease: then the current session's search_path is used) */
	std::optional<std::vector<std::string>> search_path;
	/* how long the backend has been idle outside a transaction (nullopt:
	 * not idle, or gone) */
	std::optional<double> idle_seconds;
};

/*
 * Non-transactional revisions (see pgmig--0.1--0.2.sql for the protocol).
 * BeginNontx returns nothing when no revision is pending towards target.
 */
std::optional<NontxStart> BeginNontx(const std::string &project, const std::string &target, bool down,
                                     const std::optional<Expected> &expected = {});
RunOutcome FinishNontx(const std::string &project, const std::string &revision);
std::string AbortNontx(const std::string &project, const std::string &revision, const std::string &sqlstate,
                       const std::string &message);
std::optional<LeaseInfo> Lease(const std::string &project);
/* Recovers a stale lease; returns (revision, action) or nothing when there is no lease. */
std::optional<std::pair<std::string, std::string>> Recover(const std::string &project);

/* Reads a project's lease, with whether its backend still exists. */
std::optional<LeaseInfo> ReadLease(const std::string &project);

/* PM033 for a lease held by a live backend. */
[[noreturn]] void ThrowBusy(const std::string &project, const LeaseInfo &l);

/* The statement of a non-transactional body, parsed, with its uploader. */
struct NontxBody {
	StoredBody stored;
	ParsedBody parsed;
	Oid uploader = InvalidOid;
};

/* Fetches and parses a non-transactional body, with the right to run it. */
NontxBody LoadNontxBody(const std::string &project, const std::string &revision, bool down);

/* Deletes a project's lease. */
void DropLease(const std::string &project);

/* Seconds since the lease was taken. */
double LeaseSeconds(const std::string &project);

/* How the object of a non-transactional statement stands. */
enum class ObjectState {
	kDone,     /* the statement's postcondition holds */
	kNotDone,  /* it does not; running the statement again is the way on */
	kLeftover, /* an interrupted run left an INVALID index behind: drop it */
	kUnknown,  /* no postcondition can be checked for this statement */
};

struct ObjectCheck {
	ObjectState state = ObjectState::kUnknown;
	std::string detail;                 /* a sentence for messages */
	std::vector<std::string> drop_sql;  /* for kLeftover */
};

/* Checks the postcondition of a non-transactional statement. */
ObjectCheck CheckObject(const NontxObject &o, Oid uploader, const std::optional<std::vector<std::string>> &path);

/* Drops what an interrupted statement left, as the uploader. */
void DropLeftovers(const ObjectCheck &c, Oid uploader);

/* Recovers the lease of a backend that is gone; returns what was done. */
std::string RecoverStale(const std::string &project, const LeaseInfo &l);

/* After the lock: a live lease makes the project busy, a stale one is recovered. */
void HandleLease(const std::string &project);

} // namespace pgmig

#endif /* PGMIG_NONTX_HPP */
