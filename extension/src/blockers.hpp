/*
 * extension/src/blockers.hpp
 *
 * Naming what a wait that gave up waited for: the sessions that held the
 * lock (pid, application_name, state, time in their transaction, start of
 * their query), one DETAIL line each, as pg_stat_activity would show them
 * to the caller.
 *
 * Three waits give up: the project lock (PM035, lock.cpp), a lease (PM033,
 * nontx*.cpp) and a body statement's lock (55P03, run.cpp).  The first two
 * know what they waited for.  A body statement does not: PostgreSQL leaves
 * the lock's wait queue (LockErrorCleanup) before it raises "canceling
 * statement due to lock timeout", so neither pg_blocking_pids() nor pg_locks
 * knows any more which lock it was.  AwaitedLockSampler therefore records
 * it while the wait is on: during a body, a periodic timeout (a signal
 * handler) copies MyProc's awaited lock tag and mode; after the error the
 * last copy names the lock, and its holders are looked up then.
 *
 * Everything that runs after an error (before the subtransaction or
 * transaction is rolled back) reads only the lock manager and the backend
 * status table through C calls, never SPI or the catalog, and does nothing
 * when this backend still holds an LWLock; the caller's right to see other
 * sessions' activity is decided before the wait, while the catalog is
 * usable.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_BLOCKERS_HPP
#define PGMIG_BLOCKERS_HPP

#include <cstdint>
#include <string>
#include <vector>

namespace pgmig {

/* Whose activity the caller may see: every session's (superuser or
 * pg_read_all_stats) or only its own role's. */
struct ActivityViewer {
	unsigned int role = 0;
	bool read_all = false;
};

/* The current user as a viewer of pg_stat_activity (uses the catalog). */
ActivityViewer CurrentViewer();

/* One DETAIL line per pid ("blocked by pid N (application_name ..., state
 * ..., in its transaction for N s, query: ...)"), C-only. */
std::string DescribeBackends(std::vector<int> pids, const ActivityViewer &viewer);

/* The lines for the sessions other than this one that hold the project lock
 * (advisory lock key1, key2 of this database); "" when none is left. */
std::string DescribeAdvisoryHolders(std::int32_t key1, std::int32_t key2, const ActivityViewer &viewer);

/*
 * While alive (one body's statements), samples the lock this backend waits
 * for every interval (a quarter of the lock timeout, 10 to 250 ms).  The
 * sample outlives it: DescribeAwaitedLockHolders reads it after the error.
 */
class AwaitedLockSampler {
public:
	explicit AwaitedLockSampler(int lock_timeout_ms);
	~AwaitedLockSampler();
	AwaitedLockSampler(const AwaitedLockSampler &) = delete;
	AwaitedLockSampler &operator=(const AwaitedLockSampler &) = delete;
	/* Forgets the sample: a new statement starts. */
	void NextStatement();

private:
	bool enabled_ = false;
};

/* The lines for the holders of the lock the failed statement last waited
 * for; "" when no wait was sampled or nobody holds it any more. */
std::string DescribeAwaitedLockHolders();

} // namespace pgmig

#endif /* PGMIG_BLOCKERS_HPP */
