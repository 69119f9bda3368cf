/*
 * extension/src/lint/context.hpp
 *
 * What one lint run knows while it walks a body: the body and its
 * statements, the statement being checked, the findings so far, and what
 * the body itself did in earlier statements (tables it created, columns it
 * added, dropped or renamed, relations it dropped or renamed away, enum
 * values it added, its string constants).
 * The driver records those (Record* in context.cpp); the rules read them
 * and report through Add.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_CONTEXT_HPP
#define PGMIG_LINT_CONTEXT_HPP

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "body.hpp"
#include "lint.hpp"
#include "lint/rule.hpp"

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
}

namespace pgmig::lint {

/* A table (or materialized view) created earlier in the body. */
struct BodyTable {
	std::string schema; /* as written; empty when unqualified */
	std::string name;
	std::vector<ColumnDef *> columns;
	std::vector<std::string> primary_key;
	bool matview = false;      /* CREATE MATERIALIZED VIEW */
	bool columns_known = true; /* false for CREATE TABLE AS, CREATE MATERIALIZED VIEW */
};

/* A relation named by a statement, resolved. */
struct TableRef {
	Oid oid = InvalidOid; /* exists now (through the search_path) */
	int created = -1;     /* index in LintContext::created when created earlier in the body */
	std::string display;  /* public.t when it exists, else as written */
	bool Existing() const { return OidIsValid(oid) && created < 0; }
};

/* A column of an existing table as an earlier statement left it: added
 * (def), renamed (the catalog's attnum, or def, under the new name), or
 * gone (dropped or renamed away: no def, attnum 0). */
struct ColumnChange {
	Oid table = InvalidOid;
	std::string name;
	ColumnDef *def = nullptr;
	AttrNumber attnum = 0;
};

/* Where a column of a table, as the body has left it so far, is defined:
 * the body's definition (a created table's column or an added one), or
 * the catalog's attribute. */
struct ColumnSource {
	bool exists = false;
	ColumnDef *def = nullptr; /* from the body (its colname is the column's name) */
	bool primary_key = false; /* def is in its created table's PRIMARY KEY (...) */
	Oid relid = InvalidOid;   /* else the catalog's column relid.attnum */
	AttrNumber attnum = 0;
};

/* An enum value added by an earlier statement. */
struct AddedEnumValue {
	std::string label;
	std::string type;
	int statement;
};

/* A string constant of the body. */
struct StringConstant {
	std::size_t offset;
	std::string value;
};

bool SameName(const std::string &schema1, const std::string &name1, const char *schema2, const char *name2);

/*
 * One lint run over one body (see file header).  "Existing" means: resolves
 * now through the search_path and was not created earlier in the body.
 */
struct LintContext {
	LintContext(const std::string &body_text, const ParsedBody &parsed_body) : body(body_text), parsed(parsed_body) {}

	/* Records a finding of a rule for the current statement. */
	void Add(const LintRule &rule, const std::string &message, const std::string &hint);

	TableRef Resolve(RangeVar *rv) const;
	ColumnSource FindColumn(const TableRef &table, const std::string &column) const;
	std::vector<std::pair<std::string, ColumnSource>> Columns(const TableRef &table) const;
	Oid ColumnType(const TableRef &table, const std::string &column) const;
	std::vector<std::string> PrimaryKey(const TableRef &table) const;
	bool DroppedInBody(const RangeVar *rv) const;

	/* What the body does, recorded by the driver (driver.cpp says when). */
	void RecordCreateTable(CreateStmt *stmt);
	void RecordCreateTableAs(CreateTableAsStmt *stmt);
	void RecordAddColumn(const TableRef &table, ColumnDef *col);
	void RecordDropColumn(const TableRef &table, const char *column);
	void RecordRenameColumn(const TableRef &table, const char *from, const char *to);
	void RecordDropTable(const RangeVar *rv, const TableRef &table);
	void RecordDropRelation(const RangeVar *rv);
	void RecordRename(RenameStmt *stmt);
	void RecordEnumValue(AlterEnumStmt *stmt);

	const std::string &body;
	const ParsedBody &parsed;
	int statement = 0; /* 1-based, the statement being checked */
	std::vector<LintFinding> findings;
	std::vector<BodyTable> created;
	std::vector<ColumnChange> column_changes;                 /* of existing tables, in order */
	std::vector<std::pair<std::string, std::string>> dropped; /* relations dropped or renamed away */
	std::vector<AddedEnumValue> enum_values;
	std::vector<StringConstant> strings;
};

} // namespace pgmig::lint

#endif /* PGMIG_LINT_CONTEXT_HPP */
