/*
 * extension/src/lint/naming.cpp
 *
 * How findings name things (naming.hpp): a name as written in the body,
 * quoted where SQL needs it, or an existing object's schema-qualified name
 * from the catalog.  Reads the catalog through lsyscache only (no lock on
 * user relations); writes nothing.  Every PostgreSQL call is inside PgCall.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "guards.hpp"
#include "lint/catalog.hpp"
#include "lint/naming.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_class.h"
#include "nodes/makefuncs.h"
#include "parser/parse_type.h"
#include "utils/builtins.h"
}

namespace pgmig::lint {

/* A C string from a PgCall, as std::string ("" for NULL). */
std::string
Str(const char *s)
{
	return s ? std::string(s) : std::string();
}

/* A column, constraint or value name in double quotes, as PostgreSQL's
 * messages write them. */
std::string
Quoted(const char *s)
{
	return "\"" + Str(s) + "\"";
}

/* An identifier quoted only where SQL needs it (quote_identifier). */
std::string
Ident(const char *s)
{
	const char *q = nullptr;
	PgCall([&] { q = quote_identifier(s); });
	return Str(q);
}

/* "schema.name" of an existing relation. */
std::string
RelationName(Oid relid)
{
	char *s = nullptr;
	PgCall([&] { s = QualifiedRelationNameC(relid); });
	return s ? std::string(s) : "?";
}

/* A relation name as written in the body, quoted where needed. */
std::string
WrittenName(const RangeVar *rv)
{
	if (rv == nullptr || rv->relname == nullptr)
		return "?";
	std::string s = rv->schemaname ? Ident(rv->schemaname) + "." : std::string();
	return s + Ident(rv->relname);
}

/* A type's name, schema-qualified (format_type_extended). */
std::string
TypeDisplay(Oid type)
{
	char *s = nullptr;
	PgCall([&] { s = format_type_extended(type, -1, FORMAT_TYPE_FORCE_QUALIFY); });
	return Str(s);
}

/* A type's name as PostgreSQL shows it ("bigint", "public.mood"). */
std::string
TypeText(Oid type)
{
	char *s = nullptr;
	PgCall([&] { s = format_type_be(type); });
	return Str(s);
}

/* The integer type modifiers of a TypeName as written ("(12,2)"), or "". */
std::string
TypmodsText(const TypeName *tn)
{
	std::string s;
	ListCell *lc;
	foreach (lc, tn->typmods) {
		Node *n = (Node *) lfirst(lc);
		if (n == nullptr || !IsA(n, A_Const) || !IsA(&((A_Const *) n)->val, Integer))
			return "";
		s += (s.empty() ? "(" : ",") + std::to_string(intVal(&((A_Const *) n)->val));
	}
	return s.empty() ? s : s + ")";
}

/* A type as written, resolved when possible ("bigint", "numeric(12,2)"). */
std::string
TypeNameDisplay(TypeName *tn)
{
	Oid oid = TypeOid(tn);
	if (OidIsValid(oid))
		return TypeText(oid) + TypmodsText(tn);
	char *s = nullptr;
	PgCall([&] { s = TypeNameToString(tn); });
	return Str(s);
}

/* The kind of a relation for messages ("table", "index", ...). */
const char *
RelKindName(char relkind)
{
	switch (relkind) {
	case RELKIND_RELATION:
	case RELKIND_PARTITIONED_TABLE:
		return "table";
	case RELKIND_INDEX:
	case RELKIND_PARTITIONED_INDEX:
		return "index";
	case RELKIND_SEQUENCE:
		return "sequence";
	case RELKIND_VIEW:
		return "view";
	case RELKIND_MATVIEW:
		return "materialized view";
	case RELKIND_COMPOSITE_TYPE:
		return "composite type";
	case RELKIND_FOREIGN_TABLE:
		return "foreign table";
	default:
		return "relation";
	}
}

} // namespace pgmig::lint
