/*
 * extension/src/lint/foreign_keys.cpp
 *
 * The foreign keys a statement declares, as pairs of typed columns (see
 * foreign_keys.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "lint/foreign_keys.hpp"

#include <cstddef>
#include <string>
#include <vector>

#include "lint/catalog.hpp"
#include "lint/naming.hpp"
#include "lint/parse_tree.hpp"

extern "C" {
#include "nodes/pg_list.h"
}

namespace pgmig::lint {

namespace {

/*
 * Each referencing column of one constraint with the column it references,
 * when both types are known.  new_column_type is the type of a column the
 * same subcommand adds (ADD COLUMN ... REFERENCES): that column is in
 * neither the catalog nor the body's record yet.
 */
void
VisitConstraint(LintContext &cx, const TableRef &table, const std::vector<std::string> &columns, Constraint *con,
                const ForeignKeyVisitor &visit, Oid new_column_type = InvalidOid)
{
	if (con->pktable == nullptr)
		return;
	TableRef ref = cx.Resolve(con->pktable);
	std::vector<std::string> ref_columns = Names(con->pk_attrs);
	if (ref_columns.empty())
		ref_columns = cx.PrimaryKey(ref);
	if (ref_columns.size() != columns.size())
		return;
	for (std::size_t i = 0; i < columns.size(); i++) {
		Oid type = OidIsValid(new_column_type) ? new_column_type : cx.ColumnType(table, columns[i]);
		Oid ref_type = cx.ColumnType(ref, ref_columns[i]);
		if (!OidIsValid(type) || !OidIsValid(ref_type))
			continue;
		visit(ForeignKeyPair{table, ref, columns[i], ref_columns[i], type, ref_type});
	}
}

} // namespace

/* See foreign_keys.hpp. */
void
ForEachForeignKeyOfCreate(LintContext &cx, Node *stmt, const ForeignKeyVisitor &visit)
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
				VisitConstraint(cx, self, {col->colname}, fk, visit);
		} else if (IsA(e, Constraint) && ((Constraint *) e)->contype == CONSTR_FOREIGN)
			VisitConstraint(cx, self, Names(((Constraint *) e)->fk_attrs), (Constraint *) e, visit);
	}
}

/* See foreign_keys.hpp. */
void
ForEachForeignKeyOfColumn(LintContext &cx, const TableRef &table, ColumnDef *col, const ForeignKeyVisitor &visit)
{
	Constraint *fk = FindConstraint(col, CONSTR_FOREIGN);
	if (fk != nullptr && col->colname != nullptr && col->typeName != nullptr)
		VisitConstraint(cx, table, {col->colname}, fk, visit, TypeOid(col->typeName));
}

/* See foreign_keys.hpp. */
void
ForEachForeignKeyOfConstraint(LintContext &cx, const TableRef &table, Constraint *con, const ForeignKeyVisitor &visit)
{
	if (con->contype == CONSTR_FOREIGN)
		VisitConstraint(cx, table, Names(con->fk_attrs), con, visit);
}

} // namespace pgmig::lint
