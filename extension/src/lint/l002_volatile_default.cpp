/*
 * extension/src/lint/l002_volatile_default.cpp
 *
 * L002 volatile-default (warning): ADD COLUMN on an existing table whose
 * DEFAULT calls a volatile function, a serial column, an identity column or
 * a stored generated column: PostgreSQL computes a value per row and
 * rewrites the table under an ACCESS EXCLUSIVE lock.  Volatility comes from
 * pg_proc: when any overload of the called name is volatile, the default is
 * flagged.
 *
 * docs/lint.md has its section; l002_volatile_default.cases.sql beside this
 * file holds the bodies it fires on and the safe forms it does not.  Reads
 * pg_proc through the syscache (catalog.cpp); no lock on user relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "guards.hpp"
#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/parse_tree.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

namespace pgmig::lint {

namespace {

const char kRewriteHint[] = "Add the column without a default (or with a constant one), set the default for "
                            "new rows with ALTER COLUMN ... SET DEFAULT, and backfill existing rows in batches.";
const char kGeneratedHint[] = "Add a plain nullable column, fill it in batches and keep it current with a trigger, "
                              "or accept the rewrite in a maintenance window.";

/* ADD COLUMN on an existing table: each way its default is computed per
 * row (in this order: volatile call, serial, identity, stored generated). */
void
CheckAddColumn(LintContext &cx, const TableRef &table, ColumnDef *col)
{
	if (!table.Existing())
		return;
	std::string column = Quoted(col->colname);
	Constraint *dflt = FindConstraint(col, CONSTR_DEFAULT);
	if (dflt != nullptr && !IsNullConstant(dflt->raw_expr)) {
		char *volatile_call = nullptr;
		Node *expr = dflt->raw_expr;
		PgCall([&] { FindVolatileCallC(expr, &volatile_call); });
		if (volatile_call != nullptr)
			cx.Add(kL002VolatileDefault,
			       "ADD COLUMN " + column + " with a DEFAULT calling volatile function " + volatile_call +
			           "() rewrites existing table " + table.display + " under an ACCESS EXCLUSIVE lock",
			       kRewriteHint);
	}
	if (IsSerial(col->typeName))
		cx.Add(kL002VolatileDefault,
		       "ADD COLUMN " + column + " of type " + Str(strVal(llast(col->typeName->names))) +
		           " (a nextval() default) rewrites existing table " + table.display +
		           " under an ACCESS EXCLUSIVE lock",
		       kRewriteHint);
	if (FindConstraint(col, CONSTR_IDENTITY) != nullptr)
		cx.Add(kL002VolatileDefault,
		       "ADD COLUMN " + column + " GENERATED AS IDENTITY rewrites existing table " + table.display +
		           " under an ACCESS EXCLUSIVE lock to number its rows",
		       kRewriteHint);
	if (FindConstraint(col, CONSTR_GENERATED) != nullptr)
		cx.Add(kL002VolatileDefault,
		       "ADD COLUMN " + column + " GENERATED ALWAYS AS (...) STORED rewrites existing table " +
		           table.display + " under an ACCESS EXCLUSIVE lock",
		       kGeneratedHint);
}

} // namespace

const LintRule kL002VolatileDefault = {
	"L002", "volatile-default", "warning", nullptr, CheckAddColumn, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
