/*
 * extension/src/roundtrip.hpp
 *
 * mig_roundtrip: for each pending revision towards a target, run up, then
 * down and up again, and compare the schema each step leaves with the one
 * it should give back; everything is rolled back at the end.
 *
 * Locks: the project lock (lock.hpp), and what the bodies take.
 * Writes: nothing that stays: every change, the catalog's included, is
 * rolled back with the call's subtransaction.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_ROUNDTRIP_HPP
#define PGMIG_ROUNDTRIP_HPP

#include <optional>
#include <string>
#include <vector>

namespace pgmig {

/* mig_roundtrip: one row per check (see roundtrip.cpp). */
struct RoundtripRow {
	std::string revision;
	std::string step;   /* up, down, up again */
	std::string result; /* ok, failed, skipped, no down body, left behind, removed, changed, differs */
	std::string kind;
	std::string identity;
	std::string detail;
};
std::vector<RoundtripRow> Roundtrip(const std::string &project, const std::string &target,
                                    const std::optional<std::vector<std::string>> &only);

} // namespace pgmig

#endif /* PGMIG_ROUNDTRIP_HPP */
