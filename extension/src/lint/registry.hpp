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

/* The rules, one per file (lNNN_<name>.cpp), in id order. */
extern const LintRule kL001NotNullColumnWithoutDefault;
extern const LintRule kL002VolatileDefault;
extern const LintRule kL003ColumnTypeChange;
extern const LintRule kL004IndexWithoutConcurrently;
extern const LintRule kL005ConstraintWithoutNotValid;
extern const LintRule kL006SetNotNull;
extern const LintRule kL007DropTable;
extern const LintRule kL008DropColumn;
extern const LintRule kL009RenameTable;
extern const LintRule kL010RenameColumn;
extern const LintRule kL011EnumValueUsedInSameRevision;
extern const LintRule kL012LockAccessExclusive;
extern const LintRule kL013ForeignKeyTypeMismatch;
extern const LintRule kL014InsertMissingNotNull;
extern const LintRule kL015ObjectAlreadyExists;
extern const LintRule kL016ForeignKeyTypesIncompatible;
extern const LintRule kL017IfNotExistsDifferentShape;
extern const LintRule kL018AddColumnExists;

/* The rule a directive word names ("L004", "l004" or "index-without-concurrently"), or -1. */
int RuleByWord(const std::string &word);

} // namespace pgmig::lint

#endif /* PGMIG_LINT_REGISTRY_HPP */
