/*
 * extension/src/lock.hpp
 *
 * The project lock, taken by every verb that changes a project.
 *
 * Every verb that changes a project first refuses a transaction snapshot
 * (REPEATABLE READ, SERIALIZABLE), then takes the project's transaction-level
 * advisory lock, and only then reads the catalog, each query with a fresh
 * snapshot.  A second caller therefore waits and then sees the first one's
 * work.  Graph questions are answered by extension/core (no PostgreSQL
 * there); the engine files only move data between the catalog and the core
 * and run bodies.  Catalog access goes through CatalogScope (extension
 * owner, pinned search_path); body execution through RunStatements
 * (uploader identity, subtransaction, GUC nest level; run.hpp).
 *
 * Locks: the advisory lock ('pgmg', hashtext(project)), transaction-level,
 * so it ends with the caller's transaction; waited for up to lock_timeout,
 * or not at all with pgmig.nowait (PM035 either way).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LOCK_HPP
#define PGMIG_LOCK_HPP

#include <string>

#include "project_state.hpp"

namespace pgmig {

/* pgmig.nowait: fail with PM035 instead of waiting for the project lock. */
extern bool nowait;

/* Throws PgmigError (22023) when the project name is not of the allowed form. */
void CheckProject(const std::string &project);

/* Refuses (PM032) to run in a transaction that reads with one snapshot. */
void CheckIsolation(const char *function);

/* Takes the project's advisory lock (PM035 when it cannot be had). */
void LockProject(const std::string &project);

/*
 * Lock, isolation check, lease and load, common to every verb that writes:
 * a live lease of a non-transactional revision makes the project busy, a
 * stale one is recovered (nontx.hpp), and a project without a summary row
 * gets one.
 */
ProjectState LockAndLoad(const std::string &project, const char *function);

} // namespace pgmig

#endif /* PGMIG_LOCK_HPP */
