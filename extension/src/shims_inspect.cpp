/*
 * extension/src/shims_inspect.cpp
 *
 * The read-only SQL-callable functions: mig_heads, mig_status, mig_sync,
 * mig_sync_lines, mig_history, mig_plan and mig_revisions.  Text that comes from a body (a
 * plan's statements, a failure's message) is shown only to who may read
 * bodies (MayReadBodies).  The frame is shims.hpp.
 *
 * Locks: none.  Writes: nothing (see inspect.hpp; mig_history reads
 * pgmig.event as the extension owner).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "guards.hpp"
#include "inspect.hpp"
#include "lock.hpp"
#include "shims.hpp"
#include "spi.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/acl.h"

PG_FUNCTION_INFO_V1(pgmig_heads);
PG_FUNCTION_INFO_V1(pgmig_status);
PG_FUNCTION_INFO_V1(pgmig_sync);
PG_FUNCTION_INFO_V1(pgmig_sync_lines);
PG_FUNCTION_INFO_V1(pgmig_history);
PG_FUNCTION_INFO_V1(pgmig_plan);
PG_FUNCTION_INFO_V1(pgmig_revisions);
}

using namespace pgmig;

extern "C" {

/* mig_heads(project) */
Datum
pgmig_heads(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		for (const auto &h : Heads(project))
			rs.Add({h.revision, std::string(h.applied ? "t" : "f"), ArrayLiteral(h.branch_labels), h.message});
	});
}

/* mig_status(project) */
Datum
pgmig_status(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		StatusInfo s = Status(ProjectArg(fcinfo, 0));
		return {ArrayLiteral(s.current), ArrayLiteral(s.heads), std::to_string(s.applied), std::to_string(s.pending),
		        ArrayLiteral(s.pending_revisions), ArrayLiteral(s.nontransactional_pending)};
	});
}

/* mig_sync(project): one row from pgmig.project_state. */
Datum
pgmig_sync(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		SyncInfo s = Sync(ProjectArg(fcinfo, 0)).value_or(SyncInfo{});
		return {s.digest, std::to_string(s.revisions), std::to_string(s.pending), ArrayLiteral(s.nontransactional)};
	});
}

/* mig_sync_lines(project): each stored revision's line of the sync digest, hashed. */
Datum
pgmig_sync_lines(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		for (const SyncLineInfo &l : SyncLines(ProjectArg(fcinfo, 0)))
			rs.Add({l.revision, l.line_digest, std::string(l.transactional ? "t" : "f")});
	});
}

/*
 * Whether the caller may read text that comes from bodies: a superuser or a
 * role with pgmig_deployer's privileges.  Bodies may hold secrets (a
 * password in a literal), and a reader may not see them.
 */
static bool
MayReadBodies()
{
	bool may = false;
	PgCall([&] {
		Oid deployer = get_role_oid("pgmig_deployer", true);
		may = superuser() || (OidIsValid(deployer) && has_privs_of_role(GetUserId(), deployer));
	});
	return may;
}

/* mig_history(project): the event log, read as the extension owner.  A
 * failure's message is PostgreSQL's error from the body, which may quote a
 * value of it: NULL for a reader (its SQLSTATE stays). */
Datum
pgmig_history(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		CheckProject(project);
		std::vector<Row> rows;
		{
			CatalogScope scope;
			rows = SpiQuery("SELECT event_id, at, kind, revision, target, who, duration, sqlstate, message "
			             "FROM pgmig.event WHERE project = $1 ORDER BY event_id",
			             {SqlParam::Text(project)});
		}
		bool may_see = MayReadBodies();
		for (auto &r : rows) {
			if (!may_see && r[2] == "failure")
				r[8] = std::nullopt;
			rs.Add(r);
		}
	});
}

/* mig_plan(target, project, direction) */
Datum
pgmig_plan(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		const TargetProjectDirection args = ReadTargetProjectDirection(fcinfo);
		const std::string &target = args.target, &project = args.project;
		const bool down = args.down;
		/* the statements' text only for who may run them */
		bool may_see = MayReadBodies();
		for (const auto &p : PlanStatements(project, target, down))
			rs.Add({std::to_string(p.step), p.revision, std::to_string(p.statement), std::to_string(p.line),
			        std::string(p.transactional ? "t" : "f"), p.lock, may_see ? Value(p.sql) : std::nullopt});
	});
}

/* mig_revisions(project) */
Datum
pgmig_revisions(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		for (const auto &r : Revisions(project))
			rs.Add(r);
	});
}

} /* extern "C" */
