/*
 * extension/src/lint/l018_add_column_exists.cpp
 *
 * L018 add-column-exists (error): ALTER TABLE t ADD COLUMN c (without IF
 * NOT EXISTS) where t has a column c already: one in the catalog, or one an
 * earlier statement of the body defined (CREATE TABLE, ADD COLUMN), as the
 * body's DROP and RENAME COLUMN left them (context.cpp).  The revision
 * fails at apply with 42701 (duplicate_column).  ADD COLUMN IF NOT EXISTS
 * is L017's: it is skipped instead, which is only right when the column
 * has the declared shape.
 *
 * docs/lint.md has its section; l018_add_column_exists.cases.sql beside
 * this file holds the bodies it fires on and the safe forms it does not.
 * Reads the column through the syscache (its type with the modifier, as
 * shapes.cpp shows it); no lock on user relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"
#include "lint/shapes.hpp"

namespace pgmig::lint {

namespace {

/* ADD COLUMN (without IF NOT EXISTS) of a column the table has now. */
void
CheckAlterTableCmd(LintContext &cx, const TableRef &table, AlterTableCmd *cmd)
{
	ColumnSource src;
	ColumnDef *col = AddOfExistingColumn(cx, table, cmd, false, &src);
	if (col == nullptr)
		return;
	ColumnShape have = CurrentColumnShape(col->colname, src);
	bool body = src.def != nullptr;
	cx.Add(kL018AddColumnExists,
	       "ADD COLUMN " + Quoted(col->colname) + " on table " + table.display +
	           " fails with 42701 (duplicate column): the table already has column " + Quoted(col->colname) +
	           " of type " + have.type_text + (body ? " (defined earlier in this body)" : ""),
	       body ? "The column is defined earlier in this body: drop this ADD COLUMN, or drop or rename the column "
	              "first."
	            : "The column exists (created outside migrations, or by an earlier revision): drop the ADD COLUMN, or "
	              "use ADD COLUMN IF NOT EXISTS only when the existing column has exactly the declared type (L017 "
	              "checks that).");
}

} // namespace

const LintRule kL018AddColumnExists = {
	"L018", "add-column-exists", "error", nullptr, nullptr, nullptr, CheckAlterTableCmd, nullptr,
};

} // namespace pgmig::lint
