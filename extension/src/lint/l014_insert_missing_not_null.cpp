/*
 * extension/src/lint/l014_insert_missing_not_null.cpp
 *
 * L014 insert-missing-not-null (warning): INSERT INTO <existing> (cols) ...
 * (or DEFAULT VALUES) that leaves out a column which is NOT NULL, has no
 * default, and is neither an identity nor a generated column: the
 * statement fails at apply.  An INSERT without a column list is not
 * checked.
 *
 * docs/lint.md has its section; l014_insert_missing_not_null.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Reads pg_class and pg_attribute through the syscache
 * (catalog.cpp); no lock on user relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <set>
#include <string>

#include "guards.hpp"
#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_class.h"
#include "nodes/pg_list.h"
}

namespace pgmig::lint {

namespace {

const char kHint[] = "Give the column a value in the INSERT, or give it a DEFAULT first.";

/* INSERT INTO an existing table with a column list (or DEFAULT VALUES)
 * that leaves out a NOT NULL column without a default: L014. */
void
CheckStatement(LintContext &cx, Node *node)
{
	if (!IsA(node, InsertStmt))
		return;
	InsertStmt *stmt = (InsertStmt *) node;
	bool default_values = stmt->selectStmt == nullptr;
	if (stmt->cols == NIL && !default_values)
		return;
	TableRef table = cx.Resolve(stmt->relation);
	if (!table.Existing())
		return;
	char kind = RelKind(table.oid);
	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
		return;
	std::set<std::string> given;
	ListCell *lc;
	foreach (lc, stmt->cols) {
		ResTarget *rt = (ResTarget *) lfirst(lc);
		if (rt->name != nullptr)
			given.insert(rt->name);
	}
	List *required = NIL;
	Oid relid = table.oid;
	PgCall([&] { required = RequiredColumnsC(relid); });
	foreach (lc, required) {
		const char *col = (const char *) lfirst(lc);
		if (given.count(col) != 0)
			continue;
		cx.Add(kL014InsertMissingNotNull,
		       "INSERT INTO " + table.display + (default_values ? " DEFAULT VALUES" : "") + " leaves out column " +
		           Quoted(col) + ", which is NOT NULL without a default, so the statement fails",
		       kHint);
	}
}

} // namespace

const LintRule kL014InsertMissingNotNull = {
	"L014", "insert-missing-not-null", "warning", CheckStatement, nullptr, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
