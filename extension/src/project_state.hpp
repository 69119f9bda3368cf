/*
 * extension/src/project_state.hpp
 *
 * A project as the engine reads it: its revisions, their graph and the
 * applied set (ProjectState), the per-backend graph cache that spares a
 * writer from re-reading them on every call, and the summary row of
 * pgmig.project_state (counts, heads, sync digest, versions) that keeps the
 * cache honest (see "The graph cache" in project_state.cpp).
 *
 * Locks: none of its own.  LoadProject is told whether the caller holds the
 * project lock (lock.hpp); without it, what it reads is cached only when the
 * versions did not move during the read.
 * Writes: pgmig.project_state (WriteState, BumpApplied); draws from
 * pgmig.state_version_seq only past the limits of DrawVersion.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_PROJECT_STATE_HPP
#define PGMIG_PROJECT_STATE_HPP

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "graph.hpp"
#include "spi.hpp"

namespace pgmig {

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
	core::Graph graph;
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
	const core::Graph &graph;
	std::vector<bool> applied;
	StateKey version; /* as read by LoadProject (exists false: no row) */
};

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

/* "1 revision", "N revisions". */
std::string RevisionCount(std::size_t n);

/* Maps a core problem to its SQLSTATE. */
int ProblemSqlstate(core::ProblemKind kind);

/* The applied revisions of a project: id -> the other columns asked for. */
std::unordered_map<std::string, Row> AppliedRows(const std::string &project, const char *columns);

/* Whether this database's pgmig has the 0.4 table pgmig.project_state. */
bool HasStateTable();

/* The project's versions as pgmig.project_state shows them now. */
StateKey ReadStateKey(const std::string &project);

/* A project's revisions and applied set, from the cache where the versions
 * still hold; locked: the caller holds the project lock. */
ProjectState LoadProject(const std::string &project, bool locked);

/* Stores the applied set this backend left for the project's cached graph. */
void CacheApplied(const std::string &project, const ProjectState &st, const std::vector<bool> &applied,
                  std::int64_t version);

/* Draws a new applied_version after the applied set changed by delta rows. */
std::optional<std::int64_t> BumpApplied(const std::string &project, int delta);

/* Appends r's line of the sync digest (core/sync.hpp) to buf, its message
 * converted to UTF-8 unless utf8 says the database's text already is. */
void AppendSyncLineOf(std::string &buf, const StateRevision &r, bool utf8);

/* The StateRevisions of meta (pointers into it), for WriteState. */
std::vector<StateRevision> StateRevisionsOf(const std::vector<RevisionMeta> &meta);

/* Writes the project's row of pgmig.project_state from its whole content;
 * returns the versions the row then holds (exists false without the table). */
StateKey WriteState(const std::string &project, const std::vector<StateRevision> &revisions, const core::Graph &graph,
                std::size_t applied);

/*
 * For a writer that is about to replace the project's cached graph
 * (CacheUploaded): drops the cache's entry for st now, and returns st's
 * revisions and graph, moved out when nothing else holds them (copied
 * otherwise).  st.meta and st.graph must not be used after.
 */
StoredGraph TakeStored(const std::string &project, ProjectState &st);

/* Stores the graph and applied set an upload wrote under the row's key. */
void CacheUploaded(const std::string &project, std::shared_ptr<const StoredGraph> stored, std::vector<bool> applied,
                   const StateKey &key);

/* WriteState from a loaded project: for a project that has no row yet. */
void WriteStateOf(const std::string &project, const ProjectState &st);

/* Resolves targets or throws the problem with its SQLSTATE. */
std::vector<core::Index> ResolveOrThrow(const ProjectState &st, const std::string &project,
                                        const std::vector<std::string> &targets);

/* The same in a graph and applied set of the caller's (an upload's
 * resulting graph, before it is stored). */
std::vector<core::Index> ResolveOrThrow(const core::Graph &graph, const std::vector<bool> &applied,
                                        const std::string &project, const std::vector<std::string> &targets);

} // namespace pgmig

#endif /* PGMIG_PROJECT_STATE_HPP */
