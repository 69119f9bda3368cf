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
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "body.hpp"
#include "boundary.hpp"
#include "engine.hpp"
#include "errcodes.hpp"
#include "graph.hpp"
#include "sync.hpp"
#include "guards.hpp"
#include "lint.hpp"
#include "safety.hpp"
#include "spi.hpp"
#include "sqltext.hpp"
#include "tamper.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/lock.h"
#include "storage/proc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
}

namespace pgmig {

int lock_timeout_ms = 2000;
bool nowait = false;
int lease_idle_timeout_ms = 5 * 60 * 1000;

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
};

/* A project's revisions and their graph: what LoadProject may cache. */
struct StoredGraph {
	std::vector<RevisionMeta> meta;
	Graph graph;
};

/* The versions pgmig.project_state shows for a project (see "The graph cache"). */
struct StateKey {
	Oid sequence = InvalidOid; /* InvalidOid: no pgmig.project_state table */
	bool exists = false;        /* the project has a row */
	std::int64_t graph_version = 0;
	std::int64_t applied_version = 0;
	bool operator==(const StateKey &o) const
	{
		return sequence == o.sequence && exists == o.exists && graph_version == o.graph_version &&
		       applied_version == o.applied_version;
	}
};

/* A project's graph and applied set, read after the lock.  meta and graph
 * refer into the shared StoredGraph, which a cache may also hold. */
struct ProjectState {
	explicit ProjectState(std::shared_ptr<const StoredGraph> s)
	    : stored(std::move(s)), meta(stored->meta), graph(stored->graph)
	{
	}
	std::shared_ptr<const StoredGraph> stored;
	const std::vector<RevisionMeta> &meta;
	const Graph &graph;
	std::vector<bool> applied;
	StateKey version; /* as read by LoadProject (exists false: no row) */
};

/* "1 revision", "N revisions". */
std::string
RevisionCount(std::size_t n)
{
	return std::to_string(n) + (n == 1 ? " revision" : " revisions");
}

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

/* The backends holding a project's lock, for messages ("12345" or "?"). */
std::string
LockHolders(const std::string &project)
{
	CatalogScope scope;
	std::vector<Row> rows = SpiQuery(
	    "SELECT pg_catalog.string_agg(pid::text, ', ') FROM pg_catalog.pg_locks "
	    " WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::oid "
	    "   AND objid = ((pg_catalog.hashtext($2)::bigint & 4294967295)::text)::oid",
	    {SqlParam::Int4(kLockClass), SqlParam::Text(project)});
	return rows.empty() || !rows[0][0] ? std::string("?") : *rows[0][0];
}

/*
 * Takes the project's transaction-level advisory lock.  Waits for it, up to
 * the session's lock_timeout; with pgmig.nowait, does not wait.  Either way
 * a lock that cannot be had is PM035, distinct from a body's 55P03 (which the
 * client retries with back-off) so that callers can tell them apart.
 */
void
LockProject(const std::string &project)
{
	if (nowait) {
		std::vector<Row> rows = SpiQuery("SELECT pg_catalog.pg_try_advisory_xact_lock($1, pg_catalog.hashtext($2))",
		                                 {SqlParam::Int4(kLockClass), SqlParam::Text(project)});
		if (!rows.empty() && rows[0][0] && *rows[0][0] == "t")
			return;
		throw PgmigError(PGMIG_ERRCODE_LOCK_NOT_AVAILABLE,
		                 "project \"" + project + "\" is locked by another session",
		                 "Backend " + LockHolders(project) + " holds the project lock; pgmig.nowait is on.",
		                 "Retry later, or turn pgmig.nowait off to wait for the lock.");
	}
	try {
		SpiQuery("SELECT pg_catalog.pg_advisory_xact_lock($1, pg_catalog.hashtext($2))",
		         {SqlParam::Int4(kLockClass), SqlParam::Text(project)});
	} catch (PgError &e) {
		if (e.sqlerrcode() != ERRCODE_LOCK_NOT_AVAILABLE)
			throw;
		/* no database work between the caught error and the new one */
		throw PgmigError(PGMIG_ERRCODE_LOCK_NOT_AVAILABLE,
		                 "timed out waiting for the lock of project \"" + project + "\"",
		                 "Another session held the project lock for longer than lock_timeout.",
		                 "Retry later, or raise lock_timeout for this session (0 waits without limit).");
	}
}

/*
 * The applied revisions of a project, as a set of ids.  Read by a query of
 * its own and merged in memory rather than joined: the catalog tables are
 * rarely analyzed, and with their stale estimates the planner picks a nested
 * loop that made every load quadratic in the history (25 ms at 1,000
 * revisions, all of it in texteq).
 */
std::unordered_map<std::string, Row>
AppliedRows(const std::string &project, const char *columns)
{
	std::string sql = std::string("SELECT revision, ") + columns + " FROM pgmig.applied WHERE project = $1";
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery(sql.c_str(), {SqlParam::Text(project)});
	}
	std::unordered_map<std::string, Row> out;
	out.reserve(rows.size());
	for (auto &row : rows) {
		std::string id = *row[0];
		row.erase(row.begin());
		out.emplace(std::move(id), std::move(row));
	}
	return out;
}

/*
 * The graph cache.  A writer calls a function once per revision (the client
 * commits each revision on its own), and reading a history of n revisions
 * and its applied set on every call made a run of n revisions quadratic.
 * So each backend keeps, for a few projects, the graph it last read and the
 * applied set it last read or wrote, under the versions that
 * pgmig.project_state shows for them (see pgmig--0.3--0.4.sql).
 *
 * Why the versions are enough: every change of a project's rows in
 * pgmig.revision (an upload that inserts or replaces) and of its rows in
 * pgmig.applied (apply, downgrade, stamp, the non-transactional protocol)
 * draws a new version (DrawVersion) and writes it into the project's row:
 * once per call, in the call's (sub)transaction, after its last change
 * (nothing reads the cache in between, and what rolls back the call's
 * changes rolls back the version too).  A version is never handed out twice,
 * even to a transaction or savepoint that rolls back, so the content read
 * under a version is the content for that version, whoever reads it and
 * under whatever snapshot.  Versions are made from the writing transaction's
 * 64-bit id, which PostgreSQL never reuses, and a counter of this backend
 * (the only one writing under that id), not from a sequence: a superuser's
 * migration body could set a sequence back, and every backend would then
 * trust its stale entries.  They are negative, so they never equal a value
 * that pgmig.state_version_seq handed out to an older library.  The
 * key also holds the sequence's OID, so DROP and CREATE EXTENSION in the
 * same backend start over.  A
 * reader without the project lock runs each query with a new snapshot (READ
 * COMMITTED), so it stores what it read only when the row shows the same
 * versions after the read as before it.
 *
 * After its own apply or downgrade a writer stores the applied set it left
 * under the version its last change drew, so the next one-revision call of
 * the client reads one row instead of the applied set.  If the transaction
 * then rolls back, the row goes back to a version the entry does not hold
 * and the entry is simply not used.
 *
 * The cache assumes pgmig's tables change only through pgmig's functions,
 * which its privileges ensure; a superuser editing them by hand must also
 * draw a new version (or reconnect) before the next call sees the edit.
 * Without the table (a database still at 0.1 to 0.3 on this library),
 * nothing is cached.
 */
struct CacheEntry {
	Oid sequence = InvalidOid;
	std::int64_t graph_version = 0;
	std::shared_ptr<const StoredGraph> graph;
	bool has_applied = false;
	std::int64_t applied_version = 0;
	std::vector<bool> applied;
};

constexpr std::size_t kCachedProjects = 8;
std::map<std::string, CacheEntry> graph_cache;

/*
 * A new version for pgmig.project_state (see "The graph cache"):
 * -(fxid * 2^20 + n) - 1, where fxid is the top-level transaction's 64-bit
 * id (assigned now if the call has not written yet) and n counts this
 * transaction's draws in this backend.  Past 2^20 draws in one transaction,
 * or a transaction id beyond 2^43 (2,048 wraparounds), the sequence is used
 * as before 0.5.
 */
std::int64_t
DrawVersion()
{
	static uint64 drawn_fxid = 0;
	static std::int64_t drawn = 0;
	uint64 fxid = 0;
	PgCall([&] { fxid = U64FromFullTransactionId(GetTopFullTransactionId()); });
	if (fxid != drawn_fxid) {
		drawn_fxid = fxid;
		drawn = 0;
	}
	constexpr int kCounterBits = 20;
	if (drawn < (std::int64_t(1) << kCounterBits) && fxid < (uint64(1) << (62 - kCounterBits))) {
		std::int64_t v = -((std::int64_t(fxid) << kCounterBits) | drawn) - 1;
		drawn++;
		return v;
	}
	CatalogScope scope;
	return std::stoll(*SpiQuery("SELECT pg_catalog.nextval('pgmig.state_version_seq')").at(0).at(0));
}

/* Whether this database's pgmig has the 0.4 table pgmig.project_state. */
bool
HasStateTable()
{
	return PgmigRelationExists("project_state");
}

/* The project's versions as pgmig.project_state shows them now. */
StateKey
ReadStateKey(const std::string &project)
{
	StateKey k;
	if (!HasStateTable())
		return k;
	CatalogScope scope;
	std::vector<Row> rows =
	    SpiQuery("SELECT 'pgmig.state_version_seq'::pg_catalog.regclass::pg_catalog.oid::pg_catalog.text, "
	             "       s.graph_version, s.applied_version "
	             "  FROM (SELECT) AS one LEFT JOIN pgmig.project_state s ON s.project = $1",
	             {SqlParam::Text(project)});
	k.sequence = (Oid) std::stoul(*rows.at(0).at(0));
	if (rows[0][1]) {
		k.exists = true;
		k.graph_version = std::stoll(*rows[0][1]);
		k.applied_version = std::stoll(*rows[0][2]);
	}
	return k;
}

/* Reads a project's revisions and builds their graph. */
std::shared_ptr<const StoredGraph>
ReadStoredGraph(const std::string &project)
{
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery("SELECT r.revision, r.transactional, r.down_body IS NOT NULL, "
		             "       COALESCE(r.down_transactional, true), r.checksum, r.down_checksum, "
		             "       r.message, pg_catalog.array_to_string(r.parents, ' '), "
		             "       pg_catalog.array_to_string(r.depends_on, ' '), "
		             "       pg_catalog.array_to_string(r.branch_labels, ' ') "
		             "  FROM pgmig.revision r WHERE r.project = $1 ORDER BY r.upload_seq",
		             {SqlParam::Text(project)});
	}
	auto out = std::make_shared<StoredGraph>();
	out->meta.reserve(rows.size());
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
		inputs.push_back({m.id, m.parents, m.depends_on, m.branch_labels});
		out->meta.push_back(std::move(m));
	}
	auto built = Graph::Build(std::move(inputs));
	if (!built.problems.empty()) {
		const auto &p = built.problems.front();
		throw PgmigError(PGMIG_ERRCODE_INVALID_GRAPH, "the stored graph of project \"" + project + "\" is invalid: " +
		                                                  p.message,
		                 "", "The catalog was changed outside pgmig's functions.");
	}
	out->graph = std::move(built.graph);
	return out;
}

/* The applied set of a project, aligned with meta. */
std::vector<bool>
ReadAppliedSet(const std::string &project, const std::vector<RevisionMeta> &meta)
{
	std::unordered_map<std::string, Row> applied = AppliedRows(project, "true");
	std::vector<bool> out(meta.size());
	for (std::size_t i = 0; i < meta.size(); i++)
		out[i] = applied.count(meta[i].id) > 0;
	return out;
}

/*
 * Loads a project's revisions and applied set, from the cache where the
 * versions still hold.  locked says whether the caller holds the project
 * lock: then nothing can change the project between the reads.
 */
ProjectState
LoadProject(const std::string &project, bool locked)
{
	StateKey key = ReadStateKey(project);
	if (!key.exists) {
		ProjectState st(ReadStoredGraph(project));
		st.applied = ReadAppliedSet(project, st.meta);
		return st;
	}
	auto it = graph_cache.find(project);
	CacheEntry *e = it != graph_cache.end() && it->second.sequence == key.sequence ? &it->second : nullptr;
	bool graph_hit = e && e->graph_version == key.graph_version;
	std::shared_ptr<const StoredGraph> graph = graph_hit ? e->graph : ReadStoredGraph(project);
	ProjectState st(graph);
	st.version = key;
	bool applied_hit = graph_hit && e->has_applied && e->applied_version == key.applied_version;
	st.applied = applied_hit ? e->applied : ReadAppliedSet(project, st.meta);
	if (graph_hit && applied_hit)
		return st;
	if (!locked && !(ReadStateKey(project) == key))
		return st;
	if (!e) {
		if (it == graph_cache.end() && graph_cache.size() >= kCachedProjects)
			graph_cache.erase(graph_cache.begin());
		e = &graph_cache[project];
	}
	*e = {key.sequence, key.graph_version, graph, true, key.applied_version, st.applied};
	return st;
}

/*
 * After this backend changed a project's applied set to `applied` (a
 * change whose last write drew `version`), stores it for the project's
 * graph, if the cache holds that graph.
 */
void
CacheApplied(const std::string &project, const ProjectState &st, const std::vector<bool> &applied,
             std::int64_t version)
{
	auto it = graph_cache.find(project);
	if (it == graph_cache.end() || it->second.graph != st.stored || it->second.sequence != st.version.sequence)
		return;
	it->second.has_applied = true;
	it->second.applied_version = version;
	it->second.applied = applied;
}

/*
 * Draws a new applied_version for the project after its applied set
 * changed by delta rows; returns it, or nullopt without a row to update.
 * Runs in the (sub)transaction of the change, so they roll back together.
 */
std::optional<std::int64_t>
BumpApplied(const std::string &project, int delta)
{
	if (!HasStateTable())
		return std::nullopt;
	std::int64_t version = DrawVersion();
	CatalogScope scope;
	std::vector<Row> rows =
	    SpiQuery("UPDATE pgmig.project_state "
	             "   SET applied_version = $3, applied = applied + $2 "
	             " WHERE project = $1 RETURNING applied_version",
	             {SqlParam::Text(project), SqlParam::Int4(delta), SqlParam::Int8(version)});
	if (rows.empty())
		return std::nullopt;
	return std::stoll(*rows[0][0]);
}

/* A revision as the sync digest and pgmig.project_state see it. */
struct StateRevision {
	const std::string *id;
	const std::vector<std::string> *parents;
	const std::vector<std::string> *depends_on;
	const std::vector<std::string> *branch_labels;
	const std::optional<std::string> *message;
	const std::string *checksum;
	const std::optional<std::string> *down_checksum;
	bool transactional;
};

/*
 * Writes the project's row of pgmig.project_state from its whole content:
 * revisions (in the graph's input order), their graph and the number
 * applied.  Draws a new graph version; the applied version is kept, or
 * drawn for a new row.
 */
void
WriteState(const std::string &project, const std::vector<StateRevision> &revisions, const Graph &graph,
           std::size_t applied)
{
	if (!HasStateTable())
		return;
	std::vector<std::pair<std::string, std::string>> lines;
	lines.reserve(revisions.size());
	std::vector<std::string> nontx;
	for (const StateRevision &r : revisions) {
		std::optional<std::string> message = *r.message ? std::optional(ToUtf8(**r.message)) : std::nullopt;
		lines.emplace_back(*r.id, core::SyncLine(*r.id, *r.parents, *r.depends_on, *r.branch_labels, message,
		                                         *r.checksum, *r.down_checksum));
		if (!r.transactional)
			nontx.push_back(*r.id);
	}
	std::sort(nontx.begin(), nontx.end());
	std::vector<std::string> heads;
	for (Index i : graph.Heads())
		heads.push_back(graph.id(i));
	std::int64_t graph_version = DrawVersion();
	std::int64_t applied_version = DrawVersion();
	CatalogScope scope;
	SpiQuery("INSERT INTO pgmig.project_state AS s (project, graph_version, applied_version, revisions, applied, "
	         "                                     heads, nontransactional, sync_digest) "
	         "VALUES ($1, $7, $8, $2, $3, $4, $5, $6) "
	         "ON CONFLICT (project) DO UPDATE "
	         "   SET graph_version = excluded.graph_version, revisions = excluded.revisions, "
	         "       applied = excluded.applied, heads = excluded.heads, "
	         "       nontransactional = excluded.nontransactional, sync_digest = excluded.sync_digest",
	         {SqlParam::Text(project), SqlParam::Int4((int) revisions.size()), SqlParam::Int4((int) applied),
	          SqlParam::TextArray(heads), SqlParam::TextArray(nontx),
	          SqlParam::Text(core::SyncDigest(std::move(lines))), SqlParam::Int8(graph_version),
	          SqlParam::Int8(applied_version)});
}

/* WriteState from a loaded project: for a project that has no row yet. */
void
WriteStateOf(const std::string &project, const ProjectState &st)
{
	std::vector<StateRevision> revisions;
	revisions.reserve(st.meta.size());
	for (const RevisionMeta &m : st.meta)
		revisions.push_back({&m.id, &m.parents, &m.depends_on, &m.branch_labels, &m.message, &m.checksum,
		                     &m.down_checksum, m.transactional});
	std::size_t applied = 0;
	for (bool a : st.applied)
		applied += a ? 1 : 0;
	WriteState(project, revisions, st.graph, applied);
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

/* The OID of role `name` (InvalidOid when it does not exist) and whether the
 * current user is a member of it. */
std::pair<Oid, bool>
RoleAndMembership(const std::string &name)
{
	Oid role = InvalidOid;
	bool member = false;
	const char *n = name.c_str();
	PgCall([&] {
		role = get_role_oid(n, true);
		if (OidIsValid(role))
			member = is_member_of_role(GetUserId(), role);
	});
	return {role, member};
}

/* The role OID of the uploader, checked for the right to run its body. */
Oid
UploaderForExecution(const std::string &revision, const std::string &uploader)
{
	auto [role, member] = RoleAndMembership(uploader);
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

/*
 * Refuses (42501) to replace a revision uploaded by a role the caller is not
 * a member of: a deployer may not swap a teammate's pending migration for
 * its own.  A revision whose uploader no longer exists may be replaced.
 */
void
CheckMayReplace(const std::string &project, const std::string &revision)
{
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery("SELECT uploaded_by FROM pgmig.revision WHERE project = $1 AND revision = $2",
		                {SqlParam::Text(project), SqlParam::Text(revision)});
	}
	if (rows.empty() || !rows[0][0])
		return;
	std::string uploader = *rows[0][0];
	auto [role, member] = RoleAndMembership(uploader);
	if (OidIsValid(role) && !member)
		throw PgmigError(ERRCODE_INSUFFICIENT_PRIVILEGE,
		                 "permission denied to replace revision \"" + revision + "\" uploaded by role \"" + uploader +
		                     "\"",
		                 "Only a member of the role that uploaded a revision may replace it.",
		                 "Upload a new revision instead, or ask a member of \"" + uploader + "\" to replace it.");
}

/* What the error context callback reports about the running statement
 * (index 0: the end of the body, boundary.hpp). */
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
	if (c->index == 0)
		errcontext("pgmig revision \"%s\" (%s), end of body (deferred triggers, cursors and temporary objects "
		           "the body left)",
		           c->revision, c->which);
	else
		errcontext("pgmig revision \"%s\" (%s), statement %d of %d, line %d", c->revision, c->which, c->index,
		           c->count, c->line);
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
	PgmigDdlScope own_ddl;
	BodyBoundary boundary;
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
	/* still as the uploader and under the body's settings: what the body
	 * left for later runs now, or is ended */
	ctx.index = 0;
	try {
		ErrorContextScope scope(StatementErrorCallback, &ctx);
		boundary.Close();
	} catch (PgmigError &e) {
		throw PgmigError(e.sqlstate(), "revision \"" + revision + "\" (" + which + " body): " + e.message(), e.detail(),
		                 e.hint());
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
	if (BodyChecksum(b.body) != b.checksum && LegacyBodyChecksum(b.body) != b.checksum)
		throw PgmigError(PGMIG_ERRCODE_CHECKSUM_MISMATCH,
		                 "stored " + std::string(down ? "down" : "up") + " body of revision \"" + revision +
		                     "\" does not match its checksum",
		                 "The body was changed in the catalog after it was uploaded (stored checksum " + b.checksum +
		                     ").",
		                 "Restore the catalog from a backup, or investigate who changed pgmig.revision directly.");
	return b;
}

/*
 * Inserts an event (call in a CatalogScope): the given columns and values,
 * plus event_id and fingerprint when a fingerprint was taken for the event.
 * Only then: a database still at 0.1 or 0.2 has no fingerprint column, and
 * takes no fingerprints.  `with` is put before the INSERT: a WITH clause
 * whose data-modifying statement belongs with the event (one statement
 * instead of two).
 */
void
InsertEvent(const char *columns, const char *values, std::vector<SqlParam> params,
            const std::optional<Fingerprint> &fp, const char *with = "")
{
	std::string sql = std::string(with) + "INSERT INTO pgmig.event (" + columns;
	std::string vals = values;
	if (fp) {
		std::size_t n = params.size();
		sql += ", event_id, fingerprint";
		vals += ", $" + std::to_string(n + 1) + "::bigint, $" + std::to_string(n + 2);
		params.push_back(SqlParam::Text(fp->event_id));
		params.push_back(SqlParam::Text(fp->digest));
	}
	sql += ") VALUES (" + vals + ")";
	SpiQuery(sql.c_str(), params);
}

/*
 * Records a revision as applied (or no longer applied) plus its event; with
 * fingerprint, the event carries the schema's fingerprint (when
 * pgmig.fingerprint is on).  The caller draws the applied version
 * (BumpApplied), once per call.
 */
void
RecordRun(const std::string &project, const std::string &revision, bool down, const std::string &who,
          const std::string &target, double seconds, const std::string &checksum, bool fingerprint)
{
	std::optional<Fingerprint> fp =
	    fingerprint ? FingerprintIfEnabled(FingerprintMode::kChange, project) : std::nullopt;
	CatalogScope scope;
	/* one statement: the change of pgmig.applied as a data-modifying WITH */
	InsertEvent("project, kind, revision, target, who, duration",
	            "$1, $6, $2, $7, $3, pg_catalog.make_interval(secs => $4)",
	            {SqlParam::Text(project), SqlParam::Text(revision), SqlParam::Text(who), SqlParam::Float8(seconds),
	             SqlParam::Text(checksum), SqlParam::Text(down ? "downgrade" : "apply"), SqlParam::Text(target)},
	            fp,
	            !down ? "WITH w AS (INSERT INTO pgmig.applied (project, revision, applied_by, duration, checksum, how) "
	                    "VALUES ($1, $2, $3, pg_catalog.make_interval(secs => $4), $5, 'apply')) "
	                  : "WITH w AS (DELETE FROM pgmig.applied WHERE project = $1 AND revision = $2) ");
}

/* Records a failure that the call survives (atomic => false), with the
 * fingerprint of the schema the call leaves. */
void
RecordFailure(const std::string &project, const std::string &revision, const std::string &target,
              const std::string &who, double seconds, const PgError &e)
{
	std::optional<Fingerprint> fp = FingerprintIfEnabled(FingerprintMode::kChange, project);
	char state[6];
	int code = e.sqlerrcode();
	for (int i = 0; i < 5; i++) {
		state[i] = PGUNSIXBIT(code);
		code >>= 6;
	}
	state[5] = '\0';
	CatalogScope scope;
	InsertEvent("project, kind, revision, target, who, duration, sqlstate, message",
	            "$1, 'failure', $2, $3, $4, pg_catalog.make_interval(secs => $5), $6, $7",
	            {SqlParam::Text(project), SqlParam::Text(revision), SqlParam::Text(target), SqlParam::Text(who),
	             SqlParam::Float8(seconds), SqlParam::Text(state), SqlParam::Text(e.what())},
	            fp);
}

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
	                     "; nothing else runs in this project until it finishes.",
	                 "Retry when it is done (the pgmig client polls outside any transaction); "
	                 "SELECT * FROM pgmig.mig_lease('" + project + "') shows it.");
}

/* How the object of a non-transactional statement stands. */
enum class ObjectState {
	kDone,     /* the statement's postcondition holds */
	kNotDone,  /* it does not; running the statement again is the way on */
	kLeftover, /* an interrupted run left an INVALID index behind: drop it */
	kUnknown,  /* no postcondition can be checked for this statement */
};

struct ObjectCheck {
	ObjectState state = ObjectState::kUnknown;
	std::string detail;                 /* a sentence for messages */
	std::vector<std::string> drop_sql;  /* for kLeftover */
};

/*
 * Checks the postcondition of a non-transactional statement (see
 * NontxObject).  The statement's relation is resolved the way the client ran
 * the statement: as the uploader, through the schemas the lease recorded
 * when it was taken (path; without one, the session's search_path).  That
 * lookup is done in C (LookupRelation), so no SQL of pgmig's runs under that
 * path; everything after it reads the catalogs by OID in a CatalogScope,
 * whose search_path is pinned, so a hostile schema's functions, operators
 * and views are never reached (RELIABILITY D1).
 */
ObjectCheck
CheckObject(const NontxObject &o, Oid uploader, const std::optional<std::vector<std::string>> &path)
{
	using Kind = NontxObject::Kind;
	ObjectCheck c;
	if (o.kind == Kind::kNone)
		return c;
	Oid relid = InvalidOid;
	{
		UserSwitch as_uploader(uploader, SECURITY_LOCAL_USERID_CHANGE);
		if (o.schema.empty() && path) {
			/* the schemas the session that ran the statement named it
			 * through, not this session's (a recovery runs elsewhere) */
			for (const std::string &nsp : *path) {
				relid = LookupRelationIn(nsp, o.relation);
				if (OidIsValid(relid))
					break;
			}
		} else
			relid = LookupRelation(o.schema, o.relation);
	}
	std::string named = (o.schema.empty() ? "" : o.schema + ".") + o.relation;
	SqlParam rel = SqlParam::Text(std::to_string(relid));
	CatalogScope scope;
	if (o.kind == Kind::kCreateIndex) {
		if (relid == InvalidOid) {
			c.state = ObjectState::kNotDone;
			c.detail = "table " + named + " does not exist";
			return c;
		}
		std::vector<Row> rows =
		    SpiQuery("SELECT n.nspname, ic.oid IS NOT NULL, i.indisvalid, i.indisready "
		             "  FROM pg_catalog.pg_class t "
		             "  JOIN pg_catalog.pg_namespace n ON n.oid = t.relnamespace "
		             "  LEFT JOIN pg_catalog.pg_class ic ON ic.relnamespace = t.relnamespace AND ic.relname = $2 "
		             "  LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = ic.oid "
		             " WHERE t.oid = $1::pg_catalog.oid",
		             {rel, SqlParam::Text(o.index)});
		if (rows.empty()) {
			c.state = ObjectState::kNotDone;
			c.detail = "table " + named + " does not exist";
		} else if (*rows[0][1] == "f") {
			c.state = ObjectState::kNotDone;
			c.detail = "index " + *rows[0][0] + "." + o.index + " does not exist";
		} else if (!rows[0][2]) {
			c.state = ObjectState::kNotDone;
			c.detail = "relation " + *rows[0][0] + "." + o.index + " exists but is not an index";
		} else if (*rows[0][2] == "t" && *rows[0][3] == "t") {
			c.state = ObjectState::kDone;
			c.detail = "index " + *rows[0][0] + "." + o.index + " exists and is valid and ready";
		} else {
			c.state = ObjectState::kLeftover;
			c.detail = "index " + *rows[0][0] + "." + o.index + " is INVALID (indisvalid = " + *rows[0][2] +
			           ", indisready = " + *rows[0][3] + ")";
			std::vector<Row> q = SpiQuery("SELECT pg_catalog.format('DROP INDEX %I.%I', $1, $2)",
			                              {SqlParam::Text(*rows[0][0]), SqlParam::Text(o.index)});
			c.drop_sql.push_back(*q[0][0]);
		}
		return c;
	}
	if (o.kind == Kind::kDropIndex) {
		c.state = relid == InvalidOid ? ObjectState::kDone : ObjectState::kNotDone;
		c.detail = "index " + named + (c.state == ObjectState::kDone ? " no longer exists" : " still exists");
		return c;
	}
	/* REINDEX ... CONCURRENTLY: an interruption leaves INVALID *_ccnew / *_ccold indexes. */
	if (relid == InvalidOid)
		return c;
	std::vector<Row> rows =
	    SpiQuery("WITH tab AS (SELECT CASE WHEN $2 THEN $1::pg_catalog.oid "
	             "                         ELSE (SELECT i.indrelid FROM pg_catalog.pg_index i "
	             "                                WHERE i.indexrelid = $1::pg_catalog.oid) END AS oid) "
	             "SELECT pg_catalog.format('DROP INDEX %I.%I', n.nspname, c.relname) "
	             "  FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid "
	             "  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace, tab "
	             " WHERE i.indrelid = tab.oid AND NOT i.indisvalid "
	             "   AND (c.relname ~ '_ccnew[0-9]*$' OR c.relname ~ '_ccold[0-9]*$') ORDER BY c.relname",
	             {rel, SqlParam::Bool(o.reindex_table)});
	for (const auto &r : rows)
		c.drop_sql.push_back(*r[0]);
	if (!c.drop_sql.empty()) {
		c.state = ObjectState::kLeftover;
		c.detail = std::to_string(c.drop_sql.size()) + " INVALID index(es) left by an interrupted REINDEX CONCURRENTLY";
	}
	return c;
}

/* Drops what an interrupted statement left, as the uploader, with the body's lock_timeout. */
void
DropLeftovers(const ObjectCheck &c, Oid uploader)
{
	PgmigDdlScope own_ddl;
	BodyBoundary boundary;
	UserSwitch as_uploader(uploader, SECURITY_LOCAL_USERID_CHANGE);
	GucNestLevel nest;
	if (lock_timeout_ms > 0) {
		std::string value = std::to_string(lock_timeout_ms) + "ms";
		nest.Set("lock_timeout", value.c_str());
	}
	for (const auto &sql : c.drop_sql)
		SpiQueryOnce(sql.c_str(), {});
	boundary.Close();
	nest.Close();
}

/* The statement of a non-transactional body, parsed, with its uploader. */
struct NontxBody {
	StoredBody stored;
	ParsedBody parsed;
	Oid uploader = InvalidOid;
};

NontxBody
LoadNontxBody(const std::string &project, const std::string &revision, bool down)
{
	NontxBody b;
	b.stored = FetchBody(project, revision, down);
	b.parsed = ParseBody(revision, down ? "down" : "up", b.stored.body, down);
	b.uploader = UploaderForExecution(revision, b.stored.uploader);
	return b;
}

/* Writes an event row with an optional message and SQLSTATE. */
void
RecordEvent(const std::string &project, const char *kind, const std::string &revision, const std::string &target,
            const std::string &message, const std::optional<std::string> &sqlstate = std::nullopt)
{
	std::string who = CurrentUserName();
	CatalogScope scope;
	SpiQuery("INSERT INTO pgmig.event (project, kind, revision, target, who, sqlstate, message) "
	         "VALUES ($1, $2, $3, $4, $5, $6, $7)",
	         {SqlParam::Text(project), SqlParam::Text(kind), SqlParam::Text(revision), SqlParam::Text(target),
	          SqlParam::Text(who), SqlParam::TextOrNull(sqlstate), SqlParam::Text(message)});
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

/*
 * Recovers the lease of a backend that is gone.  If the statement's
 * postcondition holds and the object was not there before the lease (the
 * statement completed but its client never reported back), the revision is
 * recorded; if an INVALID index was left behind it is dropped; either way the
 * lease is released and the event log says what was done.  Returns that
 * sentence.
 */
std::string
RecoverStale(const std::string &project, const LeaseInfo &l)
{
	bool down = l.direction == "down";
	NontxBody b = LoadNontxBody(project, l.revision, down);
	const NontxObject &o = b.parsed.statements.at(0).object;
	ObjectCheck c = CheckObject(o, b.uploader, l.search_path);
	std::string action;
	bool trustworthy = c.state == ObjectState::kDone &&
	                   !(o.kind == NontxObject::Kind::kCreateIndex && l.object_existed);
	if (trustworthy) {
		double seconds = LeaseSeconds(project);
		/* for up, the stored checksum is the up body's, which applied records */
		RecordRun(project, l.revision, down, l.started_by, l.revision, seconds, b.stored.checksum, true);
		BumpApplied(project, down ? -1 : 1);
		action = "recorded as " + std::string(down ? "downgraded" : "applied") +
		         ": the statement completed before its client was lost (" + c.detail + ")";
	} else if (c.state == ObjectState::kLeftover) {
		DropLeftovers(c, b.uploader);
		action = "dropped what the interrupted run left (" + c.detail + "); the revision will run again";
	} else
		action = "released; the revision will run again" + (c.detail.empty() ? "" : " (" + c.detail + ")");
	std::string message = "stale lease of backend " + std::to_string(l.backend_pid) + ": " + action;
	RecordEvent(project, "repair", l.revision, "", message);
	DropLease(project);
	Notice(WARNING, "pgmig: revision \"" + l.revision + "\": " + message);
	return action;
}

/*
 * A live lease whose backend has sat idle (outside any transaction, its
 * statement not running) for longer than pgmig.lease_idle_timeout belongs
 * to a client that stalled (stopped, or lost with its host) before or after
 * its statement: nothing bounds that otherwise, the transactional path's
 * idle_in_transaction_session_timeout does not apply.  Its session is ended
 * (as the extension owner), and the caller is told to come back: by then the
 * lease is stale and the next writer recovers it.
 */
void
EndIdleLeaseHolder(const std::string &project, const LeaseInfo &l)
{
	if (lease_idle_timeout_ms <= 0 || !l.idle_seconds || *l.idle_seconds * 1000 < lease_idle_timeout_ms)
		return;
	{
		CatalogScope scope;
		SpiQuery("SELECT pg_catalog.pg_terminate_backend($1)", {SqlParam::Int4(l.backend_pid)});
	}
	char idle[32];
	snprintf(idle, sizeof(idle), "%.1f", *l.idle_seconds);
	throw PgmigError(PGMIG_ERRCODE_LOCK_BUSY,
	                 "project \"" + project + "\" is busy: revision \"" + l.revision +
	                     "\" is being run outside a transaction",
	                 "Backend " + std::to_string(l.backend_pid) + " (role " + l.started_by + ") holds the lease and " +
	                     "has been idle for " + idle + " s, longer than pgmig.lease_idle_timeout (" +
	                     std::to_string(lease_idle_timeout_ms) + " ms): its client stalled; pgmig ended its session.",
	                 "Retry: the lease is then stale and is recovered (the pgmig client retries by itself).");
}

/* After the lock: a live lease makes the project busy, a stale one is recovered. */
void
HandleLease(const std::string &project)
{
	std::optional<LeaseInfo> l = ReadLease(project);
	if (!l)
		return;
	if (l->alive) {
		EndIdleLeaseHolder(project, *l);
		ThrowBusy(project, *l);
	}
	RecoverStale(project, *l);
}

/* Lock, isolation check, lease and load, common to every verb that writes. */
ProjectState
LockAndLoad(const std::string &project, const char *function)
{
	CheckProject(project);
	CheckIsolation(function);
	LockProject(project);
	ForgetSchemaBefore();
	HandleLease(project);
	ProjectState st = LoadProject(project, true);
	if (!st.version.exists)
		WriteStateOf(project, st);
	return st;
}

/*
 * Refuses (PM023) to run a revision of the plan that the caller did not
 * expect with the stored checksum (see engine.hpp, Expected).  Reads who
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

/* See engine.hpp. */
void
CheckProject(const std::string &project)
{
	std::string why = core::CheckProjectName(project);
	if (!why.empty())
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid project name " + core::QuoteForMessage(project, 200, false) + ": " + why,
		                 "A project name has 1 to 63 characters: ASCII letters, digits, '_', '.' or '-'.");
}

/* See engine.hpp. */
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

/* See engine.hpp. */
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
				                 "Name an applied revision (mig_status() lists the applied heads), base, or -N.");
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

namespace {

/*
 * Stamp and baseline: sets the applied set to the ancestors of targets
 * without running anything, and records one event of the given kind with
 * the schema's fingerprint (always for a baseline, else when
 * pgmig.fingerprint is on).  A baseline requires that nothing is applied.
 */
std::vector<StampOutcome>
StampAs(const std::string &project, const std::vector<std::string> &targets, const char *kind, Fingerprint *taken)
{
	bool baseline = std::string(kind) == "baseline";
	ProjectState st = LockAndLoad(project, baseline ? "mig_baseline" : "mig_stamp");
	if (baseline) {
		std::size_t applied = 0;
		for (bool a : st.applied)
			applied += a ? 1 : 0;
		if (applied > 0)
			throw PgmigError(PGMIG_ERRCODE_NOT_FRESH,
			                 "project \"" + project + "\" already has applied revisions",
			                 std::to_string(applied) + " revision(s) are recorded as applied; a baseline adopts a "
			                                           "database that pgmig has not managed yet.",
			                 "Use pgmig.mig_stamp to move the applied set, and pgmig.mig_snapshot to record the "
			                 "schema.");
	}
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
	if (!out.empty())
		BumpApplied(project, (int) added - (int) (out.size() - added));
	/* a stamp says the schema is what its revisions make: it becomes the
	 * base drift is measured from (with pgmig.fingerprint on, as for apply) */
	std::optional<Fingerprint> fp = baseline ? std::optional(TakeFingerprint(FingerprintMode::kAccept, project))
	                                         : FingerprintIfEnabled(FingerprintMode::kAccept, project);
	if (fp && taken)
		*taken = *fp;
	InsertEvent("project, kind, target, who, message", "$1, $2, $3, $4, $5",
	            {SqlParam::Text(project), SqlParam::Text(kind), SqlParam::Text(target_text), SqlParam::Text(who),
	             SqlParam::Text("added " + std::to_string(added) + ", removed " + std::to_string(out.size() - added))},
	            fp);
	return out;
}

} // namespace

namespace {

/* A fingerprint as a map (kind, identity) -> definition. */
using SchemaMap = std::map<std::pair<std::string, std::string>, std::string>;

/* The live schema, as a map. */
SchemaMap
LiveSchema()
{
	SchemaMap m;
	for (const auto &r : LiveFingerprint())
		m.emplace(std::make_pair(*r[0], *r[1]), *r[2]);
	return m;
}

/*
 * Runs one body of a revision for the round trip, in a subtransaction that
 * is committed into the caller's on success.  Returns the error message on
 * failure (the subtransaction is then rolled back), else nothing.  The
 * subtransaction also covers fetching the body: an error there is caught
 * and the run goes on, so it must be rolled back like a body's.
 */
std::optional<std::string>
TryBody(const std::string &project, const RevisionMeta &m, bool down)
{
	const char *which = down ? "down" : "up";
	int failing_line = 0;
	try {
		SubTransaction sub;
		StoredBody b = FetchBody(project, m.id, down);
		ParsedBody parsed = ParseBody(m.id, which, b.body, down);
		Oid uploader = UploaderForExecution(m.id, b.uploader);
		RunStatements(m.id, which, b.body, parsed, uploader, &failing_line);
		sub.Commit();
	} catch (PgError &e) {
		if (failing_line > 0)
			EnrichBodyError(e, m.id, which, failing_line, 0, 1);
		int code = e.sqlerrcode();
		BoundaryRepair();
		if (code == ERRCODE_QUERY_CANCELED || code == ERRCODE_ADMIN_SHUTDOWN)
			throw;
		char state[6];
		for (int i = 0; i < 5; i++) {
			state[i] = PGUNSIXBIT(code);
			code >>= 6;
		}
		state[5] = '\0';
		return std::string(state) + ": " + e.what();
	}
	return std::nullopt;
}

/* Adds one finding row per object that differs between two schemas. */
void
CompareSchemas(std::vector<RoundtripRow> &out, const std::string &revision, const char *step, const SchemaMap &want,
               const SchemaMap &got, const char *extra, const char *missing, const char *changed)
{
	std::size_t before = out.size();
	for (const auto &[key, def] : got) {
		auto it = want.find(key);
		if (it == want.end())
			out.push_back({revision, step, extra, key.first, key.second, def});
		else if (it->second != def)
			out.push_back({revision, step, changed, key.first, key.second, "was: " + it->second + "\nnow: " + def});
	}
	for (const auto &[key, def] : want)
		if (got.find(key) == got.end())
			out.push_back({revision, step, missing, key.first, key.second, def});
	if (out.size() == before)
		out.push_back({revision, step, "ok", "", "", ""});
}

} // namespace

/*
 * See engine.hpp.  Everything runs in one subtransaction that is rolled
 * back at the end, so the database is left as it was (catalog included:
 * nothing is recorded).  Per pending revision towards target, parents
 * first: up (a failure stops the run: later revisions need it), then, in a
 * nested subtransaction rolled back afterwards, down and up again, each
 * compared with the schema it should give back; then on to the next
 * revision from the state after the first up.  Revisions not in `only` (when
 * given) are applied without the checks.  Non-transactional revisions cannot
 * run inside it and are skipped.
 */
std::vector<RoundtripRow>
Roundtrip(const std::string &project, const std::string &target, const std::optional<std::vector<std::string>> &only)
{
	ProjectState st = LockAndLoad(project, "mig_roundtrip");
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan = st.graph.UpgradePlan(targets, st.applied);
	std::set<std::string> checked;
	if (only)
		checked.insert(only->begin(), only->end());
	std::vector<RoundtripRow> out;
	SubTransaction all;
	for (Index i : plan) {
		const RevisionMeta &m = st.meta[i];
		bool check = !only || checked.count(m.id) > 0;
		if (!m.transactional) {
			out.push_back({m.id, "up", "skipped", "", "", "non-transactional: it runs outside a transaction, so not here"});
			continue;
		}
		SchemaMap before_up = check ? LiveSchema() : SchemaMap{};
		if (std::optional<std::string> err = TryBody(project, m, false)) {
			out.push_back({m.id, "up", "failed", "", "", *err});
			break;
		}
		if (!check)
			continue;
		out.push_back({m.id, "up", "ok", "", "", ""});
		if (!m.has_down) {
			out.push_back({m.id, "down", "no down body", "", "", "the revision cannot be downgraded"});
			continue;
		}
		if (!m.down_transactional) {
			out.push_back({m.id, "down", "skipped", "", "", "non-transactional down body"});
			continue;
		}
		SchemaMap after_up = LiveSchema();
		SubTransaction cycle;
		if (std::optional<std::string> err = TryBody(project, m, true)) {
			out.push_back({m.id, "down", "failed", "", "", *err});
			cycle.Rollback();
			continue;
		}
		CompareSchemas(out, m.id, "down", before_up, LiveSchema(), "left behind", "removed", "changed");
		if (std::optional<std::string> err = TryBody(project, m, false))
			out.push_back({m.id, "up again", "failed", "", "", *err});
		else
			CompareSchemas(out, m.id, "up again", after_up, LiveSchema(), "differs", "differs", "differs");
		cycle.Rollback();
	}
	all.Rollback();
	return out;
}

/* See engine.hpp. */
std::vector<StampOutcome>
Stamp(const std::string &project, const std::vector<std::string> &targets)
{
	return StampAs(project, targets, "stamp", nullptr);
}

/* See engine.hpp. */
BaselineOutcome
Baseline(const std::string &project, const std::string &target)
{
	BaselineOutcome b;
	b.stamped = StampAs(project, {target}, "baseline", &b.fingerprint);
	return b;
}

/* See engine.hpp.  Under the project lock, so that it records a schema no
 * call of the project is changing.  After calls of this session made with
 * pgmig.fingerprint off, it records what they changed; in a session that
 * changed nothing, it accepts the live schema (drift included). */
Fingerprint
RecordSnapshot(const std::string &project)
{
	CheckProject(project);
	CheckIsolation("mig_snapshot");
	LockProject(project);
	/* with a note from this session's calls: their change; else accept */
	Fingerprint fp = TakeFingerprint(SchemaNoted() ? FingerprintMode::kChange : FingerprintMode::kAccept, project);
	std::string who = CurrentUserName();
	CatalogScope scope;
	InsertEvent("project, kind, who, message", "$1, 'snapshot', $2, $3",
	            {SqlParam::Text(project), SqlParam::Text(who), SqlParam::Text(std::to_string(fp.objects) + " objects")},
	            fp);
	return fp;
}

/* See engine.hpp.  Read-only: no lock, the caller's snapshot rules. */
std::vector<HeadInfo>
Heads(const std::string &project)
{
	CheckProject(project);
	/* The heads pgmig.project_state keeps, with what is shown of each read
	 * by primary key: the cost does not grow with the history. */
	if (HasStateTable()) {
		std::vector<Row> rows;
		{
			CatalogScope scope;
			rows = SpiQuery("SELECT h.revision, "
			                "       EXISTS (SELECT FROM pgmig.applied a "
			                "                WHERE a.project = s.project AND a.revision = h.revision), "
			                "       pg_catalog.array_to_string(r.branch_labels, ' '), r.message "
			                "  FROM pgmig.project_state s "
			                " CROSS JOIN LATERAL pg_catalog.unnest(s.heads) WITH ORDINALITY AS h(revision, n) "
			                "  JOIN pgmig.revision r ON r.project = s.project AND r.revision = h.revision "
			                " WHERE s.project = $1 ORDER BY h.n",
			                {SqlParam::Text(project)});
		}
		if (!rows.empty() || ReadStateKey(project).exists) {
			std::vector<HeadInfo> out;
			for (const Row &r : rows)
				out.push_back({*r[0], *r[1] == "t", SplitWords(r[2]), r[3]});
			return out;
		}
	}
	ProjectState st = LoadProject(project, false);
	std::vector<HeadInfo> out;
	for (Index i : st.graph.Heads())
		out.push_back({st.meta[i].id, st.applied[i], st.meta[i].branch_labels, st.meta[i].message});
	return out;
}

/* See engine.hpp.  Read-only: no lock. */
std::optional<SyncInfo>
Sync(const std::string &project)
{
	CheckProject(project);
	if (!HasStateTable())
		return std::nullopt;
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery("SELECT sync_digest, revisions, revisions - applied, "
		                "       pg_catalog.array_to_string(nontransactional, ' ') "
		                "  FROM pgmig.project_state WHERE project = $1",
		                {SqlParam::Text(project)});
		if (rows.empty())
			/* no row: a project stored before 0.4, or none at all (the
			 * digest of nothing is known) */
			rows = SpiQuery("SELECT CASE WHEN pg_catalog.count(*) > 0 THEN NULL "
			                "            ELSE pg_catalog.encode(pg_catalog.sha256(''::bytea), 'hex') END, "
			                "       pg_catalog.count(*), "
			                "       pg_catalog.count(*) - (SELECT pg_catalog.count(*) FROM pgmig.applied a "
			                "                               WHERE a.project = $1), "
			                "       pg_catalog.array_to_string(pg_catalog.array_agg(r.revision ORDER BY r.revision) "
			                "                                  FILTER (WHERE NOT r.transactional), ' ') "
			                "  FROM pgmig.revision r WHERE r.project = $1",
			                {SqlParam::Text(project)});
	}
	const Row &r = rows.at(0);
	return SyncInfo{r[0], std::stoi(*r[1]), std::stoi(*r[2]), SplitWords(r[3])};
}

/* See engine.hpp. */
StatusInfo
Status(const std::string &project)
{
	CheckProject(project);
	ProjectState st = LoadProject(project, false);
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

/* See engine.hpp.  Read-only: no lock. */
std::vector<PlanStep>
PlanStatements(const std::string &project, const std::string &target, bool down)
{
	CheckProject(project);
	ProjectState st = LoadProject(project, false);
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan =
	    down ? st.graph.DowngradePlan(targets, st.applied) : st.graph.UpgradePlan(targets, st.applied);
	std::vector<PlanStep> out;
	int step = 0;
	for (Index i : plan) {
		const RevisionMeta &m = st.meta[i];
		step++;
		if (down && !m.has_down)
			throw PgmigError(PGMIG_ERRCODE_IRREVERSIBLE,
			                 "revision \"" + m.id + "\" has no down body and cannot be downgraded",
			                 "Downgrading to target \"" + target + "\" would undo " + RevisionCount(plan.size()) + ".",
			                 "Choose a target that keeps it applied.");
		StoredBody b = FetchBody(project, m.id, down);
		ParsedBody parsed = ParseBody(m.id, down ? "down" : "up", b.body, down);
		int n = 0;
		for (const auto &stmt : parsed.statements)
			out.push_back({step, m.id, ++n, stmt.line, stmt.transactional, stmt.lock,
			               b.body.substr(stmt.offset, stmt.length)});
	}
	return out;
}

/* See engine.hpp.  Read-only: no lock. */
std::vector<Row>
Revisions(const std::string &project)
{
	CheckProject(project);
	std::vector<Row> rows;
	{
		CatalogScope scope;
		rows = SpiQuery("SELECT r.revision, r.parents, r.depends_on, r.branch_labels, r.message, r.transactional, "
		                "       r.checksum, r.down_checksum "
		                "  FROM pgmig.revision r WHERE r.project = $1 ORDER BY r.upload_seq",
		                {SqlParam::Text(project)});
	}
	std::unordered_map<std::string, Row> applied = AppliedRows(project, "applied_at::text, how");
	for (auto &row : rows) {
		auto it = applied.find(*row[0]);
		row.push_back(std::string(it != applied.end() ? "t" : "f"));
		row.push_back(it != applied.end() ? it->second[0] : std::nullopt);
		row.push_back(it != applied.end() ? it->second[1] : std::nullopt);
	}
	return rows;
}

/* See engine.hpp. */
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

/* See engine.hpp. */
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

/* See engine.hpp. */
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

/* See engine.hpp.  No lock: it only appends an event, about a revision that
 * must exist. */
void
RecordClientFailure(const std::string &project, const std::string &revision, bool down,
                    const std::string &sqlstate, const std::string &message)
{
	CheckProject(project);
	bool exists;
	{
		CatalogScope scope;
		exists = !SpiQuery("SELECT 1 FROM pgmig.revision WHERE project = $1 AND revision = $2",
		                   {SqlParam::Text(project), SqlParam::Text(revision)})
		              .empty();
	}
	if (!exists)
		throw PgmigError(PGMIG_ERRCODE_UNKNOWN_REVISION,
		                 "revision \"" + revision + "\" does not exist in project \"" + project + "\"");
	if (sqlstate.size() != 5)
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid SQLSTATE \"" + sqlstate + "\"",
		                 "A SQLSTATE has five characters.");
	RecordEvent(project, "failure", revision, down ? "down" : "", message, sqlstate);
}

/* See engine.hpp.  Read-only: no lock. */
std::optional<LeaseInfo>
Lease(const std::string &project)
{
	CheckProject(project);
	return ReadLease(project);
}

/* See engine.hpp. */
std::optional<std::pair<std::string, std::string>>
Recover(const std::string &project)
{
	CheckProject(project);
	CheckIsolation("mig_recover");
	LockProject(project);
	std::optional<LeaseInfo> l = ReadLease(project);
	if (!l)
		return std::nullopt;
	if (l->alive)
		ThrowBusy(project, *l);
	return std::make_pair(l->revision, RecoverStale(project, *l));
}

/* True when two optional strings are equal. */
static bool
SameOpt(const std::optional<std::string> &a, const std::optional<std::string> &b)
{
	return a.has_value() == b.has_value() && (!a || *a == *b);
}

namespace {

/* The project's lint policy: off, warn (the default) or error. */
std::string
LintPolicy(const std::string &project)
{
	if (!SafetyNetInstalled())
		return "off";
	CatalogScope scope;
	std::vector<Row> rows = SpiQuery("SELECT lint FROM pgmig.policy WHERE project = $1", {SqlParam::Text(project)});
	return rows.empty() ? "warn" : *rows[0][0];
}

/*
 * Lints the up body of every revision an upload inserts or replaces, as the
 * uploader (the catalog it may see), before anything is written.  Under the
 * policy 'warn' each finding is a WARNING and a finding of severity error
 * refuses the upload; under 'error' any finding refuses it (PM042).
 */
void
LintUploads(const std::string &project, const std::vector<UploadInput> &inputs,
            const std::vector<UploadOutcome> &out)
{
	std::string policy = LintPolicy(project);
	if (policy == "off")
		return;
	for (std::size_t k = 0; k < inputs.size(); k++) {
		if (out[k].action == "unchanged")
			continue;
		for (const LintFinding &f : LintBody(inputs[k].revision, "up", *inputs[k].up)) {
			std::string where = "revision \"" + inputs[k].revision + "\", line " + std::to_string(f.line) + ": ";
			if (policy == "error" || f.severity == "error")
				throw PgmigError(PGMIG_ERRCODE_LINT, where + f.message,
				                 "Lint rule " + f.rule + " (" + f.name + "), severity " + f.severity +
				                     ", project policy lint = " + policy + "; nothing was uploaded.",
				                 f.hint + " To accept it, put \"-- pgmig-lint: ignore " + f.rule +
				                     " <reason>\" on the line before the statement (docs/lint.md).");
			Notice(WARNING, "pgmig: " + where + f.message + " [" + f.rule + " " + f.name + "]", f.hint);
		}
	}
}

} // namespace

/* See engine.hpp. */
PolicyInfo
SetPolicy(const std::string &project, const std::optional<std::string> &lint)
{
	CheckProject(project);
	if (lint && *lint != "off" && *lint != "warn" && *lint != "error")
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid lint policy \"" + *lint + "\"",
		                 "", "The lint policy is off, warn or error.");
	CatalogScope scope;
	std::vector<Row> rows = SpiQuery(
	    "INSERT INTO pgmig.policy AS p (project, lint) VALUES ($1, COALESCE($2, 'warn')) "
	    "ON CONFLICT (project) DO UPDATE SET lint = COALESCE($2, p.lint) "
	    "RETURNING p.project, p.lint",
	    {SqlParam::Text(project), SqlParam::TextOrNull(lint)});
	return {*rows.at(0).at(0), *rows.at(0).at(1)};
}

/*
 * Refuses (PM024) a body that did not arrive as the client read it: the
 * client's checksum (of its UTF-8 file) differs from the checksum of the
 * text as stored, converted back to UTF-8.  Only a database encoding in
 * which some character has no exact round trip through UTF-8 gets here (a
 * character with no equivalent at all is refused by PostgreSQL, 22P05,
 * before pgmig sees the text).
 */
static void
CheckArrived(const std::string &revision, const char *which, const std::optional<std::string> &client,
             const std::string &stored)
{
	if (!client || *client == stored)
		return;
	const char *encoding = "";
	PgCall([&] { encoding = GetDatabaseEncodingName(); });
	throw PgmigError(PGMIG_ERRCODE_ENCODING,
	                 "revision \"" + revision + "\": its " + which + " body would not be stored as written: the "
	                     "database's encoding " + encoding + " changes some of its characters",
	                 "The client's checksum of the body is " + *client + "; the body as stored, read back as UTF-8, "
	                     "has " + stored + ".  Nothing was uploaded.",
	                 "Use characters the database's encoding represents exactly (the pgmig client names the line), "
	                 "or a UTF8 database.");
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
			throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid revision id " + core::QuoteForMessage(in.revision, 200, false) + ": " + why,
			                 "A revision id has 1 to 128 characters: an ASCII letter or digit, then letters, digits, "
			                 "'_', '.' or '-'; head, heads and base are reserved.");
		for (const std::vector<std::string> *list : {&in.parents, &in.depends_on})
			for (const std::string &ref : *list) {
				std::string bad = core::CheckRevisionId(ref);
				if (!bad.empty())
					throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE,
					                 "revision \"" + in.revision + "\": invalid " +
					                     (list == &in.parents ? "parent" : "depends_on") + " id " + core::QuoteForMessage(ref, 200, false) + ": " + bad,
					                 "A revision id has 1 to 128 characters: an ASCII letter or digit, then letters, "
					                 "digits, '_', '.' or '-'; head, heads and base are reserved.");
			}
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
		CheckArrived(in.revision, "up", in.client_checksum, p.checksum);
		if (in.down)
			CheckArrived(in.revision, "down", in.client_down_checksum, *p.down_checksum);
		prepared.push_back(std::move(p));
	}

	/* 2. Against what is stored, under the lock. */
	LockProject(project);
	ProjectState st = LoadProject(project, true);
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
		if (st.applied[it->second])
			throw PgmigError(PGMIG_ERRCODE_CHECKSUM_MISMATCH,
			                 "revision \"" + in.revision + "\" is applied and differs from the uploaded one", difference,
			                 "An applied revision never changes: write a new revision that makes the change.");
		if (!replace)
			throw PgmigError(PGMIG_ERRCODE_REVISION_EXISTS,
			                 "revision \"" + in.revision + "\" already exists with different content", difference,
			                 "It is not applied; pass replace => true to replace it.");
		CheckMayReplace(project, in.revision);
		out[k].action = "replaced";
		replaced_stored[it->second] = true;
	}
	if (std::optional<LeaseInfo> l = ReadLease(project)) {
		for (std::size_t k = 0; k < inputs.size(); k++)
			if (out[k].action == "replaced" && inputs[k].revision == l->revision) {
				if (l->alive)
					ThrowBusy(project, *l);
				RecoverStale(project, *l);
			}
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

	/* 4. Lint what is new, as the project's policy says. */
	LintUploads(project, inputs, out);

	/* 5. Write. */
	bool changed = false;
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
		changed = true;
	}

	/* 6. The project's summary row, in the graph's input order (step 3). */
	if (changed || !st.version.exists) {
		std::vector<StateRevision> revisions;
		revisions.reserve(st.meta.size() + inputs.size());
		std::size_t applied = 0;
		for (Index i = 0; i < st.meta.size(); i++) {
			if (replaced_stored[i])
				continue;
			const RevisionMeta &m = st.meta[i];
			revisions.push_back({&m.id, &m.parents, &m.depends_on, &m.branch_labels, &m.message, &m.checksum,
			                     &m.down_checksum, m.transactional});
			applied += st.applied[i] ? 1 : 0;
		}
		for (std::size_t k = 0; k < inputs.size(); k++)
			if (out[k].action != "unchanged")
				revisions.push_back({&inputs[k].revision, &inputs[k].parents, &inputs[k].depends_on,
				                     &inputs[k].branch_labels, &inputs[k].message, &prepared[k].checksum,
				                     &prepared[k].down_checksum, prepared[k].up.transactional});
		WriteState(project, revisions, built.graph, applied);
	}
	return out;
}

} // namespace pgmig
