/*
 * extension/src/lint/l007_drop_table.cpp
 *
 * L007 drop-table (warning): DROP TABLE breaks every running application
 * version that still reads or writes the table; fires for every table named
 * that the body did not create (also for one that does not exist now: an
 * earlier revision may create it).
 *
 * docs/lint.md has its section; l007_drop_table.cases.sql beside this file
 * holds the bodies it fires on and the safe forms it does not.  No catalog
 * access of its own, no lock.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "lint/context.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

namespace pgmig::lint {

namespace {

const char kHint[] = "First deploy an application that no longer uses the table, then drop it in a later revision "
                     "(renaming it first makes a forgotten use fail early and is easy to undo).";

/* One table of a DROP TABLE, unless the body created it. */
void
CheckDropTable(LintContext &cx, const TableRef &table)
{
	if (table.created < 0)
		cx.Add(kL007DropTable,
		       "DROP TABLE " + table.display +
		           " breaks every running application version that still reads or writes it",
		       kHint);
}

} // namespace

const LintRule kL007DropTable = {
	"L007", "drop-table", "warning", nullptr, nullptr, nullptr, nullptr, CheckDropTable,
};

} // namespace pgmig::lint
