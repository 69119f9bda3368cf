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

/*
 * The hint of an L015 finding (but CREATE TYPE's): the object exists (made
 * outside migrations, or by an earlier revision); what the statement's IF
 * NOT EXISTS or OR REPLACE form is right for (adopt: not blindly, as L017
 * reports one that meets another shape); otherwise drop or rename the
 * existing object, or leave its creation out.
 */
std::string
Hint(const std::string &kind, const char *adopt)
{
	return "The " + kind + " exists (created outside migrations, or by an earlier revision).  " + adopt +
	       "; otherwise drop or rename the existing " + kind + " first, or leave its creation out of this revision.";
}

/* L015 for a relation-creating statement: the name resolves now.  adopt:
 * see Hint. */
void
RelationExists(LintContext &cx, RangeVar *rv, const char *what, const char *adopt)
{
	if (rv == nullptr || cx.DroppedInBody(rv))
		return;
	Oid oid = InvalidOid;
	PgCall([&] { oid = LookupRelationC(rv); });
	if (!OidIsValid(oid))
		return;
	std::string kind = RelKindName(RelKind(oid));
	cx.Add(kL015ObjectAlreadyExists,
	       kind + " " + RelationName(oid) + " already exists (created outside migrations?), so " + what + " fails",
	       Hint(kind, adopt));
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
	       "The type exists (created outside migrations, or by an earlier revision).  CREATE TYPE has no IF NOT "
	       "EXISTS: leave its creation out of this revision if the type has exactly these values or attributes; "
	       "otherwise drop or rename the existing type first.");
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
			       Hint(RelKindName(RelKind(existing)),
			            "CREATE INDEX IF NOT EXISTS suits only an index of exactly this definition (L017 compares its "
			            "table, keys, uniqueness and method)"));
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
			RelationExists(cx, rv, "CREATE TABLE",
			               "CREATE TABLE IF NOT EXISTS suits only a table of exactly this shape (L017 checks the "
			               "columns, their types and NOT NULL)");
		break;
	}
	case T_IndexStmt:
		IndexExists(cx, (IndexStmt *) stmt);
		break;
	case T_CreateSeqStmt: {
		CreateSeqStmt *s = (CreateSeqStmt *) stmt;
		if (!s->if_not_exists)
			RelationExists(cx, s->sequence, "CREATE SEQUENCE",
			               "CREATE SEQUENCE IF NOT EXISTS suits only a sequence to be kept as it is (L017 checks that "
			               "the relation is a sequence, not its options)");
		break;
	}
	case T_ViewStmt: {
		ViewStmt *v = (ViewStmt *) stmt;
		if (!v->replace)
			RelationExists(cx, v->view, "CREATE VIEW",
			               "CREATE OR REPLACE VIEW replaces an existing view's query, and only if it keeps the view's "
			               "columns (new ones may be added at the end)");
		break;
	}
	case T_CreateTableAsStmt: {
		CreateTableAsStmt *c = (CreateTableAsStmt *) stmt;
		if (c->into == nullptr || c->into->rel == nullptr)
			break;
		bool matview = c->objtype == OBJECT_MATVIEW;
		if (!c->if_not_exists)
			RelationExists(cx, c->into->rel, matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS",
			               matview
			                   ? "CREATE MATERIALIZED VIEW IF NOT EXISTS keeps the existing one and its query, so it "
			                     "suits only one of exactly this query (L017 checks the column names)"
			                   : "CREATE TABLE IF NOT EXISTS ... AS keeps the existing table and its rows, so it suits "
			                     "only a table with exactly these columns (L017 checks their names)");
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
			       Hint("schema", "CREATE SCHEMA IF NOT EXISTS adopts it (a schema has no shape for L017 to compare: "
			                      "what it holds is up to the revision's other statements)"));
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
