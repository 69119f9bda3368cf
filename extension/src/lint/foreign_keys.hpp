/*
 * extension/src/lint/foreign_keys.hpp
 *
 * The foreign keys a statement declares, column by column, with the types
 * of both sides: what L013 (types differ) and L016 (types cannot be
 * compared) judge.  One walk serves both rules, so they see the same pairs.
 *
 * A pair is reported only when both types are known, from the catalog or
 * from definitions earlier in the body (context.cpp), or, for ADD COLUMN
 * ... REFERENCES, from the column's own definition (it is recorded only
 * after its subcommand).  Without a column list the referenced columns are
 * the primary key.  Reads column types through the syscache and pg_index for
 * primary keys (catalog.cpp); no lock on user relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_FOREIGN_KEYS_HPP
#define PGMIG_LINT_FOREIGN_KEYS_HPP

#include <functional>
#include <string>

#include "lint/context.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
}

namespace pgmig::lint {

/* One referencing column and the column it references. */
struct ForeignKeyPair {
	const TableRef &table; /* the referencing table */
	const TableRef &ref;   /* the referenced table */
	std::string column, ref_column;
	Oid type, ref_type;
};

using ForeignKeyVisitor = std::function<void(const ForeignKeyPair &)>;

/* CREATE TABLE: its column REFERENCES and table FOREIGN KEY constraints
 * (the driver has recorded the table: a key may reference the table
 * itself).  Other statements: nothing. */
void ForEachForeignKeyOfCreate(LintContext &cx, Node *stmt, const ForeignKeyVisitor &visit);

/* ALTER TABLE ... ADD COLUMN ... REFERENCES. */
void ForEachForeignKeyOfColumn(LintContext &cx, const TableRef &table, ColumnDef *col, const ForeignKeyVisitor &visit);

/* ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY. */
void ForEachForeignKeyOfConstraint(LintContext &cx, const TableRef &table, Constraint *con,
                                   const ForeignKeyVisitor &visit);

/*
 * The three hooks of a rule that judges each pair (rule.hpp's statement,
 * add_column and add_constraint), made from its judging function: L013 and
 * L016 differ only in what they say of a pair.
 */
template <void (*Judge)(LintContext &, const ForeignKeyPair &)>
void
ForeignKeyStatementHook(LintContext &cx, Node *stmt)
{
	ForEachForeignKeyOfCreate(cx, stmt, [&](const ForeignKeyPair &p) { Judge(cx, p); });
}

/* See ForeignKeyStatementHook. */
template <void (*Judge)(LintContext &, const ForeignKeyPair &)>
void
ForeignKeyColumnHook(LintContext &cx, const TableRef &table, ColumnDef *col)
{
	ForEachForeignKeyOfColumn(cx, table, col, [&](const ForeignKeyPair &p) { Judge(cx, p); });
}

/* See ForeignKeyStatementHook. */
template <void (*Judge)(LintContext &, const ForeignKeyPair &)>
void
ForeignKeyConstraintHook(LintContext &cx, const TableRef &table, Constraint *con)
{
	ForEachForeignKeyOfConstraint(cx, table, con, [&](const ForeignKeyPair &p) { Judge(cx, p); });
}

} // namespace pgmig::lint

#endif /* PGMIG_LINT_FOREIGN_KEYS_HPP */
