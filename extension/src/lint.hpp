/*
 * extension/src/lint.hpp
 *
 * The migration linter: reads a body with the server's own parser and the
 * live catalog, and reports statements that lock or rewrite busy tables,
 * break a running application, or cannot do what they say (fail, or are
 * skipped: docs/lint.md lists the rules, L001 to L018).  It never executes
 * the body, writes nothing, and takes no lock stronger than AccessShareLock
 * (on system catalogs only: user relations are resolved with NoLock and read
 * through the syscache).
 *
 * Used by pgmig.mig_lint (shims_upload.cpp) and by the engine at upload, which
 * applies the project's lint policy to the findings.  The linter itself is
 * in extension/src/lint/: driver.cpp (LintBody), one file per rule, and
 * registry.cpp listing them (lint/rule.hpp says how a rule is built).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_HPP
#define PGMIG_LINT_HPP

#include <string>
#include <vector>

namespace pgmig {

/* One finding of the linter. */
struct LintFinding {
	std::string rule;     /* "L001" */
	std::string name;     /* "not-null-column-without-default" */
	std::string severity; /* "warning" or "error" */
	int statement = 0;    /* 1-based statement number in the body */
	int line = 0;         /* 1-based body line of the statement */
	std::string message;  /* one line, names the object: column "c" of table public.t ... */
	std::string hint;     /* the safe alternative, one or two sentences */
};

/*
 * Lints a body (parsed with ParseBody(revision, which, body, true), so a body
 * that does not parse raises ParseBody's error).  Needs an SPI connection
 * (the caller has one); reads the catalog as the current user; writes
 * nothing.  Findings are ordered by statement, then rule; suppression
 * comments ("-- pgmig-lint: ignore L004 reason", "-- pgmig-lint: ignore-file
 * L007") are already applied.
 */
std::vector<LintFinding> LintBody(const std::string &revision, const char *which, const std::string &body);

} // namespace pgmig

#endif /* PGMIG_LINT_HPP */
