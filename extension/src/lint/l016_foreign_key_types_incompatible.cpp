/*
 * extension/src/lint/l016_foreign_key_types_incompatible.cpp
 *
 * L016 foreign-key-types-incompatible (error): a foreign key between column
 * types PostgreSQL cannot compare (integer referencing uuid, text
 * referencing integer): the statement fails with "foreign key constraint
 * ... cannot be implemented" (42804), so the revision cannot apply.  The
 * test is PostgreSQL's own (catalog.cpp, ForeignKeyComparableC): an
 * equality operator of the referenced type's btree family across the two
 * types, or an implicit coercion of both to its input type.  Pairs come
 * from foreign_keys.cpp, like L013's, which stays silent on these.
 *
 * docs/lint.md has its section; l016_foreign_key_types_incompatible.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Reads column types through the syscache, pg_index for primary keys
 * and pg_opclass for the operator class (AccessShareLock on the catalog,
 * catalog.cpp); no lock on user relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/foreign_keys.hpp"
#include "lint/naming.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

namespace pgmig::lint {

namespace {

/* L016: a pair of columns no equality operator can compare. */
void
Judge(LintContext &cx, const ForeignKeyPair &p)
{
	if (ForeignKeyComparable(p.type, p.ref_type) != 0)
		return;
	cx.Add(kL016ForeignKeyTypesIncompatible,
	       "foreign key column " + Quoted(p.column.c_str()) + " of table " + p.table.display + " is " +
	           TypeText(p.type) + ", which cannot be compared with " + TypeText(p.ref_type) +
	           " of the referenced column " + Quoted(p.ref_column.c_str()) + " of table " + p.ref.display +
	           ": the constraint cannot be created",
	       "Declare the referencing column with the referenced column's type (" + TypeText(p.ref_type) + ").");
}

} // namespace

const LintRule kL016ForeignKeyTypesIncompatible = {
	"L016", "foreign-key-types-incompatible", "error",
	ForeignKeyStatementHook<Judge>, ForeignKeyColumnHook<Judge>, ForeignKeyConstraintHook<Judge>, nullptr, nullptr,
};

} // namespace pgmig::lint
