/*
 * extension/src/nontx.cpp
 *
 * The protocol of a non-transactional revision (see nontx.hpp): the lease
 * row, mig_begin_nontx, mig_finish_nontx, mig_abort_nontx and mig_lease.
 * The postcondition checks and the recovery of a lost lease are in
 * nontx_recovery.cpp.
 *
 * Locks: the project lock in begin (through LockAndLoad), finish and abort;
 * mig_lease takes none.
 * Writes: pgmig.nontx_lease (insert on begin, delete on finish and abort),
 * pgmig.event (start, failure; apply or downgrade on finish), pgmig.applied
 * and pgmig.project_state's applied version on finish.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "blockers.hpp"
#include "body.hpp"
#include "errcodes.hpp"
#include "events.hpp"
#include "fingerprint.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "spi.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
}

namespace pgmig {

using core::Index;

/* Reads a project's lease, with whether its backend still exists.  The pid
 * and the backend's start time together name the backend (pids are reused). */
std::optional<LeaseInfo>
ReadLease(const std::string &project)
{
	std::vector<Row> rows;
	{
		CatalogScope scope;
		/* a database still at 0.1 (library updated, ALTER EXTENSION not yet run) has no leases */
		if (!PgmigRelationExists("nontx_lease"))
			return std::nullopt;
		/* search_path (0.5) read through to_jsonb, which a 0.4 lease table
		 * without the column also answers (NULL) */
		rows = SpiQuery("SELECT l.revision, l.direction, l.backend_pid, l.started_at, l.started_by, "
		                "       a.pid IS NOT NULL, "
		                "       l.object_existed, "
		                "       pg_catalog.jsonb_typeof(pg_catalog.to_jsonb(l) OPERATOR(pg_catalog.->) 'search_path'), "
		                "       (SELECT pg_catalog.string_agg(x.s, E'\\x1f' ORDER BY x.n) "
		                "          FROM pg_catalog.jsonb_array_elements_text(CASE WHEN pg_catalog.jsonb_typeof("
		                "                   pg_catalog.to_jsonb(l) OPERATOR(pg_catalog.->) 'search_path') "
		                "                   OPERATOR(pg_catalog.=) 'array' "
		                "               THEN pg_catalog.to_jsonb(l) OPERATOR(pg_catalog.->) 'search_path' END) "
		                "               WITH ORDINALITY AS x(s, n)), "
		                "       CASE WHEN a.state OPERATOR(pg_catalog.=) 'idle' THEN pg_catalog.date_part('epoch', "
		                "            pg_catalog.clock_timestamp() OPERATOR(pg_catalog.-) a.state_change) END "
		                "  FROM pgmig.nontx_lease l "
		                "  LEFT JOIN pg_catalog.pg_stat_activity a "
		                "    ON a.pid OPERATOR(pg_catalog.=) l.backend_pid "
		                "   AND a.backend_start OPERATOR(pg_catalog.=) l.backend_start "
		                " WHERE l.project = $1",
		                {SqlParam::Text(project)});
	}
	if (rows.empty())
		return std::nullopt;
	const Row &r = rows[0];
	LeaseInfo l;
	l.revision = *r[0];
	l.direction = *r[1];
	l.backend_pid = std::stoi(*r[2]);
	l.started_at = *r[3];
	l.started_by = *r[4];
	l.alive = *r[5] == "t";
	l.object_existed = *r[6] == "t";
	if (r[9])
		l.idle_seconds = std::stod(*r[9]);
	if (r[7] && *r[7] == "array") {
		l.search_path.emplace();
		for (std::size_t at = 0; r[8] && at <= r[8]->size();) {
			std::size_t end = r[8]->find('\x1f', at);
			if (end == std::string::npos)
				end = r[8]->size();
			l.search_path->push_back(r[8]->substr(at, end - at));
			at = end + 1;
		}
	}
	return l;
}

/* PM033 for a lease held by a live backend. */
[[noreturn]] void
ThrowBusy(const std::string &project, const LeaseInfo &l)
{
	throw PgmigError(PGMIG_ERRCODE_LOCK_BUSY,
	                 "project \"" + project + "\" is busy: revision \"" + l.revision +
	                     "\" is being run outside a transaction",
	                 "Backend " + std::to_string(l.backend_pid) + " (role " + l.started_by + ") started its " +
	                     (l.direction == "down" ? "down body" : "statement") + " at " + l.started_at +
	                     "; nothing else runs in this project until it finishes.\n" +
	                     DescribeBackends({l.backend_pid}, CurrentViewer()),
	                 "Retry when it is done (the pgmig client polls outside any transaction); "
	                 "SELECT * FROM pgmig.mig_lease('" + project + "') shows it.");
}

NontxBody
LoadNontxBody(const std::string &project, const std::string &revision, bool down)
{
	NontxBody b;
	b.stored = FetchBody(project, revision, down);
	b.parsed = ParseBody(revision, down ? "down" : "up", b.stored.body, down);
	b.uploader = UploaderForExecution(revision, b.stored.uploader);
	return b;
}

/* Deletes a project's lease. */
void
DropLease(const std::string &project)
{
	CatalogScope scope;
	SpiQuery("DELETE FROM pgmig.nontx_lease WHERE project = $1", {SqlParam::Text(project)});
}

/* Seconds since the lease was taken. */
double
LeaseSeconds(const std::string &project)
{
	CatalogScope scope;
	std::vector<Row> rows = SpiQuery("SELECT pg_catalog.date_part('epoch', pg_catalog.clock_timestamp() - started_at) "
	                                 "  FROM pgmig.nontx_lease WHERE project = $1",
	                                 {SqlParam::Text(project)});
	return rows.empty() || !rows[0][0] ? 0.0 : std::stod(*rows[0][0]);
}

namespace {

/* The lease of this backend for `revision`, or PM038. */
LeaseInfo
OwnLease(const std::string &project, const std::string &revision, const char *function)
{
	std::optional<LeaseInfo> l = ReadLease(project);
	if (!l || l->revision != revision || l->backend_pid != MyProcPid)
		throw PgmigError(PGMIG_ERRCODE_NO_LEASE,
		                 "this session holds no lease for revision \"" + revision + "\" of project \"" + project +
		                     "\"",
		                 l ? "The lease is for revision \"" + l->revision + "\", held by backend " +
		                         std::to_string(l->backend_pid) + "."
		                   : "No non-transactional revision of this project is in flight.",
		                 std::string("pgmig.") + function +
		                     " must be called by the session that called pgmig.mig_begin_nontx.");
	return *l;
}

} // namespace

/* See nontx.hpp. */
std::optional<NontxStart>
BeginNontx(const std::string &project, const std::string &target, bool down, const std::optional<Expected> &expected)
{
	bool in_block = false;
	PgCall([&] { in_block = IsTransactionBlock(); });
	if (in_block)
		throw PgmigError(ERRCODE_ACTIVE_SQL_TRANSACTION,
		                 "pgmig.mig_begin_nontx must be called outside a transaction block",
		                 "Its lease must be committed before the statement runs, and the statement cannot run in a "
		                 "transaction block either.",
		                 "Call it in autocommit mode (the pgmig client does).");
	ProjectState st = LockAndLoad(project, "mig_begin_nontx");
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan =
	    down ? st.graph.DowngradePlan(targets, st.applied) : st.graph.UpgradePlan(targets, st.applied);
	if (plan.empty())
		return std::nullopt;
	const RevisionMeta &m = st.meta[plan[0]];
	if (down && !m.has_down)
		throw PgmigError(PGMIG_ERRCODE_IRREVERSIBLE,
		                 "revision \"" + m.id + "\" has no down body and cannot be downgraded");
	bool nontx = down ? !m.down_transactional : !m.transactional;
	if (!nontx)
		throw PgmigError(PGMIG_ERRCODE_NEXT_IS_TRANSACTIONAL,
		                 "the next revision towards \"" + target + "\", \"" + m.id + "\", is transactional",
		                 "pgmig.mig_begin_nontx is only for revisions whose statement cannot run in a transaction.",
		                 std::string("Run it with pgmig.") + (down ? "mig_downgrade" : "mig_apply") + "(..., max_revisions => 1).");
	if (expected && !down)
		CheckExpected(project, target, st, {plan[0]}, *expected);
	NontxBody b = LoadNontxBody(project, m.id, down);
	const NontxObject &o = b.parsed.statements.at(0).object;
	/* the schemas this session, as the uploader, names the statement's
	 * objects through: the statement runs here, its recovery may not */
	std::vector<std::string> path = RelationSearchPath(b.uploader);
	bool existed = false;
	if (o.kind == NontxObject::Kind::kCreateIndex) {
		ObjectCheck c = CheckObject(o, b.uploader, path);
		if (c.state == ObjectState::kLeftover)
			throw PgmigError(PGMIG_ERRCODE_POSTCONDITION,
			                 "revision \"" + m.id + "\" cannot start: " + c.detail,
			                 "The index exists before the revision ran, so it is not this revision's work.",
			                 "Drop it (DROP INDEX CONCURRENTLY) and run the revision again.");
		existed = c.state == ObjectState::kDone;
	}
	NoteSchemaBefore(); /* for the fingerprint mig_finish_nontx records */
	if (ScopedRecording())
		StartTouching(true); /* the statement's objects, which mig_finish_nontx records */
	std::string who = CurrentUserName();
	{
		CatalogScope scope;
		if (PgmigColumnExists("nontx_lease", "search_path"))
			SpiQuery("INSERT INTO pgmig.nontx_lease (project, revision, direction, backend_pid, backend_start, "
			         "                               started_by, object_existed, search_path) "
			         "SELECT $1, $2, $3, a.pid, a.backend_start, $4, $5, $6 "
			         "  FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()",
			         {SqlParam::Text(project), SqlParam::Text(m.id), SqlParam::Text(down ? "down" : "up"),
			          SqlParam::Text(who), SqlParam::Bool(existed), SqlParam::TextArray(path)});
		else
			SpiQuery("INSERT INTO pgmig.nontx_lease (project, revision, direction, backend_pid, backend_start, "
			         "                               started_by, object_existed) "
			         "SELECT $1, $2, $3, a.pid, a.backend_start, $4, $5 "
			         "  FROM pg_catalog.pg_stat_activity a WHERE a.pid = pg_catalog.pg_backend_pid()",
			         {SqlParam::Text(project), SqlParam::Text(m.id), SqlParam::Text(down ? "down" : "up"),
			          SqlParam::Text(who), SqlParam::Bool(existed)});
	}
	RecordEvent(project, "start", m.id, target,
	            std::string(down ? "down body" : "statement") + " handed to backend " +
	                std::to_string(MyProcPid) + " to run outside a transaction");
	char *role = nullptr;
	PgCall([&] { role = GetUserNameFromId(b.uploader, false); });
	return NontxStart{m.id, b.stored.body, role, b.stored.checksum};
}

/* See nontx.hpp. */
RunOutcome
FinishNontx(const std::string &project, const std::string &revision)
{
	CheckProject(project);
	CheckIsolation("mig_finish_nontx");
	LockProject(project);
	LeaseInfo l = OwnLease(project, revision, "mig_finish_nontx");
	bool down = l.direction == "down";
	NontxBody b = LoadNontxBody(project, revision, down);
	ObjectCheck c = CheckObject(b.parsed.statements.at(0).object, b.uploader, l.search_path);
	if (c.state == ObjectState::kNotDone || c.state == ObjectState::kLeftover)
		throw PgmigError(PGMIG_ERRCODE_POSTCONDITION,
		                 "revision \"" + revision + "\" did not take effect: " + c.detail,
		                 "The statement reported success, but its postcondition does not hold; the revision is not "
		                 "recorded.",
		                 "Call pgmig.mig_abort_nontx to clean up and release the lease, then run it again.");
	double seconds = LeaseSeconds(project);
	std::string who = CurrentUserName();
	std::string checksum = b.stored.checksum;
	if (down) {
		CatalogScope scope;
		std::vector<Row> rows = SpiQuery("SELECT checksum FROM pgmig.revision WHERE project = $1 AND revision = $2",
		                                 {SqlParam::Text(project), SqlParam::Text(revision)});
		checksum = *rows.at(0).at(0);
	}
	RecordRun(project, revision, down, who, revision, seconds, checksum, true);
	BumpApplied(project, down ? -1 : 1);
	DropLease(project);
	std::vector<RunOutcome> out{{revision, 1, seconds, ""}};
	SetXid(out);
	return out[0];
}

/* See nontx.hpp. */
std::string
AbortNontx(const std::string &project, const std::string &revision, const std::string &sqlstate,
           const std::string &message)
{
	CheckProject(project);
	CheckIsolation("mig_abort_nontx");
	LockProject(project);
	LeaseInfo l = OwnLease(project, revision, "mig_abort_nontx");
	bool down = l.direction == "down";
	NontxBody b = LoadNontxBody(project, revision, down);
	ObjectCheck c = CheckObject(b.parsed.statements.at(0).object, b.uploader, l.search_path);
	std::string action = "released";
	if (c.state == ObjectState::kLeftover) {
		DropLeftovers(c, b.uploader);
		action = "dropped what the failed statement left (" + c.detail + "); released";
	}
	RecordEvent(project, "failure", revision, "", message, sqlstate.empty() ? std::nullopt : std::optional(sqlstate));
	DropLease(project);
	return action;
}

/* See nontx.hpp.  Read-only: no lock. */
std::optional<LeaseInfo>
Lease(const std::string &project)
{
	CheckProject(project);
	return ReadLease(project);
}

} // namespace pgmig
