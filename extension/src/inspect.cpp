/*
 * extension/src/inspect.cpp
 *
 * The read-only verbs (see inspect.hpp).  Heads and Sync answer from the
 * project's row of pgmig.project_state where there is one, and Status does
 * when every revision is applied, so their cost does not grow with the
 * history; Status otherwise, SyncLines, PlanStatements and
 * Revisions load the project (project_state.hpp).  SyncLines answers from
 * the loaded project's metadata (no body is read), so that a client whose
 * folder differs from what is stored can send only what differs, and the
 * upload that follows in the same backend finds the project in the cache.
 *
 * Locks: none.
 * Writes: nothing (reads pgmig.project_state, pgmig.revision and
 * pgmig.applied in a CatalogScope).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "body.hpp"
#include "errcodes.hpp"
#include "inspect.hpp"
#include "lock.hpp"
#include "project_state.hpp"
#include "run.hpp"
#include "sha256.hpp"
#include "spi.hpp"
#include "sync.hpp"

namespace pgmig {

using core::Index;

/* See inspect.hpp.  Read-only: no lock, the caller's snapshot rules. */
std::vector<HeadInfo>
Heads(const std::string &project)
{
	CheckProject(project);
	/*
	 * The heads pgmig.project_state keeps, with what is shown of each read
	 * by primary key: the cost does not grow with the history.  Three
	 * queries without a join, not one: joined, a planner whose statistics
	 * predate the project's upload put the heads array on the inner side
	 * of a nested loop over the project's revisions (quadratic: 5,000
	 * heads took 3 s).  Sequential scans are disabled for the look-ups, so
	 * that stale statistics cannot make them read every project's rows.
	 */
	if (HasStateTable()) {
		std::vector<Row> heads, shown, applied;
		{
			CatalogScope scope;
			heads = SpiQuery("SELECT h.revision FROM pgmig.project_state s "
			                 " CROSS JOIN LATERAL pg_catalog.unnest(s.heads) WITH ORDINALITY AS h(revision, n) "
			                 " WHERE s.project = $1 ORDER BY h.n",
			                 {SqlParam::Text(project)});
			if (!heads.empty()) {
				std::vector<std::string> ids;
				ids.reserve(heads.size());
				for (const Row &r : heads)
					ids.push_back(*r[0]);
				GucNestLevel nest;
				nest.Set("enable_seqscan", "off");
				shown = SpiQuery("SELECT revision, pg_catalog.array_to_string(branch_labels, ' '), message "
				                 "  FROM pgmig.revision WHERE project = $1 AND revision = ANY ($2::text[])",
				                 {SqlParam::Text(project), SqlParam::TextArray(ids)});
				applied = SpiQuery("SELECT revision FROM pgmig.applied WHERE project = $1 AND revision = ANY ($2::text[])",
				                   {SqlParam::Text(project), SqlParam::TextArray(ids)});
				nest.Close();
			}
		}
		if (!heads.empty() || ReadStateKey(project).exists) {
			std::unordered_map<std::string, const Row *> by_id;
			for (const Row &r : shown)
				by_id.emplace(*r[0], &r);
			std::unordered_map<std::string, bool> is_applied;
			for (const Row &r : applied)
				is_applied.emplace(*r[0], true);
			std::vector<HeadInfo> out;
			for (const Row &h : heads) {
				auto it = by_id.find(*h[0]);
				if (it == by_id.end())
					continue; /* as the join did: a head with no revision row is not shown */
				const Row &r = *it->second;
				out.push_back({*h[0], is_applied.count(*h[0]) > 0, SplitWords(r[1]), r[2]});
			}
			return out;
		}
	}
	ProjectState st = LoadProject(project, false);
	std::vector<HeadInfo> out;
	for (Index i : st.graph.Heads())
		out.push_back({st.meta[i].id, st.applied[i], st.meta[i].branch_labels, st.meta[i].message});
	return out;
}

/* See inspect.hpp.  Read-only: no lock. */
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

/*
 * See inspect.hpp.  Read-only: no lock.  Each line is the one WriteState
 * puts into the project's sync digest (the message converted to UTF-8, as
 * the client reads it), so a client compares it with its file's line.
 */
std::vector<SyncLineInfo>
SyncLines(const std::string &project)
{
	CheckProject(project);
	ProjectState st = LoadProject(project, false);
	std::vector<SyncLineInfo> out;
	out.reserve(st.meta.size());
	bool utf8 = DatabaseTextIsUtf8();
	std::string line; /* one buffer for every line */
	for (const StateRevision &r : StateRevisionsOf(st.meta)) {
		line.clear();
		AppendSyncLineOf(line, r, utf8);
		out.push_back({*r.id, ServerSha256Hex(line), r.transactional});
	}
	return out;
}

/*
 * See inspect.hpp.  When the project's row shows every stored revision
 * applied (the state after every successful deploy), the answer is in the
 * row: nothing is pending, and the applied heads are the heads (an applied
 * revision's children are then all applied), in the same order, the graph's.
 * The applied rows are a subset of the stored revisions (a revision is
 * applied or stamped only once stored, and an applied one is never
 * replaced), so equal counts mean every revision.  Otherwise the project is
 * loaded.
 */
StatusInfo
Status(const std::string &project)
{
	CheckProject(project);
	if (HasStateTable()) {
		std::vector<Row> rows;
		{
			CatalogScope scope;
			rows = SpiQuery("SELECT pg_catalog.array_to_string(heads, ' '), applied FROM pgmig.project_state "
			                " WHERE project = $1 AND applied = revisions",
			                {SqlParam::Text(project)});
		}
		if (!rows.empty()) {
			StatusInfo s;
			s.heads = SplitWords(rows[0][0]);
			s.current = s.heads;
			s.applied = std::stoi(*rows[0][1]);
			return s;
		}
	}
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

/* See inspect.hpp.  Read-only: no lock. */
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

/* See inspect.hpp.  Read-only: no lock. */
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

} // namespace pgmig
