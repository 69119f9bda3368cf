/*
 * extension/src/engine.hpp
 *
 * The migration engine: what mig_upload, mig_apply, mig_downgrade, mig_stamp,
 * mig_heads and mig_status do, behind the SQL-callable shims in shims.cpp.
 *
 * Every verb that changes a project first refuses a transaction snapshot
 * (REPEATABLE READ, SERIALIZABLE), then takes the project's transaction-level
 * advisory lock, and only then reads the catalog, each query with a fresh
 * snapshot.  A second caller therefore waits and then sees the first one's
 * work.  Graph questions are answered by extension/core (no PostgreSQL
 * there); this file only moves data between the catalog and the core and runs
 * bodies.
 *
 * Bodies run statement by statement through SPI, one subtransaction per
 * revision, as the role that uploaded the revision, inside a GUC nest level
 * (so SET in a body ends with the revision) with lock_timeout set from
 * pgmig.lock_timeout.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_ENGINE_HPP
#define PGMIG_ENGINE_HPP

#include <optional>
#include <string>
#include <vector>

namespace pgmig {

/* pgmig.lock_timeout, in milliseconds (0: leave the session's setting). */
extern int lock_timeout_ms;

/* One revision as given to upload. */
struct UploadInput {
	std::string revision;
	std::optional<std::string> up;
	std::optional<std::string> down;
	std::vector<std::string> parents;
	std::vector<std::string> depends_on;
	std::vector<std::string> branch_labels;
	std::optional<std::string> message;
};

/* What upload did with one revision. */
struct UploadOutcome {
	std::string revision;
	std::string action; /* inserted, unchanged, replaced */
	bool transactional = true;
	std::string checksum;
};

/* One revision run by apply or downgrade. */
struct RunOutcome {
	std::string revision;
	int statements = 0;
	double seconds = 0;
};

/* One change made by stamp. */
struct StampOutcome {
	std::string revision;
	std::string action; /* added, removed */
};

struct HeadInfo {
	std::string revision;
	bool applied = false;
	std::vector<std::string> branch_labels;
	std::optional<std::string> message;
};

struct StatusInfo {
	std::vector<std::string> current;
	std::vector<std::string> heads;
	int applied = 0;
	int pending = 0;
	std::vector<std::string> pending_revisions;
	std::vector<std::string> nontransactional_pending;
};

std::vector<UploadOutcome> Upload(const std::string &project, std::vector<UploadInput> inputs, bool replace);
std::vector<RunOutcome> Apply(const std::string &project, const std::string &target, bool atomic);
std::vector<RunOutcome> Downgrade(const std::string &project, const std::string &target, bool atomic);
std::vector<StampOutcome> Stamp(const std::string &project, const std::vector<std::string> &targets);
std::vector<HeadInfo> Heads(const std::string &project);
StatusInfo Status(const std::string &project);

/* Throws PgmigError (22023) when the project name is not of the allowed form. */
void CheckProject(const std::string &project);

} // namespace pgmig

#endif /* PGMIG_ENGINE_HPP */
