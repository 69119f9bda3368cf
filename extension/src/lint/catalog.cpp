/*
 * extension/src/lint/catalog.cpp
 *
 * The linter's catalog look-ups.
 *
 * Design:
 *  - Catalog access is read-only and lock-free for user objects:
 *    RangeVarGetRelid with NoLock and missing_ok, syscache lookups, and one
 *    index scan of pg_index (AccessShareLock on the catalog) for primary
 *    keys.  Every lookup has a "missing" answer instead of an error; a
 *    schema the user may not use is treated as missing (the lookup functions
 *    would raise a permission error for it).  Nothing is executed.
 *  - Locks: AccessShareLock on pg_index (PrimaryKeyColumnsC) and on
 *    pg_opclass (ForeignKeyComparableC); no lock on any user relation
 *    (pg_get_indexdef, for IndexFactsC, reads the syscache too).  Writes no
 *    catalog row.
 *  - The functions ending in C are called inside PgCall and are C-only
 *    (guards.hpp); the others call PgCall themselves.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstring>

#include "guards.hpp"
#include "lint/catalog.hpp"

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/nbtree.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_am.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "commands/defrem.h"
#include "miscadmin.h"
#include "nodes/nodeFuncs.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgmig::lint {

/* ------------------------------------------------------------------------
 * C-only catalog helpers.  Each is called inside PgCall; none creates a C++
 * object, and none raises an error for a missing object.
 * ------------------------------------------------------------------------ */

/* True when a schema exists and the current user may look into it (the
 * lookups below would raise "permission denied for schema" otherwise). */
bool
SchemaUsableC(const char *schema)
{
	if (strcmp(schema, "pg_temp") == 0)
		return true;
	Oid nsp = get_namespace_oid(schema, true);
	return OidIsValid(nsp) && pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE) == ACLCHECK_OK;
}

/* True when a qualified name (List of String) can be looked up without an
 * error: at most schema.name, and the schema usable. */
bool
NameListUsableC(List *names)
{
	if (list_length(names) == 1)
		return true;
	if (list_length(names) != 2 || !IsA(linitial(names), String))
		return false;
	return SchemaUsableC(strVal(linitial(names)));
}

/* The relation a RangeVar names now, through the search_path, without a
 * lock; InvalidOid when it does not exist or cannot be looked up. */
Oid
LookupRelationC(RangeVar *rv)
{
	if (rv == NULL || rv->relname == NULL || rv->relpersistence == RELPERSISTENCE_TEMP)
		return InvalidOid;
	if (rv->catalogname != NULL && strcmp(rv->catalogname, get_database_name(MyDatabaseId)) != 0)
		return InvalidOid;
	if (rv->schemaname != NULL && !SchemaUsableC(rv->schemaname))
		return InvalidOid;
	return RangeVarGetRelid(rv, NoLock, true);
}

/* The relation a CREATE of rv would meet: rv's schema as written, else
 * the schema CREATE creates in (the first one of the search_path the user
 * may use); InvalidOid when there is none.  Unlike LookupRelationC, a
 * relation further down the search_path does not count. */
Oid
CreationTargetC(RangeVar *rv)
{
	if (rv == NULL || rv->relname == NULL || rv->relpersistence == RELPERSISTENCE_TEMP)
		return InvalidOid;
	if (rv->schemaname != NULL)
		return LookupRelationC(rv);
	List *path = fetch_search_path(false);
	if (path == NIL)
		return InvalidOid;
	return get_relname_relid(rv->relname, linitial_oid(path));
}

/* "schema.name" of a relation, quoted where needed; NULL if it is gone. */
char *
QualifiedRelationNameC(Oid relid)
{
	char *name = get_rel_name(relid);
	char *schema = get_namespace_name(get_rel_namespace(relid));
	if (name == NULL || schema == NULL)
		return NULL;
	return (char *) quote_qualified_identifier(schema, name);
}

/* The type a column definition's TypeName names (serial types as their
 * integer type), or InvalidOid when it does not exist or cannot be looked
 * up without an error. */
Oid
TypeOidC(TypeName *tn)
{
	if (tn == NULL || tn->pct_type || tn->names == NIL)
		return InvalidOid;
	if (list_length(tn->names) == 1 ||
	    (list_length(tn->names) == 2 && strcmp(strVal(linitial(tn->names)), "pg_catalog") == 0)) {
		const char *n = strVal(llast(tn->names));
		if (tn->arrayBounds == NIL) {
			if (strcmp(n, "smallserial") == 0 || strcmp(n, "serial2") == 0)
				return INT2OID;
			if (strcmp(n, "serial") == 0 || strcmp(n, "serial4") == 0)
				return INT4OID;
			if (strcmp(n, "bigserial") == 0 || strcmp(n, "serial8") == 0)
				return INT8OID;
		}
	}
	if (!NameListUsableC(tn->names))
		return InvalidOid;
	return LookupTypeNameOid(NULL, tn, true);
}

/* True when some function of that name (any overload, resolved through
 * the search_path) is volatile. */
bool
AnyOverloadVolatileC(List *funcname)
{
	if (!NameListUsableC(funcname))
		return false;
	for (FuncCandidateList c = FuncnameGetCandidates(funcname, -1, NIL, false, false, false, true); c != NULL;
	     c = c->next)
		if (func_volatile(c->oid) == PROVOLATILE_VOLATILE)
			return true;
	return false;
}

/* raw_expression_tree_walker callback: stops at the first call of a
 * volatile function and leaves its name in *arg (a char **). */
bool
FindVolatileCallC(Node *node, void *arg)
{
	if (node == NULL)
		return false;
	if (IsA(node, FuncCall) && AnyOverloadVolatileC(((FuncCall *) node)->funcname)) {
		*(char **) arg = NameListToString(((FuncCall *) node)->funcname);
		return true;
	}
	return raw_expression_tree_walker(node, (bool (*)()) (void (*)()) FindVolatileCallC, arg);
}

/* The names of a relation's live columns in attnum order, only those an
 * INSERT must give a value when `required` (List of palloc'd names). */
static List *
AttributeNamesC(Oid relid, bool required)
{
	List *result = NIL;
	HeapTuple ct = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	if (!HeapTupleIsValid(ct))
		return NIL;
	int natts = ((Form_pg_class) GETSTRUCT(ct))->relnatts;
	ReleaseSysCache(ct);
	for (int attnum = 1; attnum <= natts; attnum++) {
		HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
		if (!HeapTupleIsValid(at))
			continue;
		Form_pg_attribute a = (Form_pg_attribute) GETSTRUCT(at);
		if (!a->attisdropped && (!required || (a->attnotnull && !a->atthasdef && a->attidentity == '\0' &&
		                                       a->attgenerated == '\0')))
			result = lappend(result, pstrdup(NameStr(a->attname)));
		ReleaseSysCache(at);
	}
	return result;
}

/* The columns of a relation that an INSERT must give a value: NOT NULL,
 * no default, not identity, not generated (List of palloc'd names). */
List *
RequiredColumnsC(Oid relid)
{
	return AttributeNamesC(relid, true);
}

/* The names of a relation's columns in attnum order, without dropped and
 * system columns (List of palloc'd names). */
List *
ColumnNamesC(Oid relid)
{
	return AttributeNamesC(relid, false);
}

/* A column's type, type modifier and NOT NULL; false when it is gone. */
bool
ColumnAttributesC(Oid relid, AttrNumber attnum, Oid *type, int32 *typmod, bool *not_null)
{
	HeapTuple at = SearchSysCache2(ATTNUM, ObjectIdGetDatum(relid), Int16GetDatum(attnum));
	if (!HeapTupleIsValid(at))
		return false;
	Form_pg_attribute a = (Form_pg_attribute) GETSTRUCT(at);
	bool found = !a->attisdropped;
	*type = a->atttypid;
	*typmod = a->atttypmod;
	*not_null = a->attnotnull;
	ReleaseSysCache(at);
	return found;
}

/*
 * What an index is: its table, uniqueness, access method, key columns
 * (List of palloc'd names, NULL for an expression key) and its definition
 * as pg_get_indexdef shows it.  False when it is gone.
 */
bool
IndexFactsC(Oid indexoid, Oid *table, bool *unique, char **am, List **keys, char **definition)
{
	HeapTuple it = SearchSysCache1(INDEXRELID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(it))
		return false;
	Form_pg_index idx = (Form_pg_index) GETSTRUCT(it);
	*table = idx->indrelid;
	*unique = idx->indisunique;
	*keys = NIL;
	for (int i = 0; i < idx->indnkeyatts; i++) {
		AttrNumber attnum = idx->indkey.values[i];
		*keys = lappend(*keys, attnum > 0 ? get_attname(idx->indrelid, attnum, true) : NULL);
	}
	ReleaseSysCache(it);
	HeapTuple ct = SearchSysCache1(RELOID, ObjectIdGetDatum(indexoid));
	if (!HeapTupleIsValid(ct))
		return false;
	Oid relam = ((Form_pg_class) GETSTRUCT(ct))->relam;
	ReleaseSysCache(ct);
	*am = get_am_name(relam);
	*definition = text_to_cstring(DatumGetTextPP(DirectFunctionCall1(pg_get_indexdef, ObjectIdGetDatum(indexoid))));
	return true;
}

/* The key columns of a relation's primary key, in key order (List of
 * palloc'd names; NIL without one).  Reads pg_index with AccessShareLock. */
List *
PrimaryKeyColumnsC(Oid relid)
{
	List *result = NIL;
	ScanKeyData key;
	Relation indrel = table_open(IndexRelationId, AccessShareLock);
	ScanKeyInit(&key, Anum_pg_index_indrelid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(relid));
	SysScanDesc scan = systable_beginscan(indrel, IndexIndrelidIndexId, true, NULL, 1, &key);
	HeapTuple tup;
	while (result == NIL && HeapTupleIsValid(tup = systable_getnext(scan))) {
		Form_pg_index idx = (Form_pg_index) GETSTRUCT(tup);
		if (!idx->indisprimary)
			continue;
		for (int i = 0; i < idx->indnkeyatts; i++) {
			char *att = idx->indkey.values[i] > 0 ? get_attname(relid, idx->indkey.values[i], true) : NULL;
			if (att == NULL) {
				result = NIL;
				break;
			}
			result = lappend(result, att);
		}
		break;
	}
	systable_endscan(scan);
	table_close(indrel, AccessShareLock);
	return result;
}

/*
 * Whether a foreign key from a column of type fk_type to one of type
 * ref_type can be built: 1 yes, 0 no, -1 unknown (the referenced type has
 * no default btree operator class).  PostgreSQL's own test (tablecmds.c,
 * ATAddForeignKeyConstraint) on the referenced key's operator class, with
 * the type's default btree class standing for the unique index's: an
 * equality operator of its family between the two types (and on the
 * referencing type), or else an implicit coercion of both types to the
 * class's input type.
 */
int
ForeignKeyComparableC(Oid fk_type, Oid ref_type)
{
	Oid opclass = GetDefaultOpClass(ref_type, BTREE_AM_OID);
	if (!OidIsValid(opclass))
		return -1;
	Oid family = get_opclass_family(opclass);
	Oid input = get_opclass_input_type(opclass);
	Oid fk_base = getBaseType(fk_type);
	Oid pf = get_opfamily_member(family, input, fk_base, BTEqualStrategyNumber);
	Oid ff = get_opfamily_member(family, fk_base, fk_base, BTEqualStrategyNumber);
	if (OidIsValid(pf) && OidIsValid(ff))
		return 1;
	Oid from[2] = {ref_type, fk_type};
	Oid to[2] = {input, input};
	return can_coerce_type(2, from, to, COERCION_IMPLICIT) ? 1 : 0;
}

/* ------------------------------------------------------------------------
 * Guarded look-ups
 * ------------------------------------------------------------------------ */

/* The type a TypeName names, or InvalidOid. */
Oid
TypeOid(TypeName *tn)
{
	Oid oid = InvalidOid;
	PgCall([&] { oid = TypeOidC(tn); });
	return oid;
}

/* A type's base type (the type itself unless it is a domain). */
Oid
BaseType(Oid type)
{
	Oid base = type;
	PgCall([&] { base = getBaseType(type); });
	return base;
}

/* See ForeignKeyComparableC. */
int
ForeignKeyComparable(Oid fk_type, Oid ref_type)
{
	int answer = -1;
	PgCall([&] { answer = ForeignKeyComparableC(fk_type, ref_type); });
	return answer;
}

/* A relation's kind (0 when it is gone). */
char
RelKind(Oid relid)
{
	char k = 0;
	PgCall([&] { k = get_rel_relkind(relid); });
	return k;
}

} // namespace pgmig::lint
