/*
 * extension/src/lock.cpp
 *
 * The project lock (see lock.hpp for the rules every writing verb follows).
 *
 * Locks: the project's transaction-level advisory lock ('pgmg',
 * hashtext(project)); when it cannot be had, reads the lock manager and the
 * backend status table (blockers.hpp) to name its holders in the DETAIL.
 * Writes: nothing itself; LockAndLoad may write the project's row of
 * pgmig.project_state (project_state.hpp) and recover a stale lease
 * (nontx_recovery.cpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>
#include <vector>

#include "blockers.hpp"
#include "errcodes.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "safety.hpp"
#include "spi.hpp"
#include "sqltext.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/pg_collation_d.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
}

namespace pgmig {

bool nowait = false;

/* The first key of pgmig's advisory locks: 'pgmg'.  The second is
 * hashtext(project); advisory locks are per database already. */
static constexpr int32 kLockClass = 0x70676d67;

/* Refuses a transaction snapshot; see lock.hpp. */
void
CheckIsolation(const char *function)
{
	if (IsolationUsesXactSnapshot())
		throw PgmigError(PGMIG_ERRCODE_ISOLATION,
		                 std::string("pgmig.") + function +
		                     " cannot run in a REPEATABLE READ or SERIALIZABLE transaction",
		                 "pgmig takes the project lock inside the call, but such a transaction reads with a snapshot "
		                 "taken before the lock was granted: it could miss a concurrent apply and run revisions twice.",
		                 "Call it in a READ COMMITTED transaction (the default isolation level).");
}

/*
 * Takes the project's transaction-level advisory lock.  Waits for it, up to
 * the session's lock_timeout; with pgmig.nowait, does not wait.  Either way
 * a lock that cannot be had is PM035, distinct from a body's 55P03 (which the
 * client retries with back-off) so that callers can tell them apart.
 */
void
LockProject(const std::string &project)
{
	/* decided while the catalog is usable: the timeout below is caught
	 * without a rollback, where only C reads are legal */
	ActivityViewer viewer = CurrentViewer();
	int32 key = 0;
	const char *name = project.c_str();
	PgCall([&] { key = DatumGetInt32(DirectFunctionCall1Coll(hashtext, DEFAULT_COLLATION_OID, CStringGetTextDatum(name))); });
	auto holders = [&](const char *gone) {
		std::string lines = DescribeAdvisoryHolders(kLockClass, key, viewer);
		return lines.empty() ? std::string(gone) : lines;
	};
	if (nowait) {
		std::vector<Row> rows = SpiQuery("SELECT pg_catalog.pg_try_advisory_xact_lock($1, $2)",
		                                 {SqlParam::Int4(kLockClass), SqlParam::Int4(key)});
		if (!rows.empty() && rows[0][0] && *rows[0][0] == "t")
			return;
		throw PgmigError(PGMIG_ERRCODE_LOCK_NOT_AVAILABLE,
		                 "project \"" + project + "\" is locked by another session",
		                 "pgmig.nowait is on, and another session holds the project lock:\n" +
		                     holders("(it released the lock since; it is no longer visible)"),
		                 "Retry later, or wait for the lock: pgmig --wait <duration> without --nowait (in SQL, "
		                 "SET pgmig.nowait = off; lock_timeout bounds the wait).");
	}
	try {
		SpiQuery("SELECT pg_catalog.pg_advisory_xact_lock($1, $2)",
		         {SqlParam::Int4(kLockClass), SqlParam::Int4(key)});
	} catch (PgError &e) {
		if (e.sqlerrcode() != ERRCODE_LOCK_NOT_AVAILABLE)
			throw;
		/* no SPI or catalog work between the caught error and the new one:
		 * the holders come from C reads of the lock manager */
		throw PgmigError(PGMIG_ERRCODE_LOCK_NOT_AVAILABLE,
		                 "timed out waiting for the lock of project \"" + project + "\"",
		                 "Another session held the project lock for longer than lock_timeout:\n" +
		                     holders("(it released the lock since; it is no longer visible)"),
		                 "Retry later, or wait longer: pgmig --wait <duration> (in SQL, raise lock_timeout for "
		                 "this session; 0 waits without limit).");
	}
}

/* See lock.hpp. */
void
CheckProject(const std::string &project)
{
	std::string why = core::CheckProjectName(project);
	if (!why.empty())
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid project name " + core::QuoteForMessage(project, 200, false) + ": " + why,
		                 "A project name has 1 to 63 characters: ASCII letters, digits, '_', '.' or '-'.");
}

/* Lock, isolation check, lease and load, common to every verb that writes. */
ProjectState
LockAndLoad(const std::string &project, const char *function)
{
	CheckProject(project);
	CheckIsolation(function);
	LockProject(project);
	ForgetSchemaBefore();
	HandleLease(project);
	ProjectState st = LoadProject(project, true);
	if (!st.version.exists)
		WriteStateOf(project, st);
	return st;
}

} // namespace pgmig
