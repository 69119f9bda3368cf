/*
 * extension/src/inspect.hpp
 *
 * The read-only questions about a project: mig_heads, mig_status, mig_sync,
 * mig_sync_lines, mig_plan and mig_revisions.
 *
 * Locks: none.  Each answer is read under the caller's snapshot rules
 * (project_state.hpp's cache is filled only from reads the versions confirm).
 * Writes: nothing.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_INSPECT_HPP
#define PGMIG_INSPECT_HPP

#include <optional>
#include <string>
#include <vector>

namespace pgmig {

/* One statement of a plan (mig_plan). */
struct PlanStep {
	int step = 0;
	std::string revision;
	int statement = 0;
	int line = 0;
	bool transactional = true;
	std::string lock;
	std::string sql;
};

/* One head of a project (mig_heads). */
struct HeadInfo {
	std::string revision;
	bool applied = false;
	std::vector<std::string> branch_labels;
	std::optional<std::string> message;
};

/* What mig_sync returns (see pgmig--0.3--0.4.sql). */
struct SyncInfo {
	std::optional<std::string> digest; /* nullopt: not known until the next upload or apply */
	int revisions = 0;
	int pending = 0;
	std::vector<std::string> nontransactional;
};

/* One row of mig_sync_lines (see pgmig--0.6--0.7.sql). */
struct SyncLineInfo {
	std::string revision;
	std::string line_digest; /* SHA-256 of the revision's line of the sync digest (core/sync.hpp) */
	bool transactional = true;
};

struct StatusInfo {
	std::vector<std::string> current;
	std::vector<std::string> heads;
	int applied = 0;
	int pending = 0;
	std::vector<std::string> pending_revisions;
	std::vector<std::string> nontransactional_pending;
};

/* mig_heads: the heads, with whether each is applied. */
std::vector<HeadInfo> Heads(const std::string &project);

/* mig_status: applied heads, heads and what is pending. */
StatusInfo Status(const std::string &project);

/* The project's sync digest and counts from pgmig.project_state; nullopt
 * when the extension's schema predates 0.4. */
std::optional<SyncInfo> Sync(const std::string &project);

/* mig_sync_lines: each stored revision's line of the sync digest, hashed. */
std::vector<SyncLineInfo> SyncLines(const std::string &project);

/* mig_plan: the statements a run towards target would execute. */
std::vector<PlanStep> PlanStatements(const std::string &project, const std::string &target, bool down);

/* mig_revisions: every revision with whether, when and how it was applied. */
std::vector<std::vector<std::optional<std::string>>> Revisions(const std::string &project);

} // namespace pgmig

#endif /* PGMIG_INSPECT_HPP */
