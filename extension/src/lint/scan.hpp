/*
 * extension/src/lint/scan.hpp
 *
 * The body's tokens (core scanner) and the suppression directives in the
 * comments between them (see scan.cpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_SCAN_HPP
#define PGMIG_LINT_SCAN_HPP

#include <cstddef>
#include <string>
#include <vector>

namespace pgmig::lint {

/* A token of the body: byte range, and the value of a string constant. */
struct ScannedToken {
	int start;
	int end;
	char *sconst; /* value of a string constant (SCONST), else NULL */
};

/* One "-- pgmig-lint:" directive found in a comment. */
struct Directive {
	std::size_t offset = 0; /* where the comment starts */
	bool whole_file = false;
	std::vector<int> rules; /* indexes in the registry (registry.hpp) */
};

ScannedToken *ScanTokensC(const char *text, int *count);
bool ParseDirective(const std::string &text, Directive *d);
void DirectivesInGap(const std::string &body, std::size_t from, std::size_t to, std::vector<Directive> *out);

} // namespace pgmig::lint

#endif /* PGMIG_LINT_SCAN_HPP */
