/*
 * client/src/project_state.hpp
 *
 * What the server says about the project and about itself, asked by several
 * verbs: the applied heads and the "at X" text that reports them, the pending
 * revisions in apply order (both from mig_status), whether the server's
 * mig_apply checks the bodies the client pushed (0.5) and whether its
 * upload leaves the revisions a stamp covers unlinted (0.6).  Each is one query on
 * the verb's connection; none takes a lock or writes a row.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CLIENT_PROJECT_STATE_HPP
#define PGMIG_CLIENT_PROJECT_STATE_HPP

#include <string>
#include <vector>

#include "conn.hpp"
#include "verbs.hpp"

namespace pgmig::client {

/* The applied heads (mig_status), for "at X" lines. */
std::vector<std::string> CurrentHeads(Connection &conn, const Globals &g);
/* "at X, Y" or "at base (nothing applied)". */
std::string AtText(const std::vector<std::string> &current);
/* The revisions pending on the server, in apply order (mig_status). */
std::vector<std::string> PendingRevisions(Connection &conn, const Globals &g);
/* Whether the server's mig_apply takes `expected` (0.5). */
bool ServerChecksBodies(Connection &conn);
/* Whether the server's mig_upload_batch takes `stamp_targets` (0.6). */
bool ServerTakesStampTargets(Connection &conn);

} // namespace pgmig::client

#endif /* PGMIG_CLIENT_PROJECT_STATE_HPP */
