/*
 * extension/src/lint/context.cpp
 *
 * The state of one lint run (context.hpp): resolving the relations a
 * statement names against what the body created earlier and the catalog,
 * and recording what each statement of the body does.
 *
 * Design:
 *  - Statements are checked in order while the linter tracks what the body
 *    itself does: tables it creates (with their column definitions, so that
 *    later statements on them are not "existing table" problems and foreign
 *    keys to them can be type-checked), columns it adds, drops and renames,
 *    relations it drops or renames away, and enum values it adds.
 *    "Existing" means: resolves now through the search_path and was not
 *    created earlier in the body.
 *  - Lookups go through catalog.hpp: no lock on user relations,
 *    AccessShareLock on pg_index for primary keys; writes nothing.  Every
 *    PostgreSQL call is inside PgCall.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "guards.hpp"
#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/naming.hpp"
#include "lint/parse_tree.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "nodes/pg_list.h"
#include "parser/parse_type.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
}

namespace pgmig::lint {

/* True when two names as written can denote the same relation (an
 * unqualified name matches any schema). */
bool
SameName(const std::string &schema1, const std::string &name1, const char *schema2, const char *name2)
{
	if (name2 == nullptr || name1 != name2)
		return false;
	return schema1.empty() || schema2 == nullptr || schema1 == schema2;
}

/* Records a finding for the current statement. */
void
LintContext::Add(const LintRule &rule, const std::string &message, const std::string &hint)
{
	LintFinding f;
	f.rule = rule.id;
	f.name = rule.name;
	f.severity = rule.severity;
	f.statement = statement;
	f.line = parsed.statements[statement - 1].line;
	f.message = message;
	f.hint = hint;
	findings.push_back(std::move(f));
}

/* Resolves a relation: created earlier in the body, or existing now. */
TableRef
LintContext::Resolve(RangeVar *rv) const
{
	TableRef t;
	if (rv == nullptr || rv->relname == nullptr)
		return t;
	for (std::size_t i = created.size(); i-- > 0;)
		if (SameName(created[i].schema, created[i].name, rv->schemaname, rv->relname)) {
			t.created = (int) i;
			break;
		}
	Oid oid = InvalidOid;
	PgCall([&] { oid = LookupRelationC(rv); });
	t.oid = oid;
	t.display = OidIsValid(oid) && t.created < 0 ? RelationName(oid) : WrittenName(rv);
	return t;
}

/* True when an earlier statement of the body dropped this relation. */
bool
LintContext::DroppedInBody(const RangeVar *rv) const
{
	for (const auto &d : dropped)
		if (SameName(d.first, d.second, rv->schemaname, rv->relname))
			return true;
	return false;
}

/*
 * Where a column of a table is defined now: a table the body created has
 * the columns of its CREATE TABLE as later statements changed them; an
 * existing table has the catalog's, changed by the body's ADD, DROP and
 * RENAME COLUMN (the latest change of that name wins).  System columns do
 * not count.
 */
ColumnSource
LintContext::FindColumn(const TableRef &table, const std::string &column) const
{
	ColumnSource src;
	if (table.created >= 0) {
		const BodyTable &t = created[table.created];
		for (ColumnDef *c : t.columns)
			if (c->colname != nullptr && column == c->colname) {
				src.exists = true;
				src.def = c;
				src.primary_key = std::find(t.primary_key.begin(), t.primary_key.end(), column) != t.primary_key.end();
				return src;
			}
		return src;
	}
	if (!OidIsValid(table.oid))
		return src;
	for (std::size_t i = column_changes.size(); i-- > 0;) {
		const ColumnChange &c = column_changes[i];
		if (c.table != table.oid || c.name != column)
			continue;
		src.exists = c.def != nullptr || c.attnum > 0;
		src.def = c.def;
		src.relid = c.def == nullptr ? table.oid : InvalidOid;
		src.attnum = c.attnum;
		return src;
	}
	AttrNumber attnum = InvalidAttrNumber;
	const char *name = column.c_str();
	Oid relid = table.oid;
	PgCall([&] { attnum = get_attnum(relid, name); });
	if (attnum > 0) {
		src.exists = true;
		src.relid = relid;
		src.attnum = attnum;
	}
	return src;
}

/* Every column of a table now (FindColumn), by name: the CREATE TABLE's
 * order for a table the body created; for an existing one the catalog's
 * order, then the columns the body added or renamed, in its order. */
std::vector<std::pair<std::string, ColumnSource>>
LintContext::Columns(const TableRef &table) const
{
	std::vector<std::pair<std::string, ColumnSource>> out;
	std::set<std::string> seen;
	auto add = [&](const std::string &name) {
		if (!seen.insert(name).second)
			return;
		ColumnSource src = FindColumn(table, name);
		if (src.exists)
			out.emplace_back(name, src);
	};
	if (table.created >= 0) {
		for (ColumnDef *c : created[table.created].columns)
			if (c->colname != nullptr)
				add(c->colname);
		return out;
	}
	if (!OidIsValid(table.oid))
		return out;
	List *names = NIL;
	Oid relid = table.oid;
	PgCall([&] { names = ColumnNamesC(relid); });
	ListCell *lc;
	foreach (lc, names)
		add((const char *) lfirst(lc));
	for (const auto &c : column_changes)
		if (c.table == table.oid)
			add(c.name);
	return out;
}

/* A column's type: from the body's definitions (created table, added
 * column) or the catalog; InvalidOid when unknown. */
Oid
LintContext::ColumnType(const TableRef &table, const std::string &column) const
{
	ColumnSource src = FindColumn(table, column);
	if (!src.exists)
		return InvalidOid;
	if (src.def != nullptr)
		return TypeOid(src.def->typeName);
	Oid type = InvalidOid;
	Oid relid = src.relid;
	AttrNumber attnum = src.attnum;
	PgCall([&] { type = get_atttype(relid, attnum); });
	return type;
}

/* The primary key columns of a table (body definition or catalog). */
std::vector<std::string>
LintContext::PrimaryKey(const TableRef &table) const
{
	if (table.created >= 0)
		return created[table.created].primary_key;
	std::vector<std::string> out;
	if (!OidIsValid(table.oid))
		return out;
	List *cols = NIL;
	Oid relid = table.oid;
	PgCall([&] { cols = PrimaryKeyColumnsC(relid); });
	ListCell *lc;
	foreach (lc, cols)
		out.emplace_back((const char *) lfirst(lc));
	return out;
}

/* ------------------------------------------------------------------------
 * What the body does
 * ------------------------------------------------------------------------ */

/* CREATE TABLE: records the table, with its columns and primary key. */
void
LintContext::RecordCreateTable(CreateStmt *stmt)
{
	RangeVar *rv = stmt->relation;
	BodyTable t;
	t.schema = Str(rv->schemaname);
	t.name = Str(rv->relname);
	ListCell *lc;
	foreach (lc, stmt->tableElts) {
		Node *e = (Node *) lfirst(lc);
		if (IsA(e, ColumnDef)) {
			ColumnDef *col = (ColumnDef *) e;
			t.columns.push_back(col);
			if (FindConstraint(col, CONSTR_PRIMARY) != nullptr && col->colname != nullptr)
				t.primary_key = {col->colname};
		} else if (IsA(e, Constraint) && ((Constraint *) e)->contype == CONSTR_PRIMARY)
			t.primary_key = Names(((Constraint *) e)->keys);
	}
	created.push_back(std::move(t));
}

/* CREATE TABLE AS, CREATE MATERIALIZED VIEW: records the relation (its
 * columns are not known). */
void
LintContext::RecordCreateTableAs(CreateTableAsStmt *c)
{
	if (c->into == nullptr || c->into->rel == nullptr)
		return;
	BodyTable t;
	t.schema = Str(c->into->rel->schemaname);
	t.name = Str(c->into->rel->relname);
	t.matview = c->objtype == OBJECT_MATVIEW;
	t.columns_known = false;
	created.push_back(std::move(t));
}

/* ADD COLUMN: records the column, on a table the body created or an
 * existing one. */
void
LintContext::RecordAddColumn(const TableRef &table, ColumnDef *col)
{
	if (col->colname == nullptr)
		return;
	if (table.created >= 0)
		created[table.created].columns.push_back(col);
	else if (OidIsValid(table.oid))
		column_changes.push_back({ table.oid, col->colname, col, 0 });
}

/* DROP COLUMN: the column is gone (from a created table's definition, or
 * as a change of an existing table).  Dropping a primary key column drops
 * the key. */
void
LintContext::RecordDropColumn(const TableRef &table, const char *column)
{
	if (column == nullptr)
		return;
	if (table.created >= 0) {
		BodyTable &t = created[table.created];
		std::string name = column;
		t.columns.erase(std::remove_if(t.columns.begin(), t.columns.end(),
		                               [&](ColumnDef *c) { return c->colname != nullptr && name == c->colname; }),
		                t.columns.end());
		if (std::find(t.primary_key.begin(), t.primary_key.end(), name) != t.primary_key.end())
			t.primary_key.clear();
	} else if (OidIsValid(table.oid))
		column_changes.push_back({ table.oid, column, nullptr, 0 });
}

/* RENAME COLUMN: the column keeps its definition under the new name (a
 * ColumnDef from the body is copied with the new colname). */
void
LintContext::RecordRenameColumn(const TableRef &table, const char *from, const char *to)
{
	if (from == nullptr || to == nullptr)
		return;
	ColumnSource src = FindColumn(table, from);
	if (!src.exists)
		return;
	ColumnDef *def = nullptr;
	if (src.def != nullptr) {
		ColumnDef *old = src.def;
		PgCall([&] {
			def = (ColumnDef *) copyObjectImpl(old);
			def->colname = pstrdup(to);
		});
	}
	if (table.created >= 0) {
		BodyTable &t = created[table.created];
		std::replace(t.columns.begin(), t.columns.end(), src.def, def);
		std::replace(t.primary_key.begin(), t.primary_key.end(), std::string(from), std::string(to));
	} else {
		column_changes.push_back({ table.oid, from, nullptr, 0 });
		column_changes.push_back({ table.oid, to, def, src.attnum });
	}
}

/* DROP TABLE (one of the tables it names): a table the body created is
 * forgotten; every dropped name is remembered (DroppedInBody). */
void
LintContext::RecordDropTable(const RangeVar *rv, const TableRef &table)
{
	if (table.created >= 0)
		created.erase(created.begin() + table.created);
	dropped.emplace_back(Str(rv->schemaname), Str(rv->relname));
}

/* DROP INDEX, SEQUENCE, VIEW, FOREIGN TABLE (one name), or a relation
 * renamed away: the name is remembered (DroppedInBody). */
void
LintContext::RecordDropRelation(const RangeVar *rv)
{
	dropped.emplace_back(Str(rv->schemaname), Str(rv->relname));
}

/*
 * ALTER ... RENAME: a table or materialized view the body created follows
 * its new name; an existing relation renamed away counts as dropped under
 * its old name (DroppedInBody); a column keeps its definition under the
 * new name (RecordRenameColumn).
 */
void
LintContext::RecordRename(RenameStmt *stmt)
{
	switch (stmt->renameType) {
	case OBJECT_COLUMN:
		if (stmt->relationType == OBJECT_TABLE || stmt->relationType == OBJECT_FOREIGN_TABLE)
			RecordRenameColumn(Resolve(stmt->relation), stmt->subname, stmt->newname);
		break;
	case OBJECT_TABLE:
	case OBJECT_MATVIEW:
	case OBJECT_INDEX:
	case OBJECT_SEQUENCE:
	case OBJECT_VIEW:
	case OBJECT_FOREIGN_TABLE: {
		TableRef table = Resolve(stmt->relation);
		if (table.created >= 0 && (stmt->renameType == OBJECT_TABLE || stmt->renameType == OBJECT_MATVIEW))
			created[table.created].name = Str(stmt->newname);
		else if (OidIsValid(table.oid))
			RecordDropRelation(stmt->relation);
		break;
	}
	default:
		break;
	}
}

/* ALTER TYPE ... ADD VALUE: remembers the value for L011. */
void
LintContext::RecordEnumValue(AlterEnumStmt *stmt)
{
	if (stmt->newVal == nullptr || stmt->oldVal != nullptr)
		return; /* RENAME VALUE */
	TypeName *tn = nullptr;
	List *names = stmt->typeName;
	PgCall([&] { tn = makeTypeNameFromNameList(names); });
	Oid type = TypeOid(tn);
	std::string display;
	if (OidIsValid(type)) {
		/* A label the type already has makes ADD VALUE IF NOT EXISTS a no-op
		 * (and plain ADD VALUE fail): no new value to misuse. */
		bool exists = false;
		const char *label = stmt->newVal;
		PgCall([&] {
			exists = SearchSysCacheExists2(ENUMTYPOIDNAME, ObjectIdGetDatum(type), CStringGetDatum(label));
		});
		if (exists)
			return;
		display = TypeDisplay(type);
	}
	else {
		char *s = nullptr;
		PgCall([&] { s = NameListToString(names); });
		display = Str(s);
	}
	enum_values.push_back({stmt->newVal, display, statement});
}

} // namespace pgmig::lint
