/*
 * extension/src/lint/l001_not_null_column_without_default.cpp
 *
 * L001 not-null-column-without-default (warning): ALTER TABLE <existing>
 * ADD COLUMN ... NOT NULL (or PRIMARY KEY, which implies it) without a
 * DEFAULT, identity or generated expression fails as soon as the table has
 * a row.  DEFAULT NULL counts as no default.
 *
 * docs/lint.md has its section; l001_not_null_column_without_default.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Reads the parse tree only: no catalog access of its own, no lock.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/parse_tree.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

namespace pgmig::lint {

namespace {

const char kHint[] = "Add the column with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it nullable, "
                     "backfill it, then SET NOT NULL.";

/* ADD COLUMN on an existing table: NOT NULL (or PRIMARY KEY) and nothing
 * that fills existing rows. */
void
CheckAddColumn(LintContext &cx, const TableRef &table, ColumnDef *col)
{
	if (!table.Existing())
		return;
	bool primary = FindConstraint(col, CONSTR_PRIMARY) != nullptr;
	bool not_null = FindConstraint(col, CONSTR_NOTNULL) != nullptr || primary;
	Constraint *dflt = FindConstraint(col, CONSTR_DEFAULT);
	bool has_default = dflt != nullptr && !IsNullConstant(dflt->raw_expr);
	if (not_null && !has_default && FindConstraint(col, CONSTR_IDENTITY) == nullptr &&
	    FindConstraint(col, CONSTR_GENERATED) == nullptr && !IsSerial(col->typeName))
		cx.Add(kL001NotNullColumnWithoutDefault,
		       "ADD COLUMN " + Quoted(col->colname) + (primary ? " PRIMARY KEY (so NOT NULL)" : " NOT NULL") +
		           " without DEFAULT on existing table " + table.display + " fails as soon as the table has a row",
		       kHint);
}

} // namespace

const LintRule kL001NotNullColumnWithoutDefault = {
	"L001", "not-null-column-without-default", "warning", nullptr, CheckAddColumn, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
