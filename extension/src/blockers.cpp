/*
 * extension/src/blockers.cpp
 *
 * The sessions a wait that gave up waited for (see blockers.hpp).
 *
 * Locks: takes the lock manager's partition LWLocks (GetLockConflicts) and
 * SInvalWriteLock (BackendIdGetProc) for a moment, only when it holds no
 * LWLock already.  Writes: nothing; the sampler is a signal handler that
 * copies 20 bytes of this backend's PGPROC.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <csignal>
#include <string>
#include <vector>

#include "blockers.hpp"
#include "guards.hpp"
#include "sqltext.hpp"

extern "C" {
#include "postgres.h"
#include "catalog/pg_authid_d.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/lwlock.h"
#include "storage/proc.h"
#include "storage/sinvaladt.h"
#include "utils/acl.h"
#include "utils/backend_status.h"
#include "utils/timeout.h"
#include "utils/timestamp.h"
}

namespace pgmig {

namespace {

/* The sampler's timeout, registered on first use. */
TimeoutId sampler_timeout = MAX_TIMEOUTS;

/* The last sample: the awaited lock's tag and mode (written by the signal
 * handler, read only while the timeout is off). */
volatile sig_atomic_t sampled = 0;
LOCKTAG sampled_tag;
LOCKMODE sampled_mode = NoLock;
ActivityViewer sampled_viewer;

/* The timeout handler (signal context): copies the awaited lock, if any.
 * The LOCK cannot go away while this backend is queued on it. */
extern "C" void
SampleAwaitedLock(void)
{
	volatile PGPROC *proc = MyProc;
	if (proc == NULL)
		return;
	LOCK *lock = proc->waitLock;
	if (lock == NULL)
		return;
	sampled_tag = lock->tag;
	sampled_mode = proc->waitLockMode;
	sampled = 1;
}

/* LWLock callback: notes that one is held. */
extern "C" void
NoteHeldLWLock(LWLock *, LWLockMode, void *context)
{
	*static_cast<bool *>(context) = true;
}

/* Whether the lock manager may be asked now: no LWLock held (after an error
 * that left one, the caller's rollback releases it; asking would hang). */
bool
LockManagerUsable()
{
	bool held = false;
	ForEachLWLockHeldByMe(NoteHeldLWLock, &held);
	return !held && CritSectionCount == 0;
}

/* pg_stat_activity's name of a state. */
const char *
StateName(BackendState state)
{
	switch (state) {
	case STATE_IDLE:
		return "idle";
	case STATE_RUNNING:
		return "active";
	case STATE_IDLEINTRANSACTION:
		return "idle in transaction";
	case STATE_FASTPATH:
		return "fastpath function call";
	case STATE_IDLEINTRANSACTION_ABORTED:
		return "idle in transaction (aborted)";
	case STATE_DISABLED:
		return "disabled";
	default:
		return "unknown";
	}
}

/* The first 60 characters of a query, whitespace runs as one space, quoted. */
std::string
QueryStart(const std::string &query)
{
	std::string flat;
	for (char c : query) {
		bool space = c == ' ' || c == '\n' || c == '\r' || c == '\t';
		if (space && (flat.empty() || flat.back() == ' '))
			continue;
		flat.push_back(space ? ' ' : c);
	}
	while (!flat.empty() && flat.back() == ' ')
		flat.pop_back();
	int cut = 0;
	const char *s = flat.c_str();
	int len = (int) flat.size();
	PgCall([&] { cut = pg_mbcharcliplen(s, len, 60); });
	std::string shown = core::QuoteForMessage(flat.substr(0, (std::size_t) cut), flat.size() + 1, false);
	if ((std::size_t) cut < flat.size())
		shown.insert(shown.size() - 1, "...");
	return shown;
}

/* One backend's line; `status` is its pg_stat_activity entry or null. */
std::string
Line(int pid, const PgBackendStatus *status, const ActivityViewer &viewer, TimestampTz now)
{
	std::string line = "blocked by pid " + std::to_string(pid);
	if (status == nullptr)
		return line + " (no longer visible)";
	line += " (application_name " + core::QuoteForMessage(status->st_appname ? status->st_appname : "", 200, false);
	if (!viewer.read_all && status->st_userid != viewer.role)
		return line + ", state and query: <insufficient privilege>)";
	line += std::string(", state \"") + StateName(status->st_state) + "\"";
	if (status->st_xact_start_timestamp != 0) {
		char seconds[32];
		snprintf(seconds, sizeof(seconds), "%.1f",
		         (double) Max(now - status->st_xact_start_timestamp, 0) / USECS_PER_SEC);
		line += std::string(", in its transaction for ") + seconds + " s";
	} else
		line += ", not in a transaction";
	std::string query;
	const char *raw = status->st_activity_raw;
	if (raw != nullptr && raw[0] != '\0') {
		char *clipped = nullptr;
		PgCall([&] { clipped = pgstat_clip_activity(raw); });
		query = clipped;
	}
	return line + ", query: " + QueryStart(query) + ")";
}

/* The pids (not this backend's) whose locks conflict with `mode` on `tag`,
 * sorted; -1 for a prepared transaction. */
std::vector<int>
Holders(const LOCKTAG &tag, LOCKMODE mode)
{
	std::vector<int> pids;
	if (!LockManagerUsable() || mode <= NoLock || mode > MaxLockMode)
		return pids;
	/* plain data only: the lambdas below may longjmp */
	static int found[1024];
	int n = 0;
	PgCall([&] {
		VirtualTransactionId *vxids = GetLockConflicts(&tag, mode, NULL);
		for (; VirtualTransactionIdIsValid(*vxids) && n < 1024; vxids++) {
			PGPROC *proc = vxids->backendId == InvalidBackendId ? NULL : BackendIdGetProc(vxids->backendId);
			if (vxids->backendId == InvalidBackendId)
				found[n++] = -1;
			else if (proc != NULL && proc->pid != MyProcPid)
				found[n++] = proc->pid;
		}
	});
	pids.assign(found, found + n);
	return pids;
}

} // namespace

/* See blockers.hpp. */
ActivityViewer
CurrentViewer()
{
	ActivityViewer v;
	Oid role = InvalidOid;
	bool all = false;
	PgCall([&] {
		role = GetUserId();
		all = has_privs_of_role(role, ROLE_PG_READ_ALL_STATS);
	});
	v.role = role;
	v.read_all = all;
	return v;
}

/* See blockers.hpp: one line per pid, from a fresh read of the backend
 * status table (the transaction's cached copy may predate the blocker). */
std::string
DescribeBackends(std::vector<int> pids, const ActivityViewer &viewer)
{
	std::sort(pids.begin(), pids.end());
	pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
	std::string out;
	for (int pid : pids) {
		if (!out.empty())
			out += "\n";
		if (pid < 0) {
			out += "blocked by a prepared transaction (pg_prepared_xacts shows it)";
			continue;
		}
		PgBackendStatus copy;
		bool have = false;
		TimestampTz now = 0;
		PgCall([&] {
			now = GetCurrentTimestamp();
			pgstat_clear_backend_activity_snapshot();
			int count = pgstat_fetch_stat_numbackends();
			for (int i = 1; i <= count; i++) {
				LocalPgBackendStatus *local = pgstat_fetch_stat_local_beentry(i);
				if (local != NULL && local->backendStatus.st_procpid == pid) {
					copy = local->backendStatus;
					have = true;
					break;
				}
			}
		});
		/* the strings of `copy` point into the snapshot, which lives until
		 * the next clear or the end of the transaction */
		out += Line(pid, have ? &copy : nullptr, viewer, now);
	}
	return out;
}

/* See blockers.hpp: pg_advisory_xact_lock(int4, int4) takes ExclusiveLock
 * on (database, key1, key2, 2). */
std::string
DescribeAdvisoryHolders(std::int32_t key1, std::int32_t key2, const ActivityViewer &viewer)
{
	LOCKTAG tag;
	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) key1, (uint32) key2, 2);
	return DescribeBackends(Holders(tag, ExclusiveLock), viewer);
}

/* Starts sampling (when lock waits are bounded) and notes the viewer. */
AwaitedLockSampler::AwaitedLockSampler(int lock_timeout_ms)
{
	sampled = 0;
	sampled_viewer = CurrentViewer();
	if (lock_timeout_ms <= 0)
		return;
	int interval = std::clamp(lock_timeout_ms / 4, 10, 250);
	PgCall([&] {
		if (sampler_timeout == MAX_TIMEOUTS)
			sampler_timeout = RegisterTimeout(USER_TIMEOUT, SampleAwaitedLock);
		enable_timeout_every(sampler_timeout, TimestampTzPlusMilliseconds(GetCurrentTimestamp(), interval),
		                     interval);
	});
	enabled_ = true;
}

/* Stops sampling; the last sample stays for DescribeAwaitedLockHolders.
 * (disable_timeout fails only with FATAL, which does not unwind.) */
AwaitedLockSampler::~AwaitedLockSampler()
{
	if (enabled_)
		disable_timeout(sampler_timeout, false);
}

/* See blockers.hpp. */
void
AwaitedLockSampler::NextStatement()
{
	sampled = 0;
}

/* See blockers.hpp. */
std::string
DescribeAwaitedLockHolders()
{
	if (!sampled)
		return "";
	LOCKTAG tag = sampled_tag;
	return DescribeBackends(Holders(tag, sampled_mode), sampled_viewer);
}

} // namespace pgmig
