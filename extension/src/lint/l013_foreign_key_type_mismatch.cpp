/*
 * extension/src/lint/l013_foreign_key_type_mismatch.cpp
 *
 * L013 foreign-key-type-mismatch (warning): a foreign key column whose type
 * differs from the referenced column's (CREATE TABLE ... REFERENCES /
 * FOREIGN KEY, ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY, ADD COLUMN ...
 * REFERENCES), when a key between the two types can be built (one that
 * cannot is L016).  The pairs of columns and their types come from
 * foreign_keys.cpp; domains count as their base types.
 *
 * docs/lint.md has its section; l013_foreign_key_type_mismatch.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Reads column types through the syscache and pg_index for primary
 * keys (AccessShareLock on the catalog, catalog.cpp); no lock on user
 * relations.
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

/*
 * L013: a referencing column whose type differs from the referenced
 * column's (domains count as their base types), when a key between them
 * can be built; one that cannot is L016's.
 */
void
Judge(LintContext &cx, const ForeignKeyPair &p)
{
	if (BaseType(p.type) == BaseType(p.ref_type) || ForeignKeyComparable(p.type, p.ref_type) == 0)
		return;
	cx.Add(kL013ForeignKeyTypeMismatch,
	       "foreign key column " + Quoted(p.column.c_str()) + " of table " + p.table.display + " is " +
	           TypeText(p.type) + " but the referenced column " + Quoted(p.ref_column.c_str()) + " of table " +
	           p.ref.display + " is " + TypeText(p.ref_type),
	       "Declare the referencing column with the referenced column's type (" + TypeText(p.ref_type) +
	           "): a narrower type overflows as keys grow, and every check compares across types.");
}

} // namespace

const LintRule kL013ForeignKeyTypeMismatch = {
	"L013", "foreign-key-type-mismatch", "warning",
	ForeignKeyStatementHook<Judge>, ForeignKeyColumnHook<Judge>, ForeignKeyConstraintHook<Judge>, nullptr, nullptr,
};

} // namespace pgmig::lint
