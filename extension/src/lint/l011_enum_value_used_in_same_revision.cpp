/*
 * extension/src/lint/l011_enum_value_used_in_same_revision.cpp
 *
 * L011 enum-value-used-in-same-revision (error): ALTER TYPE t ADD VALUE 'v'
 * followed, in a later statement of the same body, by a string constant
 * 'v': the revision fails at apply with 55P04 (unsafe use of new value).
 * The values come from the context (recorded by the driver, context.cpp),
 * the string constants from the body's tokens (scan.cpp); ALTER TYPE ...
 * ADD VALUE ... AFTER 'v' and COMMENT are not uses.
 *
 * docs/lint.md has its section; l011_enum_value_used_in_same_revision.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  No catalog access of its own, no lock.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstddef>
#include <set>
#include <string>

#include "lint/context.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

namespace pgmig::lint {

namespace {

const char kHint[] = "Move ALTER TYPE ... ADD VALUE into an earlier revision: the pgmig client commits each "
                     "revision in its own transaction (unless --atomic).";

/* L011: a string constant of the current statement equal to an enum value
 * added earlier in the body (55P04 "unsafe use of new value"). */
void
EnumValuesUsed(LintContext &cx, std::size_t from, std::size_t to)
{
	std::set<std::string> reported;
	for (const auto &s : cx.strings) {
		if (s.offset < from || s.offset >= to)
			continue;
		for (const auto &v : cx.enum_values) {
			if (v.label != s.value || v.statement >= cx.statement || reported.count(v.type + "." + v.label))
				continue;
			reported.insert(v.type + "." + v.label);
			cx.Add(kL011EnumValueUsedInSameRevision,
			       "'" + v.label + "' was added to enum type " + v.type + " by statement " +
			           std::to_string(v.statement) +
			           " of this body; using it before that transaction commits fails with 55P04 (unsafe use of "
			           "new value)",
			       kHint);
		}
	}
}

/* Every statement but ALTER TYPE ... ADD VALUE and COMMENT, once the body
 * has added enum values. */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	if (cx.enum_values.empty() || IsA(stmt, AlterEnumStmt) || IsA(stmt, CommentStmt))
		return;
	const BodyStatement &st = cx.parsed.statements[cx.statement - 1];
	EnumValuesUsed(cx, st.offset, st.offset + st.length);
}

} // namespace

const LintRule kL011EnumValueUsedInSameRevision = {
	"L011", "enum-value-used-in-same-revision", "error", CheckStatement, nullptr, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
