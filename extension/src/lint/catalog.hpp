/*
 * extension/src/lint/catalog.hpp
 *
 * The linter's catalog look-ups (see catalog.cpp for the design): the
 * C-only helpers a rule calls inside PgCall, and guarded wrappers for the
 * few look-ups rules make directly.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_CATALOG_HPP
#define PGMIG_LINT_CATALOG_HPP

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
}

namespace pgmig::lint {

/* C-only: call inside PgCall.  None raises an error for a missing object. */
bool SchemaUsableC(const char *schema);
bool NameListUsableC(List *names);
Oid LookupRelationC(RangeVar *rv);
Oid CreationTargetC(RangeVar *rv);
char *QualifiedRelationNameC(Oid relid);
Oid TypeOidC(TypeName *tn);
bool AnyOverloadVolatileC(List *funcname);
bool FindVolatileCallC(Node *node, void *arg);
List *RequiredColumnsC(Oid relid);
List *ColumnNamesC(Oid relid);
bool ColumnAttributesC(Oid relid, AttrNumber attnum, Oid *type, int32 *typmod, bool *not_null);
bool IndexFactsC(Oid indexoid, Oid *table, bool *unique, char **am, List **keys, char **definition);
List *PrimaryKeyColumnsC(Oid relid);
int ForeignKeyComparableC(Oid fk_type, Oid ref_type);

/* Guarded (they call PgCall themselves). */
Oid TypeOid(TypeName *tn);
Oid BaseType(Oid type);
char RelKind(Oid relid);
int ForeignKeyComparable(Oid fk_type, Oid ref_type);

} // namespace pgmig::lint

#endif /* PGMIG_LINT_CATALOG_HPP */
