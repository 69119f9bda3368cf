/*
 * extension/src/stamp.hpp
 *
 * Moving the applied set without running anything, and recording the
 * schema as pgmig's base: mig_stamp, mig_baseline (a stamp of a project
 * with nothing applied, with the fingerprint always taken) and mig_snapshot
 * (the fingerprint alone).
 *
 * Locks: the project lock (lock.hpp).
 * Writes: pgmig.applied (how = 'stamp'), pgmig.event (stamp, baseline,
 * snapshot), pgmig.project_state's applied version, and the fingerprint's
 * pgmig.schema_change row (safety.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_STAMP_HPP
#define PGMIG_STAMP_HPP

#include <string>
#include <vector>

#include "safety.hpp"

namespace pgmig {

/* One change made by stamp. */
struct StampOutcome {
	std::string revision;
	std::string action; /* added, removed */
};

/* mig_stamp: set the applied set to the ancestors of targets. */
std::vector<StampOutcome> Stamp(const std::string &project, const std::vector<std::string> &targets);

/* mig_baseline: stamp target on a project with nothing applied, and record the fingerprint. */
struct BaselineOutcome {
	std::vector<StampOutcome> stamped;
	Fingerprint fingerprint;
};
BaselineOutcome Baseline(const std::string &project, const std::string &target);

/* mig_snapshot: record the fingerprint now, under the project lock (event kind snapshot). */
Fingerprint RecordSnapshot(const std::string &project);

} // namespace pgmig

#endif /* PGMIG_STAMP_HPP */
