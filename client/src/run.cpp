/*
 * client/src/run.cpp
 *
 * One run of up or down as the server sees it (see run.hpp).
 *
 * Design.  The applier makes one call per revision.  On a server at 0.7 or
 * later each call records what it changed from the objects it touched
 * (extension/src/fingerprint.hpp), so the run changes no setting and ends
 * with no snapshot.  Before 0.7 a fingerprint per call would cost a pass
 * over the catalog each, so the run turns pgmig.fingerprint off for its
 * transactions and records one mig_snapshot when it ends (with --atomic
 * the single call records it).  Each transaction
 * of the run also carries the run's id (pgmig.run_id, 128 random bits), so
 * that the server keeps the schema before the run in the database and not in
 * one backend's memory: behind a transaction pooler each call may reach
 * another server connection.  Older servers, without mig_snapshot or
 * pgmig.run_id, are left as they were.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "run.hpp"

#include <iostream>
#include <random>
#include <string>

#include "errors.hpp"
#include "verb_context.hpp"

namespace pgmig::client {

namespace {

/* 128 random bits in hex: the id of one client run (pgmig.run_id). */
std::string
NewRunId()
{
	std::random_device rd;
	std::string id;
	static const char kHex[] = "0123456789abcdef";
	for (int i = 0; i < 8; i++) {
		unsigned v = rd();
		for (int j = 0; j < 4; j++, v >>= 4)
			id += kHex[v & 15];
	}
	return id;
}

} // namespace

/*
 * Turns pgmig.fingerprint off for the run's transactions; false on a server
 * without mig_snapshot, and on 0.7 or later (pgmig.schema_object exists),
 * where each call records what it changed from the objects it touched, at
 * the cost of what it changed: the run leaves the setting on and records no
 * snapshot at its end.  On 0.4 to 0.6 (mig_sync exists, and with it the
 * library that knows pgmig.run_id) every transaction also names the run, so
 * the schema before the run is kept in the database, not in one backend's
 * memory: behind a transaction pooler the run's calls and its closing
 * mig_snapshot may each reach another server connection.
 */
bool
TurnOffFingerprint(Connection &conn)
{
	try {
		Result r = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_snapshot(pg_catalog.text)') IS NOT NULL AS has, "
							 "pg_catalog.to_regprocedure('pgmig.mig_sync(pg_catalog.text)') IS NOT NULL AS has_run_id, "
							 "pg_catalog.to_regclass('pgmig.schema_object') IS NOT NULL AS records_calls");
		if (r.Bool(0, "records_calls"))
			return false;
		conn.SetLocal("pgmig.fingerprint", "off");
		if (r.Bool(0, "has_run_id"))
			conn.SetLocal("pgmig.run_id", NewRunId());
		return r.Bool(0, "has");
	} catch (Error &e) {
		if (e.connection_lost)
			throw;
		RollbackQuietly(conn);
		return false;
	}
}

/* Records the schema after a run (mig_snapshot); a failure is reported, not fatal. */
void
RecordSnapshot(Connection &conn, const Globals &g)
{
	try {
		conn.ExecTx("SELECT digest FROM pgmig.mig_snapshot($1::pg_catalog.text)", {g.project});
	} catch (Error &e) {
		RollbackQuietly(conn);
		std::cerr << "pgmig: warning: the schema fingerprint was not recorded: " << e.message << "\n";
	}
}

} // namespace pgmig::client
