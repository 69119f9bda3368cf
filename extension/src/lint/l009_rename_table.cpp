/*
 * extension/src/lint/l009_rename_table.cpp
 *
 * L009 rename-table (warning): ALTER TABLE ... RENAME TO breaks the running
 * application in a blue-green deploy; fires unless the body created the
 * table (the driver then follows the new name, context.cpp).
 *
 * docs/lint.md has its section; l009_rename_table.cases.sql beside this file
 * holds the bodies it fires on and the safe forms it does not.  Resolves
 * the table (no lock).
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

const char kHint[] = "Keep the old name working while both application versions run: rename, then CREATE VIEW "
                     "old_name AS SELECT * FROM new_name (simple views are updatable), and drop the view in a later "
                     "revision.";

/* ALTER TABLE RENAME TO of a table the body did not create. */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	if (!IsA(stmt, RenameStmt) || ((RenameStmt *) stmt)->renameType != OBJECT_TABLE)
		return;
	RenameStmt *rename = (RenameStmt *) stmt;
	TableRef table = cx.Resolve(rename->relation);
	if (table.created >= 0)
		return;
	cx.Add(kL009RenameTable,
	       "RENAME of table " + table.display + " to " + Ident(rename->newname) +
	           " breaks the running application in a blue-green deploy",
	       kHint);
}

} // namespace

const LintRule kL009RenameTable = {
	"L009", "rename-table", "warning", CheckStatement, nullptr, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
