/*
 * extension/src/engine.cpp
 *
 * The migration engine (see engine.hpp for the locking and execution rules).
 *
 * Catalog access goes through CatalogScope (extension owner, pinned
 * search_path); body execution through RunRevision (uploader identity,
 * subtransaction, GUC nest level).  Errors in bodies keep PostgreSQL's
 * SQLSTATE, message, detail and hint, with the revision and line put in front
 * of the message and a context line naming the statement.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "body.hpp"
#include "engine.hpp"
#include "errcodes.hpp"
#include "graph.hpp"
#include "guards.hpp"
#include "spi.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "utils/acl.h"
#include "utils/builtins.h"
}

namespace pgmig {

int lock_timeout_ms = 2000;

/* The first key of pgmig's advisory locks: 'pgmg'.  The second is
 * hashtext(project); advisory locks are per database already. */
static constexpr int32 kLockClass = 0x70676d67;

namespace {

using core::Graph;
using core::Index;
using core::ProblemKind;

/* Everything loaded about one revision. */
struct RevisionMeta {
	std::string id;
	bool transactional = true;
	bool has_down = false;
	bool down_transactional = true;
	std::string checksum;
	std::optional<std::string> down_checksum;
	std::optional<std::string> message;
	std::vector<std::string> parents;
	std::vector<std::string> depends_on;
	std::vector<std::string> branch_labels;
	bool applied = false;
};

/* A project's graph and applied set, read after the lock. */
struct ProjectState {
	std::vector<RevisionMeta> meta;
	Graph graph;
	std::vector<bool> applied;
};

/* Maps a core problem to its SQLSTATE. */
int
ProblemSqlstate(ProblemKind kind)
{
	switch (kind) {
	case ProblemKind::kInvalidId:
		return ERRCODE_INVALID_PARAMETER_VALUE;
	case ProblemKind::kDuplicateId:
		return PGMIG_ERRCODE_DUPLICATE_REVISION;
	case ProblemKind::kUnknownParent:
	case ProblemKind::kUnknownDependency:
		return PGMIG_ERRCODE_UNKNOWN_REVISION;
	case ProblemKind::kCycle:
		return PGMIG_ERRCODE_CYCLE;
	case ProblemKind::kUnknownTarget:
	case ProblemKind::kEmptyGraph:
		return PGMIG_ERRCODE_UNKNOWN_TARGET;
	case ProblemKind::kAmbiguousTarget:
		return PGMIG_ERRCODE_AMBIGUOUS_TARGET;
	case ProblemKind::kMultipleHeads:
		return PGMIG_ERRCODE_MULTIPLE_HEADS;
	case ProblemKind::kRelativeOutOfRange:
		return PGMIG_ERRCODE_RELATIVE_RANGE;
	case ProblemKind::kSelfParent:
	case ProblemKind::kDuplicateParent:
	case ProblemKind::kDuplicateLabel:
	case ProblemKind::kNone:
		break;
	}
	return PGMIG_ERRCODE_INVALID_GRAPH;
}

/* The name of the current user (the caller, outside any CatalogScope). */
std::string
CurrentUserName()
{
	const char *name = nullptr;
	PgCall([&] { name = GetUserNameFromId(GetUserId(), false); });
	return name;
}

/* Refuses a transaction snapshot; see engine.hpp. */
void
CheckIsolation(const char *function)
{
	if (IsolationUsesXactSnapshot())
		throw PgmigError(PGMIG_ERRCODE_ISOLATION,
		                 std::string("pgmig.") + function +
		                     " cannot run in a REPEATABLE READ or SERIALIZABLE transaction",
		                 "pgmig takes the project lock inside the call, but such a transaction reads with a snapshot "
		                 "taken before the lock was granted: it could miss a concurrent apply and run revisions twice.",
		                 "Call it in a READ COMMITTED transaction (the default isolation level).");
}

/* Takes the project's transaction-level advisory lock, waiting for it. */
void
LockProject(const std::string &project)
{
	SpiQuery("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
	      {SqlParam::Int4(kLockClass), SqlParam::Text(project)});
}

/* Loads a project's revisions and applied set (call after LockProject). */
ProjectState
LoadProject(const std::string &project)
{
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery("SELECT r.revision, r.transactional, r.down_body IS NOT NULL, "
		             "       COALESCE(r.down_transactional, true), r.checksum, r.down_checksum, "
		             "       r.message, pg_catalog.array_to_string(r.parents, ' '), "
		             "       pg_catalog.array_to_string(r.depends_on, ' '), "
		             "       pg_catalog.array_to_string(r.branch_labels, ' '), a.revision IS NOT NULL "
		             "  FROM pgmig.revision r LEFT JOIN pgmig.applied a "
		             "    ON a.project = r.project AND a.revision = r.revision "
		             " WHERE r.project = $1 ORDER BY r.upload_seq",
		             {SqlParam::Text(project)});
	}
	ProjectState st;
	st.meta.reserve(rows.size());
	std::vector<core::RevisionInput> inputs;
	inputs.reserve(rows.size());
	for (auto &row : rows) {
		RevisionMeta m;
		m.id = *row[0];
		m.transactional = *row[1] == "t";
		m.has_down = *row[2] == "t";
		m.down_transactional = *row[3] == "t";
		m.checksum = *row[4];
		m.down_checksum = row[5];
		m.message = row[6];
		m.parents = SplitWords(row[7]);
		m.depends_on = SplitWords(row[8]);
		m.branch_labels = SplitWords(row[9]);
		m.applied = *row[10] == "t";
		inputs.push_back({m.id, m.parents, m.depends_on, m.branch_labels});
		st.meta.push_back(std::move(m));
	}
	auto built = Graph::Build(std::move(inputs));
	if (!built.problems.empty()) {
		const auto &p = built.problems.front();
		throw PgmigError(PGMIG_ERRCODE_INVALID_GRAPH, "the stored graph of project \"" + project + "\" is invalid: " +
		                                                  p.message,
		                 "", "The catalog was changed outside pgmig's functions.");
	}
	st.graph = std::move(built.graph);
	st.applied.resize(st.meta.size());
	for (std::size_t i = 0; i < st.meta.size(); i++)
		st.applied[i] = st.meta[i].applied;
	return st;
}

/* Resolves targets or throws the problem with its SQLSTATE. */
std::vector<Index>
ResolveOrThrow(const ProjectState &st, const std::string &project, const std::vector<std::string> &targets)
{
	core::Resolution r = targets.size() == 1 ? core::ResolveTarget(st.graph, targets[0], st.applied)
	                                         : core::ResolveTargets(st.graph, targets, st.applied);
	if (!r.ok()) {
		std::string hint;
		if (r.problem.kind == ProblemKind::kMultipleHeads)
			hint = "Upload a merge revision whose parents are all the heads, or name the head to use.";
		else if (r.problem.kind == ProblemKind::kUnknownTarget)
			hint = "A target is a revision id or unique prefix, a branch label, label@head, head, heads, base, +N "
			       "or -N; SELECT * FROM pgmig.mig_heads('" +
			       project + "') lists the heads.";
		throw PgmigError(ProblemSqlstate(r.problem.kind), r.problem.message, "project \"" + project + "\"", hint);
	}
	return r.revisions;
}

/* The role OID of the uploader, checked for the right to run its body. */
Oid
UploaderForExecution(const std::string &revision, const std::string &uploader)
{
	Oid role = InvalidOid;
	bool member = false;
	const char *name = uploader.c_str();
	PgCall([&] {
		role = get_role_oid(name, true);
		if (OidIsValid(role))
			member = is_member_of_role(GetUserId(), role);
	});
	if (!OidIsValid(role))
		throw PgmigError(ERRCODE_UNDEFINED_OBJECT,
		                 "role \"" + uploader + "\" that uploaded revision \"" + revision + "\" does not exist",
		                 "pgmig runs a body as the role that uploaded it.",
		                 "Re-create the role, or replace the revision (if not applied) by uploading it again.");
	if (!member)
		throw PgmigError(ERRCODE_INSUFFICIENT_PRIVILEGE,
		                 "permission denied to run revision \"" + revision + "\" uploaded by role \"" + uploader + "\"",
		                 "pgmig runs a body as the role that uploaded it; the current role must be a member of it.",
		                 "GRANT \"" + uploader + "\" TO the applying role, or apply as the uploader.");
	return role;
}

/* What the error context callback reports about the running statement. */
struct StatementContext {
	const char *revision;
	const char *which;
	int index;
	int count;
	int line;
};

/* errcontext line for a failing statement; C-only, cannot throw. */
extern "C" void
StatementErrorCallback(void *arg)
{
	auto *c = static_cast<StatementContext *>(arg);
	errcontext("pgmig revision \"%s\" (%s), statement %d of %d, line %d", c->revision, c->which, c->index, c->count,
	           c->line);
}

/* Adds revision and line to a body error, and says what a lock timeout or a
 * full lock table means. */
void
EnrichBodyError(PgError &e, const std::string &revision, const char *which, int line, std::size_t done,
                std::size_t total)
{
	ErrorData *ed = e.data();
	std::string where = "revision \"" + revision + "\"";
	if (std::string(which) != "up")
		where += std::string(" (") + which + " body)";
	where += ", line " + std::to_string(line) + ": ";
	std::string message = where + (ed->message ? ed->message : "error");
	if (ed->sqlerrcode == ERRCODE_LOCK_NOT_AVAILABLE) {
		char setting[64];
		snprintf(setting, sizeof(setting), "%dms", lock_timeout_ms);
		e.SetDetail((std::string("The statement waited longer than lock_timeout (pgmig.lock_timeout = ") + setting +
		             ") for a table lock another session holds; pgmig bounds lock waits so that a migration never "
		             "queues behind a long query while blocking all traffic.")
		                .c_str());
		e.SetHint("Retry when the blocking session has finished (pg_blocking_pids() shows it), or raise "
		          "pgmig.lock_timeout.");
	} else if (ed->sqlerrcode == ERRCODE_OUT_OF_MEMORY && ed->message &&
	           std::string(ed->message).find("shared memory") != std::string::npos) {
		std::size_t step = done > 1 ? done / 2 : 1;
		message = "pgmig: the lock table is full after applying " + std::to_string(done) + " of " +
		          std::to_string(total) + " revisions in one transaction (" + where + ed->message + ")";
		e.SetDetail("Every table a revision creates or alters, and every revision's subtransaction, stays locked "
		            "until the transaction ends; the shared lock table holds about max_locks_per_transaction "
		            "locks per server process (max_connections, background workers and prepared transactions "
		            "included).");
		e.SetHint(("Apply in steps of at most " + std::to_string(step) + " revisions, each in its own transaction: "
		          "SELECT * FROM pgmig.mig_apply('+" + std::to_string(step) + "') until nothing is pending (the "
		          "pgmig client commits one revision per transaction by default); or raise "
		          "max_locks_per_transaction.")
		              .c_str());
	}
	e.SetMessage(message.c_str());
}

/*
 * Runs one body (already parsed) as `uploader` in the current
 * subtransaction: GUC nest level with lock_timeout, one SPI call per
 * statement.
 */
void
RunStatements(const std::string &revision, const char *which, const std::string &body, const ParsedBody &parsed,
              Oid uploader, int *failing_line)
{
	UserSwitch as_uploader(uploader, SECURITY_LOCAL_USERID_CHANGE);
	GucNestLevel nest;
	if (lock_timeout_ms > 0) {
		std::string value = std::to_string(lock_timeout_ms) + "ms";
		nest.Set("lock_timeout", value.c_str());
	}
	StatementContext ctx{revision.c_str(), which, 0, (int) parsed.statements.size(), 0};
	for (std::size_t i = 0; i < parsed.statements.size(); i++) {
		const BodyStatement &s = parsed.statements[i];
		std::string sql = body.substr(s.offset, s.length);
		ctx.index = (int) i + 1;
		ctx.line = s.line;
		*failing_line = s.line;
		ErrorContextScope scope(StatementErrorCallback, &ctx);
		int rc = 0;
		const char *text = sql.c_str();
		PgCall([&] {
			CHECK_FOR_INTERRUPTS();
			rc = SPI_execute(text, false, 0);
			if (rc >= 0 && SPI_tuptable != NULL)
				SPI_freetuptable(SPI_tuptable);
			if (rc < 0)
				ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				                errmsg("statement cannot run inside pgmig: %s", SPI_result_code_string(rc))));
		});
	}
	nest.Close();
}

/* Reads a body and its bookkeeping data. */
struct StoredBody {
	std::string body;
	std::string checksum;
	std::string uploader;
};

StoredBody
FetchBody(const std::string &project, const std::string &revision, bool down)
{
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery(down ? "SELECT down_body, down_checksum, uploaded_by FROM pgmig.revision "
		                    "WHERE project = $1 AND revision = $2"
		                  : "SELECT up_body, checksum, uploaded_by FROM pgmig.revision "
		                    "WHERE project = $1 AND revision = $2",
		             {SqlParam::Text(project), SqlParam::Text(revision)});
	}
	if (rows.empty() || !rows[0][0] || !rows[0][1])
		throw PgmigError(PGMIG_ERRCODE_UNKNOWN_REVISION, "revision \"" + revision + "\" has no stored body");
	StoredBody b{*rows[0][0], *rows[0][1], *rows[0][2]};
	if (BodyChecksum(b.body) != b.checksum)
		throw PgmigError(PGMIG_ERRCODE_CHECKSUM_MISMATCH,
		                 "stored " + std::string(down ? "down" : "up") + " body of revision \"" + revision +
		                     "\" does not match its checksum",
		                 "The body was changed in the catalog after it was uploaded (stored checksum " + b.checksum +
		                     ").",
		                 "Restore the catalog from a backup, or investigate who changed pgmig.revision directly.");
	return b;
}

/* Records a revision as applied (or no longer applied) plus its event. */
void
RecordRun(const std::string &project, const std::string &revision, bool down, const std::string &who,
          const std::string &target, double seconds, const std::string &checksum)
{
	CatalogScope scope;
	if (!down)
		SpiQuery("INSERT INTO pgmig.applied (project, revision, applied_by, duration, checksum, how) "
		      "VALUES ($1, $2, $3, pg_catalog.make_interval(secs => $4), $5, 'apply')",
		      {SqlParam::Text(project), SqlParam::Text(revision), SqlParam::Text(who), SqlParam::Float8(seconds),
		       SqlParam::Text(checksum)});
	else
		SpiQuery("DELETE FROM pgmig.applied WHERE project = $1 AND revision = $2",
		      {SqlParam::Text(project), SqlParam::Text(revision)});
	SpiQuery("INSERT INTO pgmig.event (project, kind, revision, target, who, duration) "
	      "VALUES ($1, $2, $3, $4, $5, pg_catalog.make_interval(secs => $6))",
	      {SqlParam::Text(project), SqlParam::Text(down ? "downgrade" : "apply"), SqlParam::Text(revision), SqlParam::Text(target),
	       SqlParam::Text(who), SqlParam::Float8(seconds)});
}

/* Records a failure that the call survives (atomic => false). */
void
RecordFailure(const std::string &project, const std::string &revision, const std::string &target,
              const std::string &who, double seconds, const PgError &e)
{
	char state[6];
	int code = e.sqlerrcode();
	for (int i = 0; i < 5; i++) {
		state[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	state[5] = '\0';
	CatalogScope scope;
	SpiQuery("INSERT INTO pgmig.event (project, kind, revision, target, who, duration, sqlstate, message) "
	      "VALUES ($1, 'failure', $2, $3, $4, pg_catalog.make_interval(secs => $5), $6, $7)",
	      {SqlParam::Text(project), SqlParam::Text(revision), SqlParam::Text(target), SqlParam::Text(who), SqlParam::Float8(seconds),
	       SqlParam::Text(state), SqlParam::Text(e.what())});
}

/*
 * Runs the plan of apply or downgrade: one subtransaction per revision; on
 * failure either re-throws (atomic) or records it and stops.
 */
std::vector<RunOutcome>
RunPlan(const std::string &project, const std::string &target, const ProjectState &st, const std::vector<Index> &plan,
        bool down, bool atomic)
{
	const char *which = down ? "down" : "up";
	std::string who = CurrentUserName();
	std::vector<RunOutcome> out;
	out.reserve(plan.size());
	std::size_t n = 0;
	for (Index i : plan) {
		const RevisionMeta &m = st.meta[i];
		n++;
		Notice(NOTICE, "pgmig: " + std::string(down ? "downgrading" : "applying") + " " + m.id + " (" +
		                   std::to_string(n) + "/" + std::to_string(plan.size()) + ")");
		auto started = std::chrono::steady_clock::now();
		int failing_line = 0;
		std::size_t statements = 0;
		try {
			StoredBody b = FetchBody(project, m.id, down);
			ParsedBody parsed = ParseBody(m.id, which, b.body, down);
			statements = parsed.statements.size();
			Oid uploader = UploaderForExecution(m.id, b.uploader);
			SubTransaction sub;
			RunStatements(m.id, which, b.body, parsed, uploader, &failing_line);
			failing_line = 0;
			double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
			RecordRun(project, m.id, down, who, target, seconds, m.checksum);
			sub.Commit();
			out.push_back({m.id, (int) statements, seconds});
		} catch (PgError &e) {
			if (failing_line > 0)
				EnrichBodyError(e, m.id, which, failing_line, n - 1, plan.size());
			int code = e.sqlerrcode();
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
	return out;
}

/* Lock, isolation check and load, common to every verb that writes. */
ProjectState
LockAndLoad(const std::string &project, const char *function)
{
	CheckProject(project);
	CheckIsolation(function);
	LockProject(project);
	return LoadProject(project);
}

} // namespace

/* See engine.hpp. */
void
CheckProject(const std::string &project)
{
	std::string why = core::CheckProjectName(project);
	if (!why.empty())
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid project name \"" + project + "\": " + why,
		                 "A project name has 1 to 63 characters: ASCII letters, digits, '_', '.' or '-'.");
}

/* See engine.hpp. */
std::vector<RunOutcome>
Apply(const std::string &project, const std::string &target, bool atomic)
{
	ProjectState st = LockAndLoad(project, "mig_apply");
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan = st.graph.UpgradePlan(targets, st.applied);
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
	return RunPlan(project, target, st, plan, false, atomic);
}

/* See engine.hpp. */
std::vector<RunOutcome>
Downgrade(const std::string &project, const std::string &target, bool atomic)
{
	ProjectState st = LockAndLoad(project, "mig_downgrade");
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan = st.graph.DowngradePlan(targets, st.applied);
	for (Index i : plan) {
		if (!st.meta[i].has_down)
			throw PgmigError(PGMIG_ERRCODE_IRREVERSIBLE,
			                 "revision \"" + st.meta[i].id + "\" has no down body and cannot be downgraded",
			                 "Downgrading to target \"" + target + "\" would undo " + std::to_string(plan.size()) +
			                     " revisions; nothing was run.",
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

/* See engine.hpp. */
std::vector<StampOutcome>
Stamp(const std::string &project, const std::vector<std::string> &targets)
{
	ProjectState st = LockAndLoad(project, "mig_stamp");
	if (targets.empty())
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "pgmig.mig_stamp needs at least one target",
		                 "", "Use 'base' to clear the applied set.");
	std::vector<Index> resolved = ResolveOrThrow(st, project, targets);
	std::vector<bool> want = st.graph.Ancestors(resolved);
	std::string who = CurrentUserName();
	std::string target_text;
	for (const auto &t : targets)
		target_text += (target_text.empty() ? "" : " ") + t;

	std::vector<StampOutcome> out;
	std::vector<Index> order = st.graph.Order();
	/* removals children first, then additions parents first */
	for (auto it = order.rbegin(); it != order.rend(); ++it)
		if (st.applied[*it] && !want[*it])
			out.push_back({st.meta[*it].id, "removed"});
	for (Index i : order)
		if (!st.applied[i] && want[i])
			out.push_back({st.meta[i].id, "added"});

	CatalogScope scope;
	for (const auto &o : out) {
		if (o.action == "removed")
			SpiQuery("DELETE FROM pgmig.applied WHERE project = $1 AND revision = $2",
			      {SqlParam::Text(project), SqlParam::Text(o.revision)});
		else
			SpiQuery("INSERT INTO pgmig.applied (project, revision, applied_by, checksum, how) "
			      "SELECT project, revision, $3, checksum, 'stamp' FROM pgmig.revision "
			      "WHERE project = $1 AND revision = $2",
			      {SqlParam::Text(project), SqlParam::Text(o.revision), SqlParam::Text(who)});
	}
	std::size_t added = 0;
	for (const auto &o : out)
		added += o.action == "added" ? 1 : 0;
	SpiQuery("INSERT INTO pgmig.event (project, kind, target, who, message) VALUES ($1, 'stamp', $2, $3, $4)",
	      {SqlParam::Text(project), SqlParam::Text(target_text), SqlParam::Text(who),
	       SqlParam::Text("added " + std::to_string(added) + ", removed " + std::to_string(out.size() - added))});
	return out;
}

/* See engine.hpp.  Read-only: no lock, the caller's snapshot rules. */
std::vector<HeadInfo>
Heads(const std::string &project)
{
	CheckProject(project);
	ProjectState st = LoadProject(project);
	std::vector<HeadInfo> out;
	for (Index i : st.graph.Heads())
		out.push_back({st.meta[i].id, st.applied[i], st.meta[i].branch_labels, st.meta[i].message});
	return out;
}

/* See engine.hpp. */
StatusInfo
Status(const std::string &project)
{
	CheckProject(project);
	ProjectState st = LoadProject(project);
	StatusInfo s;
	for (Index i : st.graph.AppliedHeads(st.applied))
		s.current.push_back(st.meta[i].id);
	for (Index i : st.graph.Heads())
		s.heads.push_back(st.meta[i].id);
	for (Index i : st.graph.Order()) {
		if (st.applied[i]) {
			s.applied++;
			continue;
		}
		s.pending++;
		s.pending_revisions.push_back(st.meta[i].id);
		if (!st.meta[i].transactional)
			s.nontransactional_pending.push_back(st.meta[i].id);
	}
	return s;
}

/* True when two optional strings are equal. */
static bool
SameOpt(const std::optional<std::string> &a, const std::optional<std::string> &b)
{
	return a.has_value() == b.has_value() && (!a || *a == *b);
}

/* See engine.hpp. */
std::vector<UploadOutcome>
Upload(const std::string &project, std::vector<UploadInput> inputs, bool replace)
{
	CheckProject(project);
	CheckIsolation("mig_upload");
	std::string who = CurrentUserName();

	/* 1. Each revision on its own: id, bodies. */
	struct Prepared {
		ParsedBody up;
		std::optional<ParsedBody> down;
		std::string checksum;
		std::optional<std::string> down_checksum;
	};
	std::vector<Prepared> prepared;
	prepared.reserve(inputs.size());
	std::unordered_map<std::string, std::size_t> batch_index;
	for (std::size_t k = 0; k < inputs.size(); k++) {
		UploadInput &in = inputs[k];
		std::string why = core::CheckRevisionId(in.revision);
		if (!why.empty())
			throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid revision id \"" + in.revision + "\": " + why,
			                 "A revision id has 1 to 128 characters: an ASCII letter or digit, then letters, digits, "
			                 "'_', '.' or '-'; head, heads and base are reserved.");
		if (!batch_index.emplace(in.revision, k).second)
			throw PgmigError(PGMIG_ERRCODE_DUPLICATE_REVISION,
			                 "revision \"" + in.revision + "\" appears twice in the upload",
			                 "Entries " + std::to_string(batch_index[in.revision] + 1) + " and " +
			                     std::to_string(k + 1) + " of the batch have the same id.");
		if (!in.up)
			throw PgmigError(PGMIG_ERRCODE_EMPTY_BODY, "revision \"" + in.revision + "\" has no up body");
		Prepared p;
		p.up = ParseBody(in.revision, "up", *in.up, false);
		p.checksum = BodyChecksum(*in.up);
		if (in.down) {
			p.down = ParseBody(in.revision, "down", *in.down, true);
			p.down_checksum = BodyChecksum(*in.down);
		}
		prepared.push_back(std::move(p));
	}

	/* 2. Against what is stored, under the lock. */
	LockProject(project);
	ProjectState st = LoadProject(project);
	std::unordered_map<std::string, Index> stored;
	for (Index i = 0; i < st.meta.size(); i++)
		stored.emplace(st.meta[i].id, i);

	std::vector<UploadOutcome> out(inputs.size());
	std::vector<core::RevisionInput> graph_inputs;
	graph_inputs.reserve(st.meta.size() + inputs.size());
	std::vector<bool> replaced_stored(st.meta.size(), false);
	for (std::size_t k = 0; k < inputs.size(); k++) {
		const UploadInput &in = inputs[k];
		out[k] = {in.revision, "inserted", prepared[k].up.transactional, prepared[k].checksum};
		auto it = stored.find(in.revision);
		if (it == stored.end())
			continue;
		const RevisionMeta &m = st.meta[it->second];
		bool same = m.checksum == prepared[k].checksum && SameOpt(m.down_checksum, prepared[k].down_checksum) &&
		            m.parents == in.parents && m.depends_on == in.depends_on &&
		            m.branch_labels == in.branch_labels && SameOpt(m.message, in.message);
		if (same) {
			out[k].action = "unchanged";
			continue;
		}
		std::string difference = m.checksum != prepared[k].checksum
		                             ? "Stored checksum " + m.checksum + ", uploaded " + prepared[k].checksum + "."
		                             : "Its down body, parents, dependencies, branch labels or message differ.";
		if (m.applied)
			throw PgmigError(PGMIG_ERRCODE_CHECKSUM_MISMATCH,
			                 "revision \"" + in.revision + "\" is applied and differs from the uploaded one", difference,
			                 "An applied revision never changes: write a new revision that makes the change.");
		if (!replace)
			throw PgmigError(PGMIG_ERRCODE_REVISION_EXISTS,
			                 "revision \"" + in.revision + "\" already exists with different content", difference,
			                 "It is not applied; pass replace => true to replace it.");
		out[k].action = "replaced";
		replaced_stored[it->second] = true;
	}

	/* 3. The whole resulting graph must be valid. */
	for (Index i = 0; i < st.meta.size(); i++)
		if (!replaced_stored[i])
			graph_inputs.push_back({st.meta[i].id, st.meta[i].parents, st.meta[i].depends_on,
			                        st.meta[i].branch_labels});
	for (std::size_t k = 0; k < inputs.size(); k++)
		if (out[k].action != "unchanged")
			graph_inputs.push_back({inputs[k].revision, inputs[k].parents, inputs[k].depends_on,
			                        inputs[k].branch_labels});
	auto built = Graph::Build(std::move(graph_inputs));
	if (!built.problems.empty()) {
		const auto &first = built.problems.front();
		std::string detail;
		if (built.problems.size() > 1) {
			detail = std::to_string(built.problems.size() - 1) + " more problem(s): ";
			for (std::size_t j = 1; j < built.problems.size() && j <= 10; j++)
				detail += (j > 1 ? "; " : "") + built.problems[j].message;
			if (built.problems.size() > 11)
				detail += "; ...";
		} else
			detail = "Nothing was uploaded.";
		throw PgmigError(ProblemSqlstate(first.kind), first.message, detail,
		                 first.kind == ProblemKind::kUnknownParent || first.kind == ProblemKind::kUnknownDependency
		                     ? "Upload the missing revision in the same batch or before this one."
		                     : "");
	}

	/* 4. Write. */
	CatalogScope scope;
	for (std::size_t k = 0; k < inputs.size(); k++) {
		if (out[k].action == "unchanged")
			continue;
		const UploadInput &in = inputs[k];
		const Prepared &p = prepared[k];
		if (out[k].action == "replaced")
			SpiQuery("DELETE FROM pgmig.revision WHERE project = $1 AND revision = $2",
			      {SqlParam::Text(project), SqlParam::Text(in.revision)});
		SpiQuery("INSERT INTO pgmig.revision (project, revision, parents, depends_on, branch_labels, message, up_body, "
		      "down_body, transactional, down_transactional, up_statements, down_statements, checksum, "
		      "down_checksum, uploaded_by) "
		      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
		      "        CASE WHEN $8 IS NULL THEN NULL ELSE $10 END, $11, CASE WHEN $8 IS NULL THEN NULL ELSE $12 END, "
		      "        $13, $14, $15)",
		      {SqlParam::Text(project), SqlParam::Text(in.revision), SqlParam::TextArray(in.parents),
		       SqlParam::TextArray(in.depends_on), SqlParam::TextArray(in.branch_labels), SqlParam::TextOrNull(in.message),
		       SqlParam::Text(*in.up), SqlParam::TextOrNull(in.down), SqlParam::Bool(p.up.transactional),
		       SqlParam::Bool(p.down ? p.down->transactional : true), SqlParam::Int4((int) p.up.statements.size()),
		       SqlParam::Int4(p.down ? (int) p.down->statements.size() : 0), SqlParam::Text(p.checksum),
		       SqlParam::TextOrNull(p.down_checksum), SqlParam::Text(who)});
		SpiQuery("INSERT INTO pgmig.event (project, kind, revision, who) VALUES ($1, $2, $3, $4)",
		      {SqlParam::Text(project), SqlParam::Text(out[k].action == "replaced" ? "replace" : "upload"),
		       SqlParam::Text(in.revision), SqlParam::Text(who)});
	}
	return out;
}

} // namespace pgmig
