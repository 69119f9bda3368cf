/*
 * extension/src/lint/l010_rename_column.cpp
 *
 * L010 rename-column (warning): ALTER TABLE ... RENAME COLUMN breaks the
 * running application in a blue-green deploy; fires unless the body created
 * the table.
 *
 * docs/lint.md has its section; l010_rename_column.cases.sql beside this
 * file holds the bodies it fires on and the safe forms it does not.
 * Resolves the table (no lock).
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

const char kHint[] = "Add the new column, write both and backfill, move the application to the new one, then drop "
                     "the old column in a later revision.";

/* ALTER TABLE RENAME COLUMN of a table the body did not create. */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	if (!IsA(stmt, RenameStmt))
		return;
	RenameStmt *rename = (RenameStmt *) stmt;
	if (rename->renameType != OBJECT_COLUMN || rename->relationType != OBJECT_TABLE)
		return;
	TableRef table = cx.Resolve(rename->relation);
	if (table.created >= 0)
		return;
	cx.Add(kL010RenameColumn,
	       "RENAME COLUMN " + Quoted(rename->subname) + " of table " + table.display + " to " +
	           Quoted(rename->newname) + " breaks the running application in a blue-green deploy",
	       kHint);
}

} // namespace

const LintRule kL010RenameColumn = {
	"L010", "rename-column", "warning", CheckStatement, nullptr, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
