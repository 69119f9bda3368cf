/*
 * extension/src/check.hpp
 *
 * mig_check: every pending revision towards a target, checked in the schema
 * it will meet.  Inside one subtransaction that is rolled back, the pending
 * revisions run in apply order, so each body is checked after its ancestors
 * (and everything the apply order puts before it) ran:
 *
 *  - lint: each up body is linted just before it runs, each down body just
 *    after its up body ran (the schema the down body will meet); a body
 *    that fails to run is reported too (the revision cannot apply);
 *  - test: up, then down and up again, each compared with the schema it
 *    should give back; then each revision whose apply order puts other
 *    revisions before it that are not its ancestors is applied on top of
 *    its ancestors alone, and one that fails there is reported with the
 *    revision that creates what it needs (an undeclared dependency).
 *
 * The revisions may come in the call (`batch`, mig_upload_batch's format):
 * they are uploaded inside the rolled-back subtransaction, so checking a
 * folder stores nothing.  A non-transactional revision runs in its
 * transactional form (CREATE INDEX for CREATE INDEX CONCURRENTLY), and the
 * row says so.  mig_roundtrip (0.3) is the test mode's rows in its older
 * shape.
 *
 * Locks: the project lock (lock.hpp), and what the bodies take.
 * Writes: nothing that stays: every change, the catalog's included, is
 * rolled back with the call's subtransaction.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CHECK_HPP
#define PGMIG_CHECK_HPP

#include <optional>
#include <string>
#include <vector>

namespace pgmig {

/* One row of mig_check (see check.cpp for the values of step and result). */
struct CheckRow {
	std::string revision;
	std::string step;   /* up, down, up again, dependencies */
	std::string result; /* see check.cpp */
	int line = 0;       /* 1-based line in the step's body; 0: the body as a whole */
	std::string sqlstate;
	std::string message;
	std::string detail;
	std::string hint;
	std::string rule; /* lint findings */
	std::string name;
	std::string severity;
	std::string kind; /* schema differences */
	std::string identity;
};

enum class CheckMode { kLint, kTest };

/* mig_check (see the file header). */
std::vector<CheckRow> Check(const std::string &project, const std::string &target,
                            const std::optional<std::vector<std::string>> &only,
                            const std::optional<std::string> &batch, CheckMode mode);

/* mig_roundtrip (0.3): one row per check, in its older shape. */
struct RoundtripRow {
	std::string revision;
	std::string step;   /* up, down, up again */
	std::string result; /* ok, failed, skipped, no down body, left behind,
                         removed, changed, differs */
	std::string kind;
	std::string identity;
	std::string detail;
};
std::vector<RoundtripRow> Roundtrip(const std::string &project, const std::string &target,
                                    const std::optional<std::vector<std::string>> &only);

} // namespace pgmig

#endif /* PGMIG_CHECK_HPP */
