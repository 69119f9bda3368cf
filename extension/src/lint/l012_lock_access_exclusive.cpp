/*
 * extension/src/lint/l012_lock_access_exclusive.cpp
 *
 * L012 lock-access-exclusive (warning): LOCK TABLE t in ACCESS EXCLUSIVE
 * mode (written out or by default) blocks every read and write of it until
 * the revision commits; not for a table the body created.
 *
 * docs/lint.md has its section; l012_lock_access_exclusive.cases.sql beside
 * this file holds the bodies it fires on and the safe forms it does not.
 * Resolves the tables (no lock).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "lint/context.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/pg_list.h"
#include "storage/lockdefs.h"
}

namespace pgmig::lint {

namespace {

const char kHint[] = "Take the weakest mode that protects what the revision does (SHARE ROW EXCLUSIVE still allows "
                     "reads), and keep the revision short.";

/* LOCK TABLE ... IN ACCESS EXCLUSIVE MODE (the default mode). */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	if (!IsA(stmt, LockStmt) || ((LockStmt *) stmt)->mode != AccessExclusiveLock)
		return;
	ListCell *lc;
	foreach (lc, ((LockStmt *) stmt)->relations) {
		TableRef table = cx.Resolve((RangeVar *) lfirst(lc));
		if (table.created >= 0)
			continue;
		cx.Add(kL012LockAccessExclusive,
		       "LOCK TABLE " + table.display +
		           " IN ACCESS EXCLUSIVE MODE blocks every read and write of it until the revision commits",
		       kHint);
	}
}

} // namespace

const LintRule kL012LockAccessExclusive = {
	"L012", "lock-access-exclusive", "warning", CheckStatement, nullptr, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
