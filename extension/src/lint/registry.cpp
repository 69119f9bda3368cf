/*
 * extension/src/lint/registry.cpp
 *
 * The one place that lists every lint rule (rule.hpp says what a rule is).
 * Each rule is defined in lNNN_<name>.cpp beside this file, with its cases
 * in lNNN_<name>.cases.sql; docs/lint.md has one section per entry here.
 * test/t/028_lint_registry.pl reads kLintRules below (one "&kLNNN..." line
 * per rule) and checks the rule files, their cases, the live server's
 * findings and docs/lint.md against it.
 *
 * To add a rule: write lNNN_<name>.cpp and lNNN_<name>.cases.sql, declare
 * it in registry.hpp and list it here (ids in order), and add its section to
 * docs/lint.md.
 *
 * No catalog access, no lock.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cctype>
#include <string>

#include "lint/registry.hpp"

namespace pgmig::lint {

/* docs/lint.md has one section per entry. */
const LintRule *const kLintRules[] = {
	&kL001NotNullColumnWithoutDefault,
	&kL002VolatileDefault,
	&kL003ColumnTypeChange,
	&kL004IndexWithoutConcurrently,
	&kL005ConstraintWithoutNotValid,
	&kL006SetNotNull,
	&kL007DropTable,
	&kL008DropColumn,
	&kL009RenameTable,
	&kL010RenameColumn,
	&kL011EnumValueUsedInSameRevision,
	&kL012LockAccessExclusive,
	&kL013ForeignKeyTypeMismatch,
	&kL014InsertMissingNotNull,
	&kL015ObjectAlreadyExists,
	&kL016ForeignKeyTypesIncompatible,
	&kL017IfNotExistsDifferentShape,
	&kL018AddColumnExists,
};

const int kLintRuleCount = (int) (sizeof(kLintRules) / sizeof(kLintRules[0]));

/* The rule a directive word names ("L004", "l004" or "index-without-concurrently"), or -1. */
int
RuleByWord(const std::string &word)
{
	for (int i = 0; i < kLintRuleCount; i++) {
		if (word == kLintRules[i]->name)
			return i;
		if (word.size() == 4 && std::toupper((unsigned char) word[0]) == 'L' &&
		    word.compare(1, 3, kLintRules[i]->id + 1) == 0)
			return i;
	}
	return -1;
}

} // namespace pgmig::lint
