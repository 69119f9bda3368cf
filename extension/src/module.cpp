/*
 * extension/src/module.cpp
 *
 * Module initialisation: the magic block, pgmig's settings and the tamper
 * guard's hooks (tamper.hpp).
 *
 *   pgmig.lock_timeout  lock_timeout applied to every statement of a body
 *                       (milliseconds; 0 keeps the session's setting).  It
 *                       bounds how long a DDL statement may queue for a table
 *                       lock, during which it would block every later query
 *                       on that table.
 *   pgmig.fingerprint   what each writer call records of the schema: on (the
 *                       default) what the call changed, from the objects it
 *                       touched; full: the whole schema before and after;
 *                       off: nothing (safety.hpp).
 *   pgmig.run_id        set by the client in every transaction of one run
 *                       with pgmig.fingerprint off: the schema before the
 *                       run is kept in pgmig.run_base under this id instead
 *                       of in backend memory (safety.cpp).
 *   pgmig.nowait        when on, a call that finds the project lock taken
 *                       fails at once with PM035 instead of waiting for it
 *                       (the wait is otherwise bounded by lock_timeout).
 *   pgmig.lease_idle_timeout
 *                       superuser only: a writer that finds the lease of a
 *                       non-transactional revision held by a backend idle
 *                       for longer than this (its client stalled) ends that
 *                       session, so that the lease can be recovered; 0 never.
 *   pgmig.allow_catalog_writes
 *                       superuser only: bodies may write system catalogs
 *                       directly (UPDATE pg_enum, ...), which the tamper
 *                       guard refuses otherwise.  Cannot be changed by a
 *                       body.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <climits>
#include <cstring>


#include "boundary.hpp"
#include "errcodes.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "tamper.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace {

/* pgmig.fingerprint's values; the boolean spellings of 0.6 and before stay
 * accepted (on is now the scoped record, which 0.6's on became). */
const struct config_enum_entry kFingerprintOptions[] = {
    {"off", pgmig::kFingerprintOff, false},   {"on", pgmig::kFingerprintOn, false},
    {"full", pgmig::kFingerprintFull, false}, {"true", pgmig::kFingerprintOn, true},
    {"false", pgmig::kFingerprintOff, true},  {"yes", pgmig::kFingerprintOn, true},
    {"no", pgmig::kFingerprintOff, true},     {"1", pgmig::kFingerprintOn, true},
    {"0", pgmig::kFingerprintOff, true},      {NULL, 0, false}};

/* pgmig.run_id's check: at most 64 bytes, so that it always fits the primary
 * key of pgmig.run_base (a longer value would fail deep inside an apply with
 * a btree "index row size" error).  The client sends 32 hex digits. */
bool
CheckRunId(char **newval, void **extra, GucSource source)
{
	if (*newval != NULL && strlen(*newval) > 64) {
		GUC_check_errcode(ERRCODE_INVALID_PARAMETER_VALUE);
		GUC_check_errdetail("pgmig.run_id is %zu bytes long; at most 64 are allowed.", strlen(*newval));
		return false;
	}
	return true;
}

/* pgmig.allow_catalog_writes' check: a body may not turn it on for itself. */
bool
CheckAllowCatalogWrites(bool *newval, void **extra, GucSource source)
{
	if (pgmig::BoundaryActive() && *newval != pgmig::allow_catalog_writes) {
		GUC_check_errcode(PGMIG_ERRCODE_TAMPER);
		GUC_check_errmsg("a revision body may not change pgmig.allow_catalog_writes");
		return false;
	}
	return true;
}

} // namespace

/* Defines the settings and installs the hooks; runs once per backend when the
 * library loads. */
extern "C" void
_PG_init(void)
{
	DefineCustomIntVariable("pgmig.lock_timeout",
	                        gettext_noop("Sets lock_timeout for the statements of migration bodies."),
	                        gettext_noop("A DDL statement waiting for a table lock blocks every later query on that "
	                                     "table; this bounds the wait. 0 keeps the session's lock_timeout."),
	                        &pgmig::lock_timeout_ms, 2000, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomBoolVariable("pgmig.nowait",
	                         gettext_noop("Fail at once when another session holds the project lock."),
	                         gettext_noop("Off: wait for the lock, up to lock_timeout. On: fail with SQLSTATE PM035."),
	                         &pgmig::nowait, false, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("pgmig.fingerprint",
	                         gettext_noop("What each apply, downgrade and stamp call records of the schema."),
	                         gettext_noop("on: what the call changed, read from the objects it touched, for "
	                                      "mig_drift. full: the whole schema before and after the call, and its "
	                                      "digest in the call's last event. off: nothing (a run then records its "
	                                      "change at its end with mig_snapshot)."),
	                         &pgmig::fingerprint_mode, pgmig::kFingerprintOn, kFingerprintOptions, PGC_USERSET, 0,
	                         NULL, NULL, NULL);
	DefineCustomStringVariable("pgmig.run_id",
	                           gettext_noop("Names the client run a call belongs to."),
	                           gettext_noop("With pgmig.fingerprint off, the schema before the run is kept in "
	                                        "pgmig.run_base under this id for the run's mig_snapshot, whichever "
	                                        "server connection each call reaches."),
	                           &pgmig::run_id, "", PGC_USERSET, 0, CheckRunId, NULL, NULL);
	DefineCustomIntVariable("pgmig.lease_idle_timeout",
	                        gettext_noop("Ends the session of a non-transactional revision's lease holder idle this long."),
	                        gettext_noop("A client that stalls while it holds the lease would block every writer of "
	                                     "the project for as long as its session lives. 0 waits without limit."),
	                        &pgmig::lease_idle_timeout_ms, 5 * 60 * 1000, 0, INT_MAX, PGC_SUSET, GUC_UNIT_MS, NULL,
	                        NULL, NULL);
	DefineCustomBoolVariable("pgmig.allow_catalog_writes",
	                         gettext_noop("Let migration bodies write system catalogs directly."),
	                         gettext_noop("Off: a body's INSERT, UPDATE or DELETE on a pg_catalog table fails with "
	                                      "PM015. Only a superuser can change it, and not from inside a body."),
	                         &pgmig::allow_catalog_writes, false, PGC_SUSET, 0, CheckAllowCatalogWrites, NULL, NULL);
	MarkGUCPrefixReserved("pgmig");
	pgmig::InstallTamperGuard();
}
