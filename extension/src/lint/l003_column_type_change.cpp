/*
 * extension/src/lint/l003_column_type_change.cpp
 *
 * L003 column-type-change (warning): ALTER TABLE <existing> ALTER COLUMN c
 * TYPE t rewrites the table and its indexes under an ACCESS EXCLUSIVE lock,
 * unless PostgreSQL can skip the rewrite: no USING, and a binary-coercible
 * change without a length limit, a longer varchar limit, or dropping the
 * limit of the same type.
 *
 * docs/lint.md has its section; l003_column_type_change.cases.sql beside
 * this file holds the bodies it fires on and the safe forms it does not.
 * Reads the column's type and pg_cast through the syscache; no lock on user
 * relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "guards.hpp"
#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace pgmig::lint {

namespace {

const char kHint[] = "Add a column of the new type, fill it in batches (a trigger keeps it current), switch the "
                     "application over, then drop the old column in a later revision.";

/*
 * ALTER COLUMN TYPE on an existing table: L003 unless PostgreSQL can skip
 * the rewrite (no USING, and a binary-coercible change without a length
 * limit, or a longer varchar limit).
 */
void
CheckAlterTableCmd(LintContext &cx, const TableRef &table, AlterTableCmd *cmd)
{
	if (cmd->subtype != AT_AlterColumnType || !table.Existing())
		return;
	ColumnDef *def = (ColumnDef *) cmd->def;
	if (def == nullptr || !IsA(def, ColumnDef) || cmd->name == nullptr)
		return;
	Oid old_type = InvalidOid;
	int32 old_typmod = -1;
	Oid relid = table.oid;
	const char *colname = cmd->name;
	PgCall([&] {
		AttrNumber attnum = get_attnum(relid, colname);
		Oid collid;
		if (attnum > 0)
			get_atttypetypmodcoll(relid, attnum, &old_type, &old_typmod, &collid);
	});
	Oid new_type = TypeOid(def->typeName);
	bool using_expr = def->raw_default != nullptr;
	if (OidIsValid(old_type) && OidIsValid(new_type) && !using_expr) {
		bool has_typmods = def->typeName->typmods != NIL;
		if (old_type == new_type) {
			if (!has_typmods && old_type != BPCHAROID && old_type != BITOID)
				return; /* the limit is dropped: no check, no rewrite */
			if (has_typmods && (old_type == VARCHAROID || old_type == VARBITOID) && old_typmod >= 0 &&
			    list_length(def->typeName->typmods) == 1) {
				Node *n = (Node *) linitial(def->typeName->typmods);
				if (IsA(n, A_Const) && IsA(&((A_Const *) n)->val, Integer) &&
				    intVal(&((A_Const *) n)->val) + (old_type == VARCHAROID ? VARHDRSZ : 0) >= old_typmod)
					return; /* a longer limit */
			}
		} else {
			bool coercible = false;
			PgCall([&] { coercible = IsBinaryCoercible(old_type, new_type); });
			if (coercible && !has_typmods)
				return; /* e.g. varchar(n) to text: a relabeling */
		}
	}
	std::string from;
	if (OidIsValid(old_type)) {
		char *t = nullptr;
		PgCall([&] { t = format_type_with_typemod(old_type, old_typmod); });
		from = " (from " + Str(t) + ")";
	}
	cx.Add(kL003ColumnTypeChange,
	       "ALTER COLUMN " + Quoted(cmd->name) + " TYPE " + TypeNameDisplay(def->typeName) + from +
	           (using_expr ? " USING ..." : "") + " on existing table " + table.display +
	           " rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
	       kHint);
}

} // namespace

const LintRule kL003ColumnTypeChange = {
	"L003", "column-type-change", "warning", nullptr, nullptr, nullptr, CheckAlterTableCmd, nullptr,
};

} // namespace pgmig::lint
