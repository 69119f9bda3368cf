/*
 * extension/src/apply.cpp
 *
 * mig_apply and mig_downgrade (see apply.hpp): lock and load, resolve the
 * target, refuse what cannot run here (a non-transactional revision, a
 * revision without a down body, a revision the caller did not expect), then
 * run the plan revision by revision.  atomic => false gives each revision a
 * subtransaction: a failure is recorded and the call stops there, keeping
 * the revisions before it.
 *
 * Locks: the project lock (lock.hpp); what the bodies take, each wait
 * bounded by pgmig.lock_timeout.
 * Writes: pgmig.applied and pgmig.event (events.hpp), pgmig.project_state's
 * applied version once per call (project_state.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <chrono>
#include <string>
#include <vector>

#include "apply.hpp"
#include "body.hpp"
#include "boundary.hpp"
#include "errcodes.hpp"
#include "events.hpp"
#include "lock.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "spi.hpp"

extern "C" {
#include "access/xact.h"
#include "miscadmin.h"
}

namespace pgmig {

using core::Index;

/* Fills in the transaction id of every outcome (assigning one if needed). */
void
SetXid(std::vector<RunOutcome> &out)
{
	if (out.empty())
		return;
	/* pg_current_xact_id() without a query: the top-level full xid (the
	 * call's writes have assigned it already) */
	uint64 fxid = 0;
	PgCall([&] { fxid = U64FromFullTransactionId(GetTopFullTransactionId()); });
	std::string xid = std::to_string(fxid);
	for (auto &o : out)
		o.xid = xid;
}

namespace {

/*
 * Runs the plan of apply or downgrade: on failure either re-throws (atomic)
 * or, with one subtransaction per revision, records it and stops.
 */
std::vector<RunOutcome>
RunPlan(const std::string &project, const std::string &target, const ProjectState &st, const std::vector<Index> &plan,
        bool down, bool atomic)
{
	const char *which = down ? "down" : "up";
	std::string who = CurrentUserName();
	std::vector<RunOutcome> out;
	out.reserve(plan.size());
	if (!plan.empty())
		NoteSchemaBefore();
	std::size_t n = 0;
	std::vector<bool> applied = st.applied;
	for (Index i : plan) {
		const RevisionMeta &m = st.meta[i];
		n++;
		Notice(NOTICE, "pgmig: " + std::string(down ? "downgrading" : "applying") + " " + m.id + " (" +
		                   std::to_string(n) + "/" + std::to_string(plan.size()) + ")");
		auto started = std::chrono::steady_clock::now();
		int failing_line = 0;
		std::size_t statements = 0;
		bool had_sub = false;
		try {
			StoredBody b = FetchBody(project, m.id, down);
			ParsedBody parsed = ParseBody(m.id, which, b.body, down);
			statements = parsed.statements.size();
			Oid uploader = UploaderForExecution(m.id, b.uploader);
			/* A run that survives a failure needs a subtransaction per
			 * revision; an atomic one re-throws the first error, which aborts
			 * the caller's transaction anyway.  (A subtransaction per revision
			 * also costs time that grows with the revisions before it:
			 * AtSubCommit_smgr walks every table created so far.)  A call of
			 * one revision (the client's) of a superuser's body takes one all
			 * the same: after a failure it leaves a valid transaction in which
			 * what the body did outside any transaction (setval of a pgmig
			 * sequence, which only a superuser's body can do) is put right
			 * (BoundaryRepair) before the error goes on. */
			bool privileged = false;
			PgCall([&] { privileged = superuser_arg(uploader); });
			std::optional<SubTransaction> sub;
			if (!atomic || (plan.size() == 1 && privileged)) {
				sub.emplace();
				had_sub = true;
			}
			RunStatements(m.id, which, b.body, parsed, uploader, &failing_line);
			failing_line = 0;
			double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
			RecordRun(project, m.id, down, who, target, seconds, m.checksum, n == plan.size());
			if (sub)
				sub->Commit();
			applied[i] = !down;
			out.push_back({m.id, (int) statements, seconds});
		} catch (PgError &e) {
			if (failing_line > 0)
				EnrichBodyError(e, m.id, which, failing_line, n - 1, plan.size());
			int code = e.sqlerrcode();
			if (had_sub)
				BoundaryRepair();
			if (atomic || code == ERRCODE_QUERY_CANCELED || code == ERRCODE_ASSERT_FAILURE ||
			    code == ERRCODE_ADMIN_SHUTDOWN)
				throw;
			double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
			RecordFailure(project, m.id, target, who, seconds, e);
			Notice(WARNING, std::string("pgmig: ") + e.what(),
			       "atomic => false: the " + std::to_string(out.size()) +
			           " revisions before it stay applied; the rest of the plan was not run.");
			break;
		}
	}
	/* One version for the whole call: a version per revision made a long
	 * call update the same row once per revision in one transaction. */
	if (!out.empty())
		if (std::optional<std::int64_t> version =
		        BumpApplied(project, down ? -(int) out.size() : (int) out.size()))
			CacheApplied(project, st, applied, *version);
	SetXid(out);
	return out;
}

/* Cuts a plan to its first max_revisions entries. */
void
Truncate(std::vector<Index> &plan, std::optional<int> max_revisions)
{
	if (!max_revisions)
		return;
	if (*max_revisions < 1)
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "max_revisions must be at least 1",
		                 "max_revisions = " + std::to_string(*max_revisions) + ".",
		                 "Pass NULL to run the whole plan.");
	if (plan.size() > (std::size_t) *max_revisions)
		plan.resize((std::size_t) *max_revisions);
}

} // namespace

/*
 * Refuses (PM023) to run a revision of the plan that the caller did not
 * expect with the stored checksum (see apply.hpp, Expected).  Reads who
 * uploaded the stored body only for the message.
 */
void
CheckExpected(const std::string &project, const std::string &target, const ProjectState &st,
              const std::vector<Index> &plan, const Expected &expected)
{
	for (Index i : plan) {
		const RevisionMeta &m = st.meta[i];
		auto it = expected.find(m.id);
		if (it != expected.end() && it->second == m.checksum)
			continue;
		std::vector<Row> rows;
		{
			CatalogScope scope;
			rows = SpiQuery("SELECT uploaded_by, pg_catalog.to_char(uploaded_at, 'YYYY-MM-DD HH24:MI:SS TZ') "
			                "  FROM pgmig.revision WHERE project = $1 AND revision = $2",
			                {SqlParam::Text(project), SqlParam::Text(m.id)});
		}
		std::string by = rows.empty() || !rows[0][0] ? "?" : *rows[0][0];
		std::string at = rows.empty() || !rows[0][1] ? "?" : *rows[0][1];
		if (it == expected.end())
			throw PgmigError(PGMIG_ERRCODE_NOT_EXPECTED,
			                 "revision \"" + m.id + "\" is pending towards \"" + target +
			                     "\" but is not one the caller pushed",
			                 "The caller listed the " + RevisionCount(expected.size()) +
			                     " it expects to run; \"" + m.id + "\" (checksum " + m.checksum + ", uploaded by " +
			                     by + " at " + at +
			                     ") is not among them: its folder does not have it, or it became pending after the "
			                     "caller looked.  Nothing was run.",
			                 "Apply it with a client whose folder holds it, or choose a target before it.");
		throw PgmigError(PGMIG_ERRCODE_NOT_EXPECTED,
		                 "revision \"" + m.id + "\" is not the one the caller pushed: its stored up body has checksum " +
		                     m.checksum + ", the caller's has " + it->second,
		                 "The stored body was uploaded by " + by + " at " + at +
		                     ", after the caller pushed its own: another client (another release deploying at the "
		                     "same time?) replaced the revision.  Nothing was run.",
		                 "Deploy one release at a time.  Running the release that should win again pushes its body "
		                 "back while the revision is not applied.");
	}
}

/* See apply.hpp. */
std::vector<RunOutcome>
Apply(const std::string &project, const std::string &target, bool atomic, std::optional<int> max_revisions,
      const std::optional<Expected> &expected)
{
	ProjectState st = LockAndLoad(project, "mig_apply");
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan = st.graph.UpgradePlan(targets, st.applied);
	Truncate(plan, max_revisions);
	for (std::size_t k = 0; k < plan.size(); k++) {
		const RevisionMeta &m = st.meta[plan[k]];
		if (!m.transactional)
			throw PgmigError(PGMIG_ERRCODE_NONTX_PENDING,
			                 "revision \"" + m.id + "\" is non-transactional and cannot be applied by pgmig.mig_apply",
			                 "It is pending on the way to target \"" + target + "\" after " + std::to_string(k) +
			                     " other pending revisions. Its statement cannot run inside a transaction block, so "
			                     "no SQL function can run it.",
			                 "Apply up to its parents first (pgmig.mig_apply with one of them as target), then run "
			                 "it with the pgmig client, which executes it outside a transaction.");
	}
	if (expected)
		CheckExpected(project, target, st, plan, *expected);
	return RunPlan(project, target, st, plan, false, atomic);
}

/* See apply.hpp. */
std::vector<RunOutcome>
Downgrade(const std::string &project, const std::string &target, bool atomic, std::optional<int> max_revisions)
{
	ProjectState st = LockAndLoad(project, "mig_downgrade");
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	/* a downgrade keeps the target's ancestors and the target: it must be
	 * applied (else "down X" of a pending X silently undid nothing, or a
	 * sibling branch) */
	if (target != "base" && !(target.size() > 1 && target[0] == '-'))
		for (Index i : targets)
			if (!st.applied[i])
				throw PgmigError(PGMIG_ERRCODE_TARGET_NOT_APPLIED,
				                 "downgrade target \"" + target + "\" is revision \"" + st.meta[i].id +
				                     "\", which is not applied",
				                 "A downgrade undoes the applied revisions that are not ancestors of its target, "
				                 "which stays applied; nothing was run.",
				                 "Name an applied revision (mig_status() lists the applied heads), base or -N; X@-N or X@base "
				                 "undoes one branch.");
	std::vector<Index> plan = st.graph.DowngradePlan(targets, st.applied);
	Truncate(plan, max_revisions);
	for (Index i : plan) {
		if (!st.meta[i].has_down)
			throw PgmigError(PGMIG_ERRCODE_IRREVERSIBLE,
			                 "revision \"" + st.meta[i].id + "\" has no down body and cannot be downgraded",
			                 "Downgrading to target \"" + target + "\" would undo " + RevisionCount(plan.size()) +
			                     "; nothing was run.",
			                 "Choose a target that keeps it applied, or stamp past it with pgmig.mig_stamp if its "
			                 "effects were undone by hand.");
		if (!st.meta[i].down_transactional)
			throw PgmigError(PGMIG_ERRCODE_NONTX_PENDING,
			                 "down body of revision \"" + st.meta[i].id +
			                     "\" is non-transactional and cannot run in pgmig.mig_downgrade",
			                 "Its statement cannot run inside a transaction block; nothing was run.",
			                 "Run it with the pgmig client.");
	}
	return RunPlan(project, target, st, plan, true, atomic);
}

} // namespace pgmig
