/*
 * extension/src/lint/shapes.hpp
 *
 * The shape of a column, as a body declares it or as the catalog has it:
 * its name, its type with the type modifier, and NOT NULL.  What L017 (an
 * IF NOT EXISTS statement that meets an object of another shape) and L018
 * (ADD COLUMN of a column there is) compare and show, in PostgreSQL's own
 * words (format_type_with_typemod).
 *
 * A declared type is resolved as CREATE TABLE would resolve it: the name
 * through the search_path (serial types as their integer types), the
 * modifiers by the type's typmodin.  A typmodin raises an error for
 * modifiers it rejects (varchar(0)), so a type written with modifiers is
 * looked up in a subtransaction that is rolled back on error; such a type
 * counts as not resolved.  Reads the catalog through the syscache; no lock
 * on user relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_SHAPES_HPP
#define PGMIG_LINT_SHAPES_HPP

#include <string>
#include <vector>

#include "lint/context.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
}

namespace pgmig::lint {

/* One column's shape. */
struct ColumnShape {
	std::string name;
	Oid type = InvalidOid;       /* InvalidOid: the declared type does not resolve */
	int32 typmod = -1;           /* meaningful when type is valid */
	bool type_unchecked = false; /* declared with %TYPE: not compared */
	bool not_null = false;
	std::string type_text; /* "character varying(10)", or the type as written */
};

/* A column definition's shape (NOT NULL also from PRIMARY KEY, identity,
 * serial, or in_primary_key: the table's PRIMARY KEY (...) names it). */
ColumnShape DeclaredColumnShape(ColumnDef *col, bool in_primary_key);

/* The shape of a column of a table now (LintContext::FindColumn), by name. */
ColumnShape CurrentColumnShape(const std::string &name, const ColumnSource &src);

/* True when two shapes have the same type and modifier.  A type that does
 * not resolve differs from every type; one written with %TYPE is not
 * compared. */
bool SameType(const ColumnShape &a, const ColumnShape &b);

/*
 * The column an ALTER TABLE ... ADD COLUMN subcommand adds, when the table
 * (existing, or created earlier in the body) already has a column of that
 * name and the subcommand's IF NOT EXISTS is `if_not_exists`; its source in
 * *src.  nullptr otherwise (L017 and L018 share it).
 */
ColumnDef *AddOfExistingColumn(LintContext &cx, const TableRef &table, AlterTableCmd *cmd, bool if_not_exists,
                               ColumnSource *src);

/* "region text NOT NULL". */
std::string ColumnShapeText(const ColumnShape &c);

/* "(id bigint NOT NULL, region text)". */
std::string ColumnListText(const std::vector<ColumnShape> &columns);

} // namespace pgmig::lint

#endif /* PGMIG_LINT_SHAPES_HPP */
