/*
 * client/src/project_state.cpp
 *
 * What the server says about the project and about itself (see
 * project_state.hpp): applied heads, pending revisions, whether it checks
 * pushed bodies, whether it leaves stamped revisions unlinted.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "project_state.hpp"

#include "output.hpp"

namespace pgmig::client {

/* The applied heads, for "at X" lines. */
std::vector<std::string>
CurrentHeads(Connection &conn, const Globals &g)
{
	Result r = conn.Exec("SELECT current FROM pgmig.mig_status($1::pg_catalog.text)", {g.project});
	return r.rows() > 0 ? r.Array(0, "current") : std::vector<std::string>{};
}

/* "at X, Y" or "at base (nothing applied)". */
std::string
AtText(const std::vector<std::string> &current)
{
	return current.empty() ? "at base (nothing applied)" : "at " + Join(current, ", ");
}

/* The revisions pending on the server, in apply order (mig_status). */
std::vector<std::string>
PendingRevisions(Connection &conn, const Globals &g)
{
	Result r = conn.Exec("SELECT pending_revisions FROM pgmig.mig_status($1::pg_catalog.text)", {g.project});
	return r.rows() > 0 ? r.Array(0, "pending_revisions") : std::vector<std::string>{};
}

/* Whether the server's mig_apply takes `expected` (0.5). */
bool
ServerChecksBodies(Connection &conn)
{
	Result r = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_apply(pg_catalog.text, pg_catalog.text, pg_catalog.bool, pg_catalog.int4, pg_catalog.jsonb)') "
						 "IS NOT NULL AS has");
	return r.Bool(0, "has");
}

/* Whether the server's mig_upload_batch takes `stamp_targets` (0.6). */
bool
ServerTakesStampTargets(Connection &conn)
{
	Result r = conn.Exec("SELECT pg_catalog.to_regprocedure('pgmig.mig_upload_batch(pg_catalog.jsonb, pg_catalog.bool, "
						 "pg_catalog.text, pg_catalog.text[])') IS NOT NULL AS has");
	return r.Bool(0, "has");
}

} // namespace pgmig::client
