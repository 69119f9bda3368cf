/*
 * extension/src/lint/l006_set_not_null.cpp
 *
 * L006 set-not-null (warning): ALTER COLUMN c SET NOT NULL on an existing
 * table scans every row under an ACCESS EXCLUSIVE lock.
 *
 * docs/lint.md has its section; l006_set_not_null.cases.sql beside this
 * file holds the bodies it fires on and the safe forms it does not.  No
 * catalog access of its own, no lock.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

namespace pgmig::lint {

namespace {

/* SET NOT NULL on an existing table; the hint names the column. */
void
CheckAlterTableCmd(LintContext &cx, const TableRef &table, AlterTableCmd *cmd)
{
	if (cmd->subtype != AT_SetNotNull || !table.Existing())
		return;
	cx.Add(kL006SetNotNull,
	       "ALTER COLUMN " + Quoted(cmd->name) + " SET NOT NULL on existing table " + table.display +
	           " scans every row under an ACCESS EXCLUSIVE lock",
	       "Add CHECK (" + Ident(cmd->name) +
	           " IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (no write lock), then SET NOT NULL (no scan "
	           "once a valid check proves it) and drop the check.");
}

} // namespace

const LintRule kL006SetNotNull = {
	"L006", "set-not-null", "warning", nullptr, nullptr, nullptr, CheckAlterTableCmd, nullptr,
};

} // namespace pgmig::lint
