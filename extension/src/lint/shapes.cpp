/*
 * extension/src/lint/shapes.cpp
 *
 * Column shapes (see shapes.hpp): declared ones from a ColumnDef, current
 * ones from the body's definitions or the catalog, compared and written
 * out as PostgreSQL writes them.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "lint/shapes.hpp"

#include <string>
#include <vector>

#include "guards.hpp"
#include "lint/catalog.hpp"
#include "lint/naming.hpp"
#include "lint/parse_tree.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/pg_list.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
#include "utils/syscache.h"
}

namespace pgmig::lint {

namespace {

/*
 * The type and type modifier a column definition's TypeName declares, as
 * CREATE TABLE resolves them, into *type and *typmod; false when the type
 * does not resolve or PostgreSQL rejects its modifiers.  Looking a type up
 * with modifiers runs the type's typmodin, which raises an error for
 * modifiers it does not accept (varchar(0), text(5)), so that look-up runs
 * in a subtransaction the error rolls back; a cancel is passed on.
 * Without modifiers (and for serial types) no subtransaction is needed.
 */
bool
ResolveDeclaredType(TypeName *tn, Oid *type, int32 *typmod)
{
	if (tn->typmods == NIL || IsSerial(tn)) {
		*type = TypeOid(tn);
		*typmod = tn->typemod;
		return OidIsValid(*type);
	}
	Oid oid = InvalidOid;
	int32 mod = -1;
	try {
		SubTransaction sub;
		PgCall([&] {
			if (NameListUsableC(tn->names)) {
				Type t = LookupTypeName(NULL, tn, &mod, true);
				if (t != NULL) {
					oid = typeTypeId(t);
					ReleaseSysCache(t);
				}
			}
		});
		sub.Commit();
	} catch (PgError &e) {
		int code = e.sqlerrcode();
		if (code == ERRCODE_QUERY_CANCELED || code == ERRCODE_ADMIN_SHUTDOWN)
			throw;
		return false;
	}
	*type = oid;
	*typmod = mod;
	return OidIsValid(oid);
}

/* A type with its modifier as PostgreSQL shows it ("numeric(12,2)"). */
std::string
TypeWithTypmod(Oid type, int32 typmod)
{
	char *s = nullptr;
	PgCall([&] { s = format_type_with_typemod(type, typmod); });
	return Str(s);
}

/* A type as written in the body ("public.nosuch(3)", "t.c%TYPE"). */
std::string
TypeAsWritten(TypeName *tn)
{
	char *s = nullptr;
	PgCall([&] { s = TypeNameToString(tn); });
	return Str(s) + TypmodsText(tn);
}

} // namespace

/* See shapes.hpp. */
ColumnShape
DeclaredColumnShape(ColumnDef *col, bool in_primary_key)
{
	ColumnShape c;
	c.name = Str(col->colname);
	c.not_null = in_primary_key || FindConstraint(col, CONSTR_NOTNULL) != nullptr ||
	             FindConstraint(col, CONSTR_PRIMARY) != nullptr || FindConstraint(col, CONSTR_IDENTITY) != nullptr ||
	             IsSerial(col->typeName);
	TypeName *tn = col->typeName;
	if (tn == nullptr)
		return c;
	if (tn->pct_type) {
		c.type_unchecked = true;
		c.type_text = TypeAsWritten(tn);
		return c;
	}
	Oid type = InvalidOid;
	int32 typmod = -1;
	if (ResolveDeclaredType(tn, &type, &typmod)) {
		c.type = type;
		c.typmod = typmod;
		c.type_text = TypeWithTypmod(type, typmod);
	} else
		c.type_text = TypeAsWritten(tn);
	return c;
}

/* See shapes.hpp. */
ColumnShape
CurrentColumnShape(const std::string &name, const ColumnSource &src)
{
	if (src.def != nullptr) {
		ColumnShape c = DeclaredColumnShape(src.def, src.primary_key);
		c.name = name;
		return c;
	}
	ColumnShape c;
	c.name = name;
	Oid type = InvalidOid;
	int32 typmod = -1;
	bool not_null = false;
	bool found = false;
	Oid relid = src.relid;
	AttrNumber attnum = src.attnum;
	PgCall([&] { found = ColumnAttributesC(relid, attnum, &type, &typmod, &not_null); });
	if (!found)
		return c;
	c.type = type;
	c.typmod = typmod;
	c.not_null = not_null;
	c.type_text = TypeWithTypmod(type, typmod);
	return c;
}

/* See shapes.hpp. */
bool
SameType(const ColumnShape &a, const ColumnShape &b)
{
	if (a.type_unchecked || b.type_unchecked)
		return true;
	return OidIsValid(a.type) && a.type == b.type && a.typmod == b.typmod;
}

/* See shapes.hpp. */
std::string
ColumnShapeText(const ColumnShape &c)
{
	return Ident(c.name.c_str()) + " " + c.type_text + (c.not_null ? " NOT NULL" : "");
}

/* See shapes.hpp. */
std::string
ColumnListText(const std::vector<ColumnShape> &columns)
{
	std::string s;
	for (const auto &c : columns)
		s += (s.empty() ? "" : ", ") + ColumnShapeText(c);
	return "(" + s + ")";
}

/* See shapes.hpp. */
ColumnDef *
AddOfExistingColumn(LintContext &cx, const TableRef &table, AlterTableCmd *cmd, bool if_not_exists,
                    ColumnSource *src)
{
	if (cmd->subtype != AT_AddColumn || cmd->missing_ok != if_not_exists || cmd->def == nullptr ||
	    !IsA(cmd->def, ColumnDef))
		return nullptr;
	ColumnDef *col = (ColumnDef *) cmd->def;
	if (col->colname == nullptr || (!table.Existing() && table.created < 0))
		return nullptr;
	*src = cx.FindColumn(table, col->colname);
	return src->exists ? col : nullptr;
}

} // namespace pgmig::lint
