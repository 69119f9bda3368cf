/*
 * extension/src/lint/l008_drop_column.cpp
 *
 * L008 drop-column (warning): ALTER TABLE ... DROP COLUMN breaks every
 * running application version that still reads or writes the column; fires
 * unless the body created the table.
 *
 * docs/lint.md has its section; l008_drop_column.cases.sql beside this file
 * holds the bodies it fires on and the safe forms it does not.  No catalog
 * access of its own, no lock.
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

const char kHint[] = "First deploy an application that no longer uses the column, then drop it in a later "
                     "revision.";

/* DROP COLUMN of a table the body did not create. */
void
CheckAlterTableCmd(LintContext &cx, const TableRef &table, AlterTableCmd *cmd)
{
	if (cmd->subtype != AT_DropColumn || table.created >= 0)
		return;
	cx.Add(kL008DropColumn,
	       "DROP COLUMN " + Quoted(cmd->name) + " of table " + table.display +
	           " breaks every running application version that still reads or writes the column",
	       kHint);
}

} // namespace

const LintRule kL008DropColumn = {
	"L008", "drop-column", "warning", nullptr, nullptr, nullptr, CheckAlterTableCmd, nullptr,
};

} // namespace pgmig::lint
