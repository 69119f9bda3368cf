/*
 * extension/src/lint/registry.hpp
 *
 * The table of lint rules (registry.cpp) and the look-up of a rule by the
 * word a suppression directive names it with.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_REGISTRY_HPP
#define PGMIG_LINT_REGISTRY_HPP

#include <string>

#include "lint/rule.hpp"

namespace pgmig::lint {

/* Every rule, in id order; kLintRuleCount entries. */
extern const LintRule *const kLintRules[];
extern const int kLintRuleCount;

/* The rule a directive word names ("L004", "l004" or "index-without-concurrently"), or -1. */
int RuleByWord(const std::string &word);

} // namespace pgmig::lint

#endif /* PGMIG_LINT_REGISTRY_HPP */
