/*
 * extension/src/lint/l013_foreign_key_type_mismatch.cpp
 *
 * L013 foreign-key-type-mismatch (warning): a foreign key column whose type
 * differs from the referenced column's (CREATE TABLE ... REFERENCES /
 * FOREIGN KEY, ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY, ADD COLUMN ...
 * REFERENCES).  Both types come from the catalog or from definitions
 * earlier in the body (context.cpp); without a column list the referenced
 * columns are the primary key; domains count as their base types.
 *
 * docs/lint.md has its section; l013_foreign_key_type_mismatch.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Reads column types through the syscache and pg_index for primary
 * keys (AccessShareLock on the catalog, catalog.cpp); no lock on user
 * relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstddef>
#include <string>
#include <vector>

#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/parse_tree.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/pg_list.h"
}

namespace pgmig::lint {

namespace {

/*
 * L013: each referencing column's type against the referenced column's,
 * when both are known (from the catalog or from definitions earlier in the
 * body).  Domains count as their base types.  new_column_type is the type
 * of a column the same subcommand adds (ADD COLUMN ... REFERENCES): that
 * column is in neither the catalog nor the body's record yet.
 */
void
ForeignKey(LintContext &cx, const TableRef &table, const std::vector<std::string> &fk_columns, Constraint *con,
           Oid new_column_type = InvalidOid)
{
	if (con->pktable == nullptr)
		return;
	TableRef ref = cx.Resolve(con->pktable);
	std::vector<std::string> pk_columns = Names(con->pk_attrs);
	if (pk_columns.empty())
		pk_columns = cx.PrimaryKey(ref);
	if (pk_columns.size() != fk_columns.size())
		return;
	for (std::size_t i = 0; i < fk_columns.size(); i++) {
		Oid fk_type = OidIsValid(new_column_type) ? new_column_type : cx.ColumnType(table, fk_columns[i]);
		Oid pk_type = cx.ColumnType(ref, pk_columns[i]);
		if (!OidIsValid(fk_type) || !OidIsValid(pk_type) || BaseType(fk_type) == BaseType(pk_type))
			continue;
		cx.Add(kL013ForeignKeyTypeMismatch,
		       "foreign key column " + Quoted(fk_columns[i].c_str()) + " of table " + table.display + " is " +
		           TypeText(fk_type) + " but the referenced column " + Quoted(pk_columns[i].c_str()) +
		           " of table " + ref.display + " is " + TypeText(pk_type),
		       "Declare the referencing column with the referenced column's type (" + TypeText(pk_type) +
		           "): a narrower type overflows as keys grow, and every check compares across types.");
	}
}

/* CREATE TABLE: its column REFERENCES and table FOREIGN KEY constraints.
 * The driver has recorded the table already (a foreign key may reference
 * the table itself). */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	if (!IsA(stmt, CreateStmt))
		return;
	CreateStmt *create = (CreateStmt *) stmt;
	TableRef self;
	self.created = (int) cx.created.size() - 1;
	self.display = WrittenName(create->relation);

	ListCell *lc;
	foreach (lc, create->tableElts) {
		Node *e = (Node *) lfirst(lc);
		if (IsA(e, ColumnDef)) {
			ColumnDef *col = (ColumnDef *) e;
			Constraint *fk = FindConstraint(col, CONSTR_FOREIGN);
			if (fk != nullptr && col->colname != nullptr)
				ForeignKey(cx, self, {col->colname}, fk);
		} else if (IsA(e, Constraint) && ((Constraint *) e)->contype == CONSTR_FOREIGN)
			ForeignKey(cx, self, Names(((Constraint *) e)->fk_attrs), (Constraint *) e);
	}
}

/* ADD COLUMN ... REFERENCES: the new column is not recorded yet, so its
 * type comes from its definition. */
void
CheckAddColumn(LintContext &cx, const TableRef &table, ColumnDef *col)
{
	Constraint *fk = FindConstraint(col, CONSTR_FOREIGN);
	if (fk != nullptr && col->colname != nullptr && col->typeName != nullptr)
		ForeignKey(cx, table, {col->colname}, fk, TypeOid(col->typeName));
}

/* ADD CONSTRAINT ... FOREIGN KEY. */
void
CheckAddConstraint(LintContext &cx, const TableRef &table, Constraint *con)
{
	if (con->contype == CONSTR_FOREIGN)
		ForeignKey(cx, table, Names(con->fk_attrs), con);
}

} // namespace

const LintRule kL013ForeignKeyTypeMismatch = {
	"L013", "foreign-key-type-mismatch", "warning", CheckStatement, CheckAddColumn, CheckAddConstraint, nullptr,
	nullptr,
};

} // namespace pgmig::lint
