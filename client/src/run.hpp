/*
 * client/src/run.hpp
 *
 * One run of up or down as the server sees it: fingerprint off for its
 * calls, named by a run id, one schema snapshot at its end.  See run.cpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_RUN_HPP
#define PGMIG_CLIENT_RUN_HPP

#include "conn.hpp"
#include "verbs.hpp"

namespace pgmig::client {

/* Turns pgmig.fingerprint off (and names the run) for the run's
 * transactions; false on a server without mig_snapshot. */
bool TurnOffFingerprint(Connection &conn);
/* Records the schema after a run (mig_snapshot); a failure is reported, not fatal. */
void RecordSnapshot(Connection &conn, const Globals &g);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_RUN_HPP */
