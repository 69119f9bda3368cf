/*
 * extension/src/lint/l005_constraint_without_not_valid.cpp
 *
 * L005 constraint-without-not-valid (warning): ALTER TABLE <existing> ADD
 * CONSTRAINT ... FOREIGN KEY or CHECK without NOT VALID, and ADD COLUMN ...
 * REFERENCES (a column constraint cannot be NOT VALID): the whole table is
 * checked while writes (for a CHECK: reads too) wait.
 *
 * docs/lint.md has its section; l005_constraint_without_not_valid.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Resolves the referenced table (context.cpp); no lock on user
 * relations.
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

const char kColumnHint[] = "Add the column without REFERENCES, then ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY "
                           "... NOT VALID, and VALIDATE CONSTRAINT it in a later statement (no write lock).";
const char kConstraintHint[] = "Add the constraint with NOT VALID (new rows are checked at once), then ALTER TABLE "
                               "... VALIDATE CONSTRAINT in a later statement or revision: validation blocks no "
                               "writes.";

/* ADD COLUMN ... REFERENCES on an existing table. */
void
CheckAddColumn(LintContext &cx, const TableRef &table, ColumnDef *col)
{
	Constraint *fk = FindConstraint(col, CONSTR_FOREIGN);
	if (table.Existing() && fk != nullptr && !fk->skip_validation)
		cx.Add(kL005ConstraintWithoutNotValid,
		       "ADD COLUMN " + Quoted(col->colname) + " REFERENCES " + cx.Resolve(fk->pktable).display +
		           " on existing table " + table.display + " adds a foreign key while blocking writes to both tables",
		       kColumnHint);
}

/* ADD CONSTRAINT ... FOREIGN KEY / CHECK without NOT VALID on an existing
 * table. */
void
CheckAddConstraint(LintContext &cx, const TableRef &table, Constraint *con)
{
	if (!table.Existing() || con->skip_validation)
		return;
	std::string name = con->conname ? " " + Quoted(con->conname) : std::string();
	if (con->contype == CONSTR_FOREIGN)
		cx.Add(kL005ConstraintWithoutNotValid,
		       "ADD CONSTRAINT" + name + " FOREIGN KEY on existing table " + table.display +
		           " without NOT VALID checks every row while blocking writes to it and to " +
		           cx.Resolve(con->pktable).display,
		       kConstraintHint);
	else if (con->contype == CONSTR_CHECK)
		cx.Add(kL005ConstraintWithoutNotValid,
		       "ADD CONSTRAINT" + name + " CHECK on existing table " + table.display +
		           " without NOT VALID scans every row under an ACCESS EXCLUSIVE lock",
		       kConstraintHint);
}

} // namespace

const LintRule kL005ConstraintWithoutNotValid = {
	"L005", "constraint-without-not-valid", "warning", nullptr, CheckAddColumn, CheckAddConstraint, nullptr, nullptr,
};

} // namespace pgmig::lint
