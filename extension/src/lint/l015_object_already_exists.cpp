/*
 * extension/src/lint/l015_object_already_exists.cpp
 *
 * L015 object-already-exists (warning): CREATE TABLE, CREATE TABLE AS,
 * CREATE INDEX (a named one), CREATE SEQUENCE, CREATE VIEW, CREATE
 * MATERIALIZED VIEW, CREATE TYPE (enum, composite) and CREATE SCHEMA of an
 * object that exists now, without IF NOT EXISTS / OR REPLACE: the revision
 * fails at apply, and the database has drifted from the migrations.
 * Temporary tables and relations the body dropped or renamed away earlier
 * are not checked.
 *
 * docs/lint.md has its section; l015_object_already_exists.cases.sql beside
 * this file holds the bodies it fires on and the safe forms it does not.
 * Resolves names through the search_path and the syscache (catalog.cpp);
 * no lock on user relations.
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

#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "nodes/value.h"
#include "utils/lsyscache.h"
}

namespace pgmig::lint {

namespace {

/* L015 for a relation-creating statement: the name resolves now. */
void
RelationExists(LintContext &cx, RangeVar *rv, const char *what, const char *hint)
{
	if (rv == nullptr || cx.DroppedInBody(rv))
		return;
	Oid oid = InvalidOid;
	PgCall([&] { oid = LookupRelationC(rv); });
	if (!OidIsValid(oid))
		return;
	cx.Add(kL015ObjectAlreadyExists,
	       std::string(RelKindName(RelKind(oid))) + " " + RelationName(oid) +
	           " already exists (created outside migrations?), so " + what + " fails",
	       std::string(hint) + " if this revision adopts an object created by hand, or drop or rename the existing "
	                           "one first.");
}

/* L015 for CREATE TYPE (enum, composite): the type name resolves now. */
void
TypeExists(LintContext &cx, List *names, const char *what)
{
	TypeName *tn = nullptr;
	PgCall([&] { tn = makeTypeNameFromNameList(names); });
	Oid type = TypeOid(tn);
	if (!OidIsValid(type))
		return;
	cx.Add(kL015ObjectAlreadyExists,
	       "type " + TypeDisplay(type) + " already exists (created outside migrations?), so " + what + " fails",
	       "CREATE TYPE has no IF NOT EXISTS: drop the stray type first, or leave its creation out of this revision "
	       "if it already matches.");
}

/* CREATE INDEX with a name that is taken, on an existing table. */
void
IndexExists(LintContext &cx, IndexStmt *stmt)
{
	TableRef table = cx.Resolve(stmt->relation);
	if (!table.Existing())
		return;
	if (stmt->idxname != nullptr && !stmt->if_not_exists) {
		Oid relid = table.oid;
		const char *idxname = stmt->idxname;
		const char *schema = stmt->relation->schemaname;
		RangeVar *rv = nullptr;
		PgCall([&] { rv = makeRangeVar((char *) schema, (char *) idxname, -1); });
		if (cx.DroppedInBody(rv))
			return;
		Oid existing = InvalidOid;
		PgCall([&] { existing = get_relname_relid(idxname, get_rel_namespace(relid)); });
		if (OidIsValid(existing))
			cx.Add(kL015ObjectAlreadyExists,
			       std::string(RelKindName(RelKind(existing))) + " " + RelationName(existing) +
			           " already exists (created outside migrations?), so CREATE INDEX fails",
			       "Use CREATE INDEX IF NOT EXISTS if this revision adopts an index created by hand, or drop the "
			       "stray index first.");
	}
}

/* Every statement that creates a relation, a type or a schema. */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_CreateStmt: {
		RangeVar *rv = ((CreateStmt *) stmt)->relation;
		if (!((CreateStmt *) stmt)->if_not_exists && rv->relpersistence != RELPERSISTENCE_TEMP)
			RelationExists(cx, rv, "CREATE TABLE", "Use CREATE TABLE IF NOT EXISTS");
		break;
	}
	case T_IndexStmt:
		IndexExists(cx, (IndexStmt *) stmt);
		break;
	case T_CreateSeqStmt: {
		CreateSeqStmt *s = (CreateSeqStmt *) stmt;
		if (!s->if_not_exists)
			RelationExists(cx, s->sequence, "CREATE SEQUENCE", "Use CREATE SEQUENCE IF NOT EXISTS");
		break;
	}
	case T_ViewStmt: {
		ViewStmt *v = (ViewStmt *) stmt;
		if (!v->replace)
			RelationExists(cx, v->view, "CREATE VIEW", "Use CREATE OR REPLACE VIEW");
		break;
	}
	case T_CreateTableAsStmt: {
		CreateTableAsStmt *c = (CreateTableAsStmt *) stmt;
		if (c->into == nullptr || c->into->rel == nullptr)
			break;
		bool matview = c->objtype == OBJECT_MATVIEW;
		if (!c->if_not_exists)
			RelationExists(cx, c->into->rel, matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS",
			               matview ? "Use CREATE MATERIALIZED VIEW IF NOT EXISTS" : "Use CREATE TABLE IF NOT EXISTS");
		break;
	}
	case T_CreateEnumStmt: {
		TypeExists(cx, ((CreateEnumStmt *) stmt)->typeName, "CREATE TYPE ... AS ENUM");
		break;
	}
	case T_CompositeTypeStmt: {
		RangeVar *rv = ((CompositeTypeStmt *) stmt)->typevar;
		List *names = NIL;
		PgCall([&] {
			names = rv->schemaname ? list_make2(makeString(rv->schemaname), makeString(rv->relname))
			                       : list_make1(makeString(rv->relname));
		});
		TypeExists(cx, names, "CREATE TYPE ... AS");
		break;
	}
	case T_CreateSchemaStmt: {
		CreateSchemaStmt *s = (CreateSchemaStmt *) stmt;
		if (s->if_not_exists || s->schemaname == nullptr)
			break;
		Oid nsp = InvalidOid;
		const char *name = s->schemaname;
		PgCall([&] { nsp = get_namespace_oid(name, true); });
		if (OidIsValid(nsp))
			cx.Add(kL015ObjectAlreadyExists,
			       "schema " + Ident(name) + " already exists (created outside migrations?), so CREATE SCHEMA fails",
			       "Use CREATE SCHEMA IF NOT EXISTS if this revision adopts a schema created by hand, or drop the "
			       "stray schema first.");
		break;
	}
	default:
		break;
	}
}

} // namespace

const LintRule kL015ObjectAlreadyExists = {
	"L015", "object-already-exists", "warning", CheckStatement, nullptr, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
