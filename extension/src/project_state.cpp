/*
 * extension/src/project_state.cpp
 *
 * Reading a project (revisions, graph, applied set) with the per-backend
 * graph cache, and writing its summary row (see project_state.hpp).
 *
 * Locks: none (callers that write hold the project lock, lock.hpp).
 * Writes: pgmig.project_state (one row per project: counts, heads,
 * nontransactional, sync_digest, graph_version, applied_version); reads
 * pgmig.revision and pgmig.applied.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "body.hpp"
#include "errcodes.hpp"
#include "graph.hpp"
#include "project_state.hpp"
#include "spi.hpp"
#include "sync.hpp"

extern "C" {
#include "access/xact.h"
}

namespace pgmig {

using core::Graph;
using core::Index;
using core::ProblemKind;

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

namespace {

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

} // namespace

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

namespace {

/* Reads a project's revisions and builds their graph. */
std::shared_ptr<const StoredGraph>
ReadStoredGraph(const std::string &project)
{
	auto out = std::make_shared<StoredGraph>();
	std::vector<core::RevisionInput> inputs;
	{
		CatalogScope scope;
		SpiForEachRow("SELECT r.revision, r.transactional, r.down_body IS NOT NULL, "
		              "       COALESCE(r.down_transactional, true), r.checksum, r.down_checksum, "
		              "       r.message, pg_catalog.array_to_string(r.parents, ' '), "
		              "       pg_catalog.array_to_string(r.depends_on, ' '), "
		              "       pg_catalog.array_to_string(r.branch_labels, ' ') "
		              "  FROM pgmig.revision r WHERE r.project = $1 ORDER BY r.upload_seq",
		              {SqlParam::Text(project)}, [&](Row &row) {
			              RevisionMeta m;
			              m.id = std::move(*row[0]);
			              m.transactional = *row[1] == "t";
			              m.has_down = *row[2] == "t";
			              m.down_transactional = *row[3] == "t";
			              m.checksum = std::move(*row[4]);
			              m.down_checksum = std::move(row[5]);
			              m.message = std::move(row[6]);
			              m.parents = SplitWords(row[7]);
			              m.depends_on = SplitWords(row[8]);
			              m.branch_labels = SplitWords(row[9]);
			              inputs.push_back({m.id, m.parents, m.depends_on, m.branch_labels});
			              out->meta.push_back(std::move(m));
		              });
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

} // namespace

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
 * See project_state.hpp.  An upload of one revision on a long history
 * copied every revision's fields twice (its graph's input and the entry it
 * caches), fresh memory that cost more than the rest of the upload.  The
 * entry is dropped first, so that an error before CacheUploaded leaves no
 * entry (the next call reads the project) rather than an emptied one.
 */
StoredGraph
TakeStored(const std::string &project, ProjectState &st)
{
	auto it = graph_cache.find(project);
	if (it != graph_cache.end() && it->second.graph == st.stored)
		graph_cache.erase(it);
	if (st.stored.use_count() == 1) /* made by make_shared as non-const */
		return std::move(const_cast<StoredGraph &>(*st.stored));
	return *st.stored;
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

namespace {

/*
 * core::SyncDigest's value over the revisions, hashed line by line as each
 * is written into one reused buffer: the digest of 10,000 revisions built
 * every line and then their 1.5 MB concatenation, fresh memory that cost
 * more than the hashing.
 */
std::string
SyncDigestOf(const std::vector<StateRevision> &revisions)
{
	std::vector<const StateRevision *> sorted;
	sorted.reserve(revisions.size());
	for (const StateRevision &r : revisions)
		sorted.push_back(&r);
	std::sort(sorted.begin(), sorted.end(), [](const StateRevision *a, const StateRevision *b) { return *a->id < *b->id; });
	bool utf8 = DatabaseTextIsUtf8();
	ServerSha256 sha;
	std::string &buf = sha.Buffer();
	for (std::size_t i = 0; i < sorted.size(); i++) {
		if (i > 0)
			buf += '\n';
		AppendSyncLineOf(buf, *sorted[i], utf8);
		sha.Flush();
	}
	return sha.FinalHex();
}

} // namespace

/* See project_state.hpp. */
void
AppendSyncLineOf(std::string &buf, const StateRevision &r, bool utf8)
{
	const std::optional<std::string> &message = *r.message;
	std::optional<std::string> converted;
	if (message && !utf8)
		converted = ToUtf8(*message);
	core::AppendSyncLine(buf, *r.id, *r.parents, *r.depends_on, *r.branch_labels, converted ? converted : message,
	                     *r.checksum, *r.down_checksum);
}

/*
 * Writes the project's row of pgmig.project_state from its whole content:
 * revisions (in the graph's input order), their graph and the number
 * applied.  Draws a new graph version; the applied version is kept, or
 * drawn for a new row.
 */
StateKey
WriteState(const std::string &project, const std::vector<StateRevision> &revisions, const Graph &graph,
           std::size_t applied)
{
	if (!HasStateTable())
		return {};
	std::vector<std::string> nontx;
	for (const StateRevision &r : revisions)
		if (!r.transactional)
			nontx.push_back(*r.id);
	std::sort(nontx.begin(), nontx.end());
	std::string digest = SyncDigestOf(revisions);
	std::vector<std::string> heads;
	for (Index i : graph.Heads())
		heads.push_back(graph.id(i));
	std::int64_t graph_version = DrawVersion();
	std::int64_t applied_version = DrawVersion();
	CatalogScope scope;
	std::vector<Row> rows = SpiQuery(
	    "INSERT INTO pgmig.project_state AS s (project, graph_version, applied_version, revisions, applied, "
	    "                                     heads, nontransactional, sync_digest) "
	    "VALUES ($1, $7, $8, $2, $3, $4, $5, $6) "
	    "ON CONFLICT (project) DO UPDATE "
	    "   SET graph_version = excluded.graph_version, revisions = excluded.revisions, "
	    "       applied = excluded.applied, heads = excluded.heads, "
	    "       nontransactional = excluded.nontransactional, sync_digest = excluded.sync_digest "
	    "RETURNING 'pgmig.state_version_seq'::pg_catalog.regclass::pg_catalog.oid::pg_catalog.text, "
	    "          s.graph_version, s.applied_version",
	    {SqlParam::Text(project), SqlParam::Int4((int) revisions.size()), SqlParam::Int4((int) applied),
	     SqlParam::TextArray(heads), SqlParam::TextArray(nontx), SqlParam::Text(digest),
	     SqlParam::Int8(graph_version), SqlParam::Int8(applied_version)});
	StateKey k;
	k.sequence = (Oid) std::stoul(*rows.at(0).at(0));
	k.exists = true;
	k.graph_version = std::stoll(*rows[0][1]);
	k.applied_version = std::stoll(*rows[0][2]);
	return k;
}

/*
 * After this backend wrote a project's revisions (an upload) and its row
 * (WriteState returned key), stores the graph it wrote and the applied set
 * under that key, so that the calls that follow in this backend (the
 * client's status and apply after its push) do not read the history again.
 * stored->meta is in the order in which LoadProject would read the rows
 * back (upload_seq); if the transaction rolls back, the row goes back to
 * versions the entry does not hold and the entry is not used.
 */
void
CacheUploaded(const std::string &project, std::shared_ptr<const StoredGraph> stored, std::vector<bool> applied,
              const StateKey &key)
{
	if (!key.exists)
		return;
	auto it = graph_cache.find(project);
	if (it == graph_cache.end() && graph_cache.size() >= kCachedProjects)
		graph_cache.erase(graph_cache.begin());
	graph_cache[project] = {key.sequence, key.graph_version, std::move(stored), true, key.applied_version,
	                        std::move(applied)};
}

/* See project_state.hpp. */
std::vector<StateRevision>
StateRevisionsOf(const std::vector<RevisionMeta> &meta)
{
	std::vector<StateRevision> revisions;
	revisions.reserve(meta.size());
	for (const RevisionMeta &m : meta)
		revisions.push_back({&m.id, &m.parents, &m.depends_on, &m.branch_labels, &m.message, &m.checksum,
		                     &m.down_checksum, m.transactional});
	return revisions;
}

/* WriteState from a loaded project: for a project that has no row yet. */
void
WriteStateOf(const std::string &project, const ProjectState &st)
{
	std::size_t applied = 0;
	for (bool a : st.applied)
		applied += a ? 1 : 0;
	WriteState(project, StateRevisionsOf(st.meta), st.graph, applied);
}

/* Resolves targets or throws the problem with its SQLSTATE. */
std::vector<Index>
ResolveOrThrow(const ProjectState &st, const std::string &project, const std::vector<std::string> &targets)
{
	return ResolveOrThrow(st.graph, st.applied, project, targets);
}

/* See project_state.hpp. */
std::vector<core::Index>
ResolveOrThrow(const core::Graph &graph, const std::vector<bool> &applied, const std::string &project,
               const std::vector<std::string> &targets)
{
	core::Resolution r = targets.size() == 1 ? core::ResolveTarget(graph, targets[0], applied)
	                                         : core::ResolveTargets(graph, targets, applied);
	if (!r.ok()) {
		std::string hint;
		if (r.problem.kind == ProblemKind::kMultipleHeads)
			hint = "Upload a merge revision whose parents are all the heads, or name the head to use.";
		else if (r.problem.kind == ProblemKind::kUnknownTarget)
			hint = "A target is a revision id or unique prefix, a branch label, label@head, head, heads, base, +N, "
			       "-N, or label@+N, label@-N, label@base for one branch; SELECT * FROM pgmig.mig_heads('" +
			       project + "') lists the heads.";
		throw PgmigError(ProblemSqlstate(r.problem.kind), r.problem.message, "project \"" + project + "\"", hint);
	}
	return r.revisions;
}

} // namespace pgmig
