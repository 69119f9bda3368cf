/*
 * extension/src/lint/l017_if_not_exists_different_shape.cpp
 *
 * L017 if-not-exists-different-shape (error): CREATE TABLE, CREATE INDEX,
 * CREATE SEQUENCE, CREATE TABLE AS and CREATE MATERIALIZED VIEW ... IF NOT
 * EXISTS, and ALTER TABLE ... ADD COLUMN IF NOT EXISTS, that meet an object
 * whose shape differs from what the statement declares.  PostgreSQL skips
 * the statement with a NOTICE, the revision is recorded as applied, and the
 * object silently lacks what the revision declares.  An object of the same
 * shape is silent: that is IF NOT EXISTS adopting an object created by hand.
 *
 * Shapes compared:
 *  - table: the set of column names, each column's type with its modifier,
 *    NOT NULL (shapes.cpp); not defaults, constraints, collations or
 *    storage.  Columns that come from elsewhere (LIKE, INHERITS, PARTITION
 *    OF, OF type) are not compared, only that the relation is a table;
 *  - index: its table, uniqueness, access method, and the key columns when
 *    the statement's keys are all plain columns (with an expression key,
 *    only the rest); not INCLUDE, WHERE, operator classes or ordering;
 *  - sequence: only that the relation is a sequence (its options are not
 *    compared);
 *  - CREATE TABLE AS, CREATE MATERIALIZED VIEW: the kind, and the column
 *    names in order when the query's names can be read without analysing it
 *    (not SELECT *, not EXECUTE);
 *  - ADD COLUMN IF NOT EXISTS: the column's type with its modifier and
 *    NOT NULL.
 * CREATE SCHEMA IF NOT EXISTS is not checked (a schema has no shape), and
 * CREATE TYPE has no IF NOT EXISTS.
 *
 * The object met is an existing one (its name resolves now, in the schema
 * the statement creates in, and the body did not drop or rename it away
 * earlier) or one an earlier statement of the body created: a table's
 * columns as its CREATE TABLE and later ADD, DROP and RENAME COLUMN left
 * them (context.cpp); a relation made by CREATE TABLE AS has no known
 * columns, so only its kind is compared.
 *
 * docs/lint.md has its section; l017_if_not_exists_different_shape.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Reads the catalog through the syscache and pg_get_indexdef; declared
 * type modifiers are computed in a subtransaction (shapes.cpp); no lock on
 * user relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstddef>
#include <string>
#include <vector>

#include "guards.hpp"
#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/parse_tree.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"
#include "lint/shapes.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_class.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "parser/parse_target.h"
#include "utils/lsyscache.h"
}

namespace pgmig::lint {

namespace {

const char kSkipped[] = "PostgreSQL skips the statement with a NOTICE and the revision is recorded as applied";

/*
 * The relation a CREATE ... IF NOT EXISTS of rv meets: one an earlier
 * statement of the body created (own_record: the driver has already
 * recorded this statement's own relation, the last one, which does not
 * count), else an existing one in the schema the statement creates in that
 * the body did not drop or rename away.  Neither: no oid and created < 0.
 */
TableRef
Met(LintContext &cx, RangeVar *rv, bool own_record)
{
	TableRef t;
	if (rv == nullptr || rv->relname == nullptr || rv->relpersistence == RELPERSISTENCE_TEMP)
		return t;
	for (int i = (int) cx.created.size() - (own_record ? 1 : 0); i-- > 0;)
		if (SameName(cx.created[i].schema, cx.created[i].name, rv->schemaname, rv->relname)) {
			t.created = i;
			t.display = WrittenName(rv);
			return t;
		}
	if (cx.DroppedInBody(rv))
		return t;
	Oid oid = InvalidOid;
	PgCall([&] { oid = CreationTargetC(rv); });
	t.oid = oid;
	t.display = OidIsValid(oid) ? RelationName(oid) : WrittenName(rv);
	return t;
}

/* The kind of relation met, in words ("table", "view", ...). */
const char *
KindMet(const LintContext &cx, const TableRef &met)
{
	if (met.created >= 0)
		return cx.created[met.created].matview ? "materialized view" : "table";
	return RelKindName(RelKind(met.oid));
}

/* "a table", "an index". */
std::string
WithArticle(const std::string &kind)
{
	return (kind[0] == 'i' ? "an " : "a ") + kind;
}

/* L017 for a statement that meets a relation of another kind: it creates
 * nothing at all. */
void
OtherKind(LintContext &cx, const std::string &what, const TableRef &met, const char *wanted)
{
	std::string kind = KindMet(cx, met);
	cx.Add(kL017IfNotExistsDifferentShape,
	       what + " is skipped: " + met.display +
	           (met.created >= 0 ? ", created earlier in this body, is " : " exists and is ") + WithArticle(kind) +
	           ", not " + WithArticle(wanted),
	       std::string(kSkipped) + ", and no " + wanted + " is created.  Give the " + wanted +
	           " a name of its own, or drop or rename the existing " + kind + " first.");
}

/* "column "x" is missing; column "y" is integer, declared bigint": how the
 * columns met differ from the declared ones (nothing when they agree). */
std::string
ColumnDifferences(const std::vector<ColumnShape> &have, const std::vector<ColumnShape> &want)
{
	std::string out;
	auto add = [&](const std::string &s) { out += (out.empty() ? "" : "; ") + s; };
	for (const auto &w : want) {
		const ColumnShape *h = nullptr;
		for (const auto &c : have)
			if (c.name == w.name)
				h = &c;
		if (h == nullptr) {
			add("column " + Quoted(w.name.c_str()) + " is missing");
			continue;
		}
		if (!SameType(*h, w))
			add("column " + Quoted(w.name.c_str()) + " is " + h->type_text + ", declared " + w.type_text);
		if (h->not_null != w.not_null)
			add("column " + Quoted(w.name.c_str()) + " is " + (h->not_null ? "NOT NULL" : "nullable") + ", declared " +
			    (w.not_null ? "NOT NULL" : "nullable"));
	}
	for (const auto &h : have) {
		bool declared = false;
		for (const auto &w : want)
			declared = declared || w.name == h.name;
		if (!declared)
			add("column " + Quoted(h.name.c_str()) + " is not declared");
	}
	return out;
}

/* CREATE TABLE IF NOT EXISTS: the table met must have the declared
 * columns (names, types, NOT NULL). */
void
CheckCreateTable(LintContext &cx, CreateStmt *stmt)
{
	if (!stmt->if_not_exists)
		return;
	TableRef met = Met(cx, stmt->relation, true);
	if (!OidIsValid(met.oid) && met.created < 0)
		return;
	std::string what = "CREATE TABLE IF NOT EXISTS " + met.display;
	if (met.created >= 0 ? cx.created[met.created].matview
	                     : RelKind(met.oid) != RELKIND_RELATION && RelKind(met.oid) != RELKIND_PARTITIONED_TABLE) {
		OtherKind(cx, what, met, "table");
		return;
	}
	if (stmt->inhRelations != NIL || stmt->partbound != nullptr || stmt->ofTypename != nullptr ||
	    (met.created >= 0 && !cx.created[met.created].columns_known))
		return;
	ListCell *lc;
	foreach (lc, stmt->tableElts)
		if (IsA(lfirst(lc), TableLikeClause))
			return;

	const BodyTable &own = cx.created.back();
	std::vector<ColumnShape> want;
	for (ColumnDef *col : own.columns) {
		bool in_key = false;
		for (const auto &k : own.primary_key)
			in_key = in_key || (col->colname != nullptr && k == col->colname);
		want.push_back(DeclaredColumnShape(col, in_key));
	}
	std::vector<ColumnShape> have;
	for (const auto &[name, src] : cx.Columns(met))
		have.push_back(CurrentColumnShape(name, src));
	std::string differences = ColumnDifferences(have, want);
	if (differences.empty())
		return;
	bool body = met.created >= 0;
	cx.Add(kL017IfNotExistsDifferentShape,
	       what + " is skipped: " + (body ? "the table created earlier in this body" : "the existing table") +
	           " has columns " + ColumnListText(have) + ", this statement declares " + ColumnListText(want),
	       std::string(kSkipped) + ", leaving the table as it is (" + differences + ").  " +
	           (body ? "Declare the table once in this body."
	                 : "Bring the table to this shape in the revision (ALTER TABLE ... ADD COLUMN, ALTER COLUMN), or "
	                   "leave out IF NOT EXISTS if the table is not meant to exist yet."));
}

/* An index key as the statement writes it: a column name, or "(...)" for
 * an expression. */
std::string
KeyText(IndexElem *e)
{
	return e->name != nullptr ? Ident(e->name) : std::string("(...)");
}

/* CREATE INDEX IF NOT EXISTS: the index met must be on the same table, as
 * unique, with the same access method and (plain keys) the same key
 * columns. */
void
CheckCreateIndex(LintContext &cx, IndexStmt *stmt)
{
	if (!stmt->if_not_exists || stmt->idxname == nullptr || stmt->relation == nullptr)
		return;
	TableRef table = cx.Resolve(stmt->relation);
	const char *schema = stmt->relation->schemaname;
	const char *idxname = stmt->idxname;
	RangeVar *rv = nullptr;
	PgCall([&] { rv = makeRangeVar((char *) schema, (char *) idxname, -1); });
	if (cx.DroppedInBody(rv))
		return;
	Oid existing = InvalidOid;
	Oid relid = table.oid;
	PgCall([&] {
		existing = OidIsValid(relid) ? get_relname_relid(idxname, get_rel_namespace(relid)) : CreationTargetC(rv);
	});
	if (!OidIsValid(existing))
		return;
	std::string what = "CREATE INDEX IF NOT EXISTS " + Ident(idxname);
	char kind = RelKind(existing);
	if (kind != RELKIND_INDEX && kind != RELKIND_PARTITIONED_INDEX) {
		TableRef met;
		met.oid = existing;
		met.display = RelationName(existing);
		OtherKind(cx, what, met, "index");
		return;
	}

	Oid indrelid = InvalidOid;
	bool unique = false;
	char *am = nullptr;
	List *keys = NIL;
	char *definition = nullptr;
	bool found = false;
	PgCall([&] { found = IndexFactsC(existing, &indrelid, &unique, &am, &keys, &definition); });
	if (!found)
		return;
	/* The index went with its table if the body dropped that. */
	char *table_schema = nullptr;
	char *table_name = nullptr;
	RangeVar *table_rv = nullptr;
	PgCall([&] {
		table_schema = get_namespace_name(get_rel_namespace(indrelid));
		table_name = get_rel_name(indrelid);
		if (table_schema != NULL && table_name != NULL)
			table_rv = makeRangeVar(table_schema, table_name, -1);
	});
	if (table_rv == nullptr || cx.DroppedInBody(table_rv))
		return;

	std::string differences;
	auto add = [&](const std::string &s) { differences += (differences.empty() ? "" : "; ") + s; };
	if (indrelid != table.oid)
		add("it is on table " + RelationName(indrelid));
	if (unique != (bool) stmt->unique)
		add(unique ? "it is unique" : "it is not unique");
	if (Str(am) != Str(stmt->accessMethod))
		add("it uses " + Str(am));
	bool plain = true;
	std::string declared_keys;
	ListCell *lc;
	foreach (lc, stmt->indexParams) {
		IndexElem *e = (IndexElem *) lfirst(lc);
		plain = plain && e->name != nullptr;
		declared_keys += (declared_keys.empty() ? "" : ", ") + KeyText(e);
	}
	if (plain && indrelid == table.oid) {
		bool same = list_length(keys) == list_length(stmt->indexParams);
		std::string existing_keys;
		ListCell *kc;
		int i = 0;
		foreach (kc, keys) {
			const char *k = (const char *) lfirst(kc);
			existing_keys += (existing_keys.empty() ? "" : ", ") + (k != nullptr ? Ident(k) : std::string("(...)"));
			if (same) {
				IndexElem *e = (IndexElem *) list_nth(stmt->indexParams, i);
				same = k != nullptr && std::string(k) == e->name;
			}
			i++;
		}
		if (!same)
			add("its keys are (" + existing_keys + ")");
	}
	if (differences.empty())
		return;
	std::string declared = std::string("CREATE ") + (stmt->unique ? "UNIQUE " : "") + "INDEX " + Ident(idxname) +
	                       " ON " + table.display + " USING " + Str(stmt->accessMethod) + " (" + declared_keys + ")";
	cx.Add(kL017IfNotExistsDifferentShape,
	       what + " is skipped: the existing index is " + Str(definition) + ", this statement declares " + declared,
	       std::string(kSkipped) + ", leaving the index as it is (" + differences +
	           ").  Give the new index a name of its own, or drop the existing one first if this revision replaces "
	           "it.");
}

/* CREATE SEQUENCE IF NOT EXISTS: the relation met must be a sequence (its
 * options are not compared). */
void
CheckCreateSequence(LintContext &cx, CreateSeqStmt *stmt)
{
	if (!stmt->if_not_exists)
		return;
	TableRef met = Met(cx, stmt->sequence, false);
	if (met.created >= 0 || (OidIsValid(met.oid) && RelKind(met.oid) != RELKIND_SEQUENCE))
		OtherKind(cx, "CREATE SEQUENCE IF NOT EXISTS " + met.display, met, "sequence");
}

/*
 * The column names a CREATE TABLE AS / MATERIALIZED VIEW gives its
 * relation: its column list, then the query's output names as PostgreSQL
 * figures them (FigureColname, the leftmost branch of a set operation).
 * False when they cannot be known without analysing the query (SELECT *,
 * EXECUTE).
 */
bool
QueryColumnNames(CreateTableAsStmt *c, std::vector<std::string> *out)
{
	if (c->query == nullptr || !IsA(c->query, SelectStmt))
		return false;
	SelectStmt *s = (SelectStmt *) c->query;
	while (s->op != SETOP_NONE && s->larg != nullptr)
		s = s->larg;
	std::vector<std::string> names;
	if (s->valuesLists != NIL) {
		int n = list_length((List *) linitial(s->valuesLists));
		for (int i = 1; i <= n; i++)
			names.push_back("column" + std::to_string(i));
	} else {
		ListCell *lc;
		foreach (lc, s->targetList) {
			ResTarget *rt = (ResTarget *) lfirst(lc);
			if (rt->name != nullptr) {
				names.emplace_back(rt->name);
				continue;
			}
			Node *val = rt->val;
			if (val == nullptr || (IsA(val, ColumnRef) && IsA(llast(((ColumnRef *) val)->fields), A_Star)))
				return false;
			char *name = nullptr;
			PgCall([&] { name = FigureColname(val); });
			names.push_back(Str(name));
		}
	}
	std::vector<std::string> listed = Names(c->into->colNames);
	if (listed.size() > names.size())
		return false;
	for (std::size_t i = 0; i < listed.size(); i++)
		names[i] = listed[i];
	*out = names;
	return true;
}

/* "(a, b)". */
std::string
NameListText(const std::vector<std::string> &names)
{
	std::string s;
	for (const auto &n : names)
		s += (s.empty() ? "" : ", ") + Ident(n.c_str());
	return "(" + s + ")";
}

/* CREATE TABLE AS / MATERIALIZED VIEW IF NOT EXISTS: the relation met must
 * be of the same kind with the same column names. */
void
CheckCreateTableAs(LintContext &cx, CreateTableAsStmt *c)
{
	if (!c->if_not_exists || c->into == nullptr || c->into->rel == nullptr)
		return;
	bool matview = c->objtype == OBJECT_MATVIEW;
	TableRef met = Met(cx, c->into->rel, true);
	if (!OidIsValid(met.oid) && met.created < 0)
		return;
	std::string what = matview ? "CREATE MATERIALIZED VIEW IF NOT EXISTS " + met.display
	                           : "CREATE TABLE IF NOT EXISTS " + met.display + " AS ...";
	bool met_matview = false;
	if (met.created >= 0)
		met_matview = cx.created[met.created].matview;
	else {
		char kind = RelKind(met.oid);
		met_matview = kind == RELKIND_MATVIEW;
		if (!met_matview && kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE) {
			OtherKind(cx, what, met, matview ? "materialized view" : "table");
			return;
		}
	}
	if (met_matview != matview) {
		OtherKind(cx, what, met, matview ? "materialized view" : "table");
		return;
	}
	std::vector<std::string> want;
	if (!QueryColumnNames(c, &want) || (met.created >= 0 && !cx.created[met.created].columns_known))
		return;
	std::vector<std::string> have;
	for (const auto &column : cx.Columns(met))
		have.push_back(column.first);
	if (have == want)
		return;
	std::string kind = matview ? "materialized view" : "table";
	cx.Add(kL017IfNotExistsDifferentShape,
	       what + " is skipped: " +
	           (met.created >= 0 ? "the " + kind + " created earlier in this body" : "the existing " + kind) +
	           " has columns " + NameListText(have) + ", this statement declares " + NameListText(want),
	       std::string(kSkipped) + ", leaving the " + kind + " as it is" + (matview ? ", with its old query" : "") +
	           ".  " +
	           (matview ? "To redefine it, DROP MATERIALIZED VIEW first and create it without IF NOT EXISTS."
	                    : "Bring the table to this shape in the revision (ALTER TABLE), or leave out IF NOT EXISTS if "
	                      "the table is not meant to exist yet."));
}

/* Every statement that can create a relation IF NOT EXISTS. */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_CreateStmt:
		CheckCreateTable(cx, (CreateStmt *) stmt);
		break;
	case T_IndexStmt:
		CheckCreateIndex(cx, (IndexStmt *) stmt);
		break;
	case T_CreateSeqStmt:
		CheckCreateSequence(cx, (CreateSeqStmt *) stmt);
		break;
	case T_CreateTableAsStmt:
		CheckCreateTableAs(cx, (CreateTableAsStmt *) stmt);
		break;
	default:
		break;
	}
}

/* ADD COLUMN IF NOT EXISTS of a column the table has (catalog, or defined
 * earlier in the body): its type and NOT NULL must be the declared ones. */
void
CheckAlterTableCmd(LintContext &cx, const TableRef &table, AlterTableCmd *cmd)
{
	ColumnSource src;
	ColumnDef *col = AddOfExistingColumn(cx, table, cmd, true, &src);
	if (col == nullptr)
		return;
	ColumnShape have = CurrentColumnShape(col->colname, src);
	ColumnShape want = DeclaredColumnShape(col, false);
	if (SameType(have, want) && have.not_null == want.not_null)
		return;
	cx.Add(kL017IfNotExistsDifferentShape,
	       "ADD COLUMN IF NOT EXISTS " + Quoted(col->colname) + " on table " + table.display + " is skipped: " +
	           (src.def != nullptr ? "the column defined earlier in this body is " : "the existing column is ") +
	           ColumnShapeText(have) + ", this statement declares " + ColumnShapeText(want),
	       std::string(kSkipped) + ", leaving the column as it is.  Change the column in the revision (ALTER COLUMN "
	                               "... TYPE, SET NOT NULL / DROP NOT NULL), or add a column of another name.");
}

} // namespace

const LintRule kL017IfNotExistsDifferentShape = {
	"L017", "if-not-exists-different-shape", "error", CheckStatement, nullptr, nullptr, CheckAlterTableCmd, nullptr,
};

} // namespace pgmig::lint
