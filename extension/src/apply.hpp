/*
 * extension/src/apply.hpp
 *
 * mig_apply and mig_downgrade: running the plan towards a target inside the
 * caller's transaction, and the check that every revision run is one the
 * caller expected (Expected, PM023).
 *
 * Locks: the project lock (LockAndLoad, lock.hpp), then what the bodies
 * take (run.hpp).
 * Writes: pgmig.applied and pgmig.event (one row each per revision run,
 * events.hpp), a failure event under atomic => false, pgmig.project_state's
 * applied version once per call.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_APPLY_HPP
#define PGMIG_APPLY_HPP

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "project_state.hpp"

namespace pgmig {

/* One revision run by apply or downgrade. */
struct RunOutcome {
	std::string revision;
	int statements = 0;
	double seconds = 0;
	std::string xid; /* the transaction's id (xid8 text) */
};

/*
 * What a caller expects to run (mig_apply's and mig_begin_nontx's
 * `expected`): revision id -> checksum of the up body it pushed.  Given,
 * every revision the call would run must be in it with the stored checksum
 * (PM023 before anything runs).
 */
using Expected = std::map<std::string, std::string>;

std::vector<RunOutcome> Apply(const std::string &project, const std::string &target, bool atomic,
                              std::optional<int> max_revisions, const std::optional<Expected> &expected = {});
std::vector<RunOutcome> Downgrade(const std::string &project, const std::string &target, bool atomic,
                                  std::optional<int> max_revisions);

/* Fills in the transaction id of every outcome (assigning one if needed). */
void SetXid(std::vector<RunOutcome> &out);

/* Refuses (PM023) to run a revision of the plan that the caller did not
 * expect with the stored checksum. */
void CheckExpected(const std::string &project, const std::string &target, const ProjectState &st,
                   const std::vector<core::Index> &plan, const Expected &expected);

} // namespace pgmig

#endif /* PGMIG_APPLY_HPP */
