/*
 * extension/src/lint.cpp
 *
 * The migration linter (see lint.hpp; docs/lint.md describes every rule).
 *
 * Design:
 *  - The body is parsed twice with the server's grammar: once by ParseBody,
 *    which validates it and gives each statement's number and line (and
 *    raises the upload's own error for a body that does not parse), and once
 *    here with raw_parser for the parse trees, one RawStmt per BodyStatement.
 *    The body's tokens come from the core scanner (the one raw_parser uses):
 *    the gaps between tokens hold the comments, where suppression directives
 *    live, and the string constants are what L011 looks for.
 *  - Statements are checked in order while the linter tracks what the body
 *    itself does: tables it creates (with their column definitions, so that
 *    later statements on them are not "existing table" problems and foreign
 *    keys to them can be type-checked), columns it adds, tables it drops and
 *    enum values it adds.  "Existing" means: resolves now through the
 *    search_path and was not created earlier in the body.
 *  - Catalog access is read-only and lock-free for user objects:
 *    RangeVarGetRelid with NoLock and missing_ok, syscache lookups, and one
 *    index scan of pg_index (AccessShareLock on the catalog) for primary
 *    keys.  Every lookup has a "missing" answer instead of an error; a
 *    schema the user may not use is treated as missing (the lookup functions
 *    would raise a permission error for it).  Nothing is executed.
 *  - All parse trees and lookups live in a private memory context deleted at
 *    the end, so linting many bodies in one call (upload batches) does not
 *    accumulate memory.  Every PostgreSQL call is inside PgCall and every
 *    PgCall lambda is C-only (guards.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstring>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "body.hpp"
#include "guards.hpp"
#include "lint.hpp"

extern "C" {
#include "postgres.h"

#include "access/genam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "catalog/namespace.h"
#include "catalog/pg_attribute.h"
#include "catalog/pg_class.h"
#include "catalog/pg_index.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "commands/dbcommands.h"
#include "common/keywords.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "parser/parse_coerce.h"
#include "parser/parse_type.h"
#include "parser/parser.h"
#include "parser/scanner.h"
#include "parser/gram.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/syscache.h"
}

namespace pgmig {

namespace {

/* ------------------------------------------------------------------------
 * The rules
 * ------------------------------------------------------------------------ */

enum RuleId {
	kL001,
	kL002,
	kL003,
	kL004,
	kL005,
	kL006,
	kL007,
	kL008,
	kL009,
	kL010,
	kL011,
	kL012,
	kL013,
	kL014,
	kL015,
	kRuleCount
};

struct Rule {
	const char *id;
	const char *name;
	const char *severity;
};

/* Indexed by RuleId; docs/lint.md has one section per entry. */
const Rule kRules[kRuleCount] = {
	{"L001", "not-null-column-without-default", "warning"},
	{"L002", "volatile-default", "warning"},
	{"L003", "column-type-change", "warning"},
	{"L004", "index-without-concurrently", "warning"},
	{"L005", "constraint-without-not-valid", "warning"},
	{"L006", "set-not-null", "warning"},
	{"L007", "drop-table", "warning"},
	{"L008", "drop-column", "warning"},
	{"L009", "rename-table", "warning"},
	{"L010", "rename-column", "warning"},
	{"L011", "enum-value-used-in-same-revision", "error"},
	{"L012", "lock-access-exclusive", "warning"},
	{"L013", "foreign-key-type-mismatch", "warning"},
	{"L014", "insert-missing-not-null", "warning"},
	{"L015", "object-already-exists", "warning"},
};

/* The rule a directive word names ("L004", "l004" or "index-without-concurrently"), or -1. */
int
RuleByWord(const std::string &word)
{
	for (int i = 0; i < kRuleCount; i++) {
		if (word == kRules[i].name)
			return i;
		if (word.size() == 4 && std::toupper((unsigned char) word[0]) == 'L' && word.compare(1, 3, kRules[i].id + 1) == 0)
			return i;
	}
	return -1;
}

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

/* The columns of a relation that an INSERT must give a value: NOT NULL,
 * no default, not identity, not generated (List of palloc'd names). */
List *
RequiredColumnsC(Oid relid)
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
		if (!a->attisdropped && a->attnotnull && !a->atthasdef && a->attidentity == '\0' && a->attgenerated == '\0')
			result = lappend(result, pstrdup(NameStr(a->attname)));
		ReleaseSysCache(at);
	}
	return result;
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

/* A token of the body: byte range, and the value of a string constant. */
struct ScannedToken {
	int start;
	int end;
	char *sconst; /* value of a string constant (SCONST), else NULL */
};

/* Splits text into tokens with the core scanner (raw_parser's); the
 * scanner leaves a NUL after the current token in its buffer, which gives
 * the token's end (as pg_stat_statements relies on). */
ScannedToken *
ScanTokensC(const char *text, int *count)
{
	core_yy_extra_type extra;
	core_yyscan_t scanner = scanner_init(text, &extra, &ScanKeywords, ScanKeywordTokens);
	extra.escape_string_warning = false;
	int cap = 256;
	int n = 0;
	ScannedToken *toks = (ScannedToken *) palloc(sizeof(ScannedToken) * cap);
	for (;;) {
		core_YYSTYPE yylval;
		YYLTYPE yylloc;
		int tok = core_yylex(&yylval, &yylloc, scanner);
		if (tok == 0)
			break;
		if (n == cap) {
			cap *= 2;
			toks = (ScannedToken *) repalloc(toks, sizeof(ScannedToken) * cap);
		}
		toks[n].start = yylloc;
		toks[n].end = yylloc + (int) strlen(extra.scanbuf + yylloc);
		toks[n].sconst = tok == SCONST ? pstrdup(yylval.str) : NULL;
		n++;
	}
	scanner_finish(scanner);
	*count = n;
	return toks;
}

/* ------------------------------------------------------------------------
 * Guarded wrappers and small helpers
 * ------------------------------------------------------------------------ */

/* A private memory context for one lint run, current while it lives. */
class LintMemory {
public:
	LintMemory()
	{
		MemoryContext cxt = nullptr;
		PgCall([&] { cxt = AllocSetContextCreate(CurrentMemoryContext, "pgmig lint", ALLOCSET_DEFAULT_SIZES); });
		cxt_ = cxt;
		old_ = MemoryContextSwitchTo(cxt_);
	}
	/* Deleting a context does not raise errors. */
	~LintMemory()
	{
		MemoryContextSwitchTo(old_);
		MemoryContextDelete(cxt_);
	}
	LintMemory(const LintMemory &) = delete;
	LintMemory &operator=(const LintMemory &) = delete;

private:
	MemoryContext cxt_ = nullptr;
	MemoryContext old_ = nullptr;
};

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

/* The names in a List of String. */
std::vector<std::string>
Names(List *list)
{
	std::vector<std::string> out;
	ListCell *lc;
	foreach (lc, list) {
		Node *n = (Node *) lfirst(lc);
		if (n != nullptr && IsA(n, String))
			out.emplace_back(strVal(n));
	}
	return out;
}

/* True for a serial pseudo-type name (serial, bigserial, serial8, ...). */
bool
IsSerial(const TypeName *tn)
{
	if (tn == nullptr || tn->names == NIL || tn->arrayBounds != NIL)
		return false;
	if (list_length(tn->names) > 2 ||
	    (list_length(tn->names) == 2 && std::strcmp(strVal(linitial(tn->names)), "pg_catalog") != 0))
		return false;
	static const char *const kSerials[] = {"smallserial", "serial2", "serial", "serial4", "bigserial", "serial8"};
	const char *n = strVal(llast(tn->names));
	for (const char *s : kSerials)
		if (std::strcmp(n, s) == 0)
			return true;
	return false;
}

/* The first constraint of a kind in a column definition, or nullptr. */
Constraint *
FindConstraint(const ColumnDef *col, ConstrType type)
{
	ListCell *lc;
	foreach (lc, col->constraints) {
		Constraint *c = (Constraint *) lfirst(lc);
		if (c != nullptr && IsA(c, Constraint) && c->contype == type)
			return c;
	}
	return nullptr;
}

/* True for DEFAULT NULL (which is no default at all). */
bool
IsNullConstant(const Node *n)
{
	return n != nullptr && IsA(n, A_Const) && ((const A_Const *) n)->isnull;
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

/* A relation's kind (0 when it is gone). */
char
RelKind(Oid relid)
{
	char k = 0;
	PgCall([&] { k = get_rel_relkind(relid); });
	return k;
}

/* ------------------------------------------------------------------------
 * Suppression comments
 * ------------------------------------------------------------------------ */

/* One "-- pgmig-lint:" directive found in a comment. */
struct Directive {
	std::size_t offset = 0; /* where the comment starts */
	bool whole_file = false;
	std::vector<int> rules;
};

/* Parses a line comment's text (after "--"); true when it is a directive. */
bool
ParseDirective(const std::string &text, Directive *d)
{
	static const char kPrefix[] = "pgmig-lint:";
	std::size_t p = text.find_first_not_of(" \t");
	if (p == std::string::npos || text.compare(p, sizeof(kPrefix) - 1, kPrefix) != 0)
		return false;
	p += sizeof(kPrefix) - 1;
	std::vector<std::string> words;
	std::string word;
	for (std::size_t i = p; i <= text.size(); i++) {
		char c = i < text.size() ? text[i] : ' ';
		if (c == ' ' || c == '\t' || c == ',' || c == '\r') {
			if (!word.empty())
				words.push_back(word);
			word.clear();
		} else
			word += c;
	}
	if (words.empty() || (words[0] != "ignore" && words[0] != "ignore-file"))
		return false;
	d->whole_file = words[0] == "ignore-file";
	for (std::size_t i = 1; i < words.size(); i++) {
		int r = RuleByWord(words[i]);
		if (r < 0)
			break; /* the free-text reason starts here */
		d->rules.push_back(r);
	}
	return true;
}

/* Finds the directives in a stretch of the body that holds only blanks and
 * comments (a gap between two tokens). */
void
DirectivesInGap(const std::string &body, std::size_t from, std::size_t to, std::vector<Directive> *out)
{
	std::size_t i = from;
	while (i + 1 < to) {
		if (body[i] == '/' && body[i + 1] == '*') {
			int depth = 1;
			i += 2;
			while (i + 1 < to && depth > 0) {
				if (body[i] == '/' && body[i + 1] == '*') {
					depth++;
					i += 2;
				} else if (body[i] == '*' && body[i + 1] == '/') {
					depth--;
					i += 2;
				} else
					i++;
			}
		} else if (body[i] == '-' && body[i + 1] == '-') {
			std::size_t eol = body.find('\n', i);
			if (eol == std::string::npos || eol > to)
				eol = to;
			Directive d;
			d.offset = i;
			if (ParseDirective(body.substr(i + 2, eol - i - 2), &d))
				out->push_back(d);
			i = eol;
		} else
			i++;
	}
}

/* ------------------------------------------------------------------------
 * The linter
 * ------------------------------------------------------------------------ */

/* A table (or materialized view) created earlier in the body. */
struct BodyTable {
	std::string schema; /* as written; empty when unqualified */
	std::string name;
	std::vector<ColumnDef *> columns;
	std::vector<std::string> primary_key;
};

/* A relation named by a statement, resolved. */
struct TableRef {
	Oid oid = InvalidOid; /* exists now (through the search_path) */
	int created = -1;     /* index in Linter::created_ when created earlier in the body */
	std::string display;  /* public.t when it exists, else as written */
	bool Existing() const { return OidIsValid(oid) && created < 0; }
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

/* True when two names as written can denote the same relation (an
 * unqualified name matches any schema). */
bool
SameName(const std::string &schema1, const std::string &name1, const char *schema2, const char *name2)
{
	if (name2 == nullptr || name1 != name2)
		return false;
	return schema1.empty() || schema2 == nullptr || schema1 == schema2;
}

/*
 * One lint run over one body: checks the statements in order, keeping what
 * the body itself created, added, dropped and added to enums (see file
 * header), then applies the suppression comments.
 */
class Linter {
public:
	Linter(const std::string &body, const ParsedBody &parsed) : body_(body), parsed_(parsed) {}

	/* Lints every statement; findings ordered by statement, then rule, with
	 * suppressions applied. */
	std::vector<LintFinding> Run(List *raw);

private:
	void Statement(Node *stmt);
	void CreateTable(CreateStmt *stmt);
	void AlterTable(AlterTableStmt *stmt);
	void AddColumn(const TableRef &table, ColumnDef *col);
	void AddConstraint(const TableRef &table, Constraint *con);
	void AlterColumnType(const TableRef &table, AlterTableCmd *cmd);
	void CreateIndex(IndexStmt *stmt);
	void Drop(DropStmt *stmt);
	void Rename(RenameStmt *stmt);
	void AlterEnum(AlterEnumStmt *stmt);
	void EnumValuesUsed(std::size_t from, std::size_t to);
	void Lock(LockStmt *stmt);
	void Insert(InsertStmt *stmt);
	void RelationExists(RangeVar *rv, const char *what, const char *hint);
	void TypeExists(List *names, const char *what);
	void ForeignKey(const TableRef &table, const std::vector<std::string> &fk_columns, Constraint *con);

	TableRef Resolve(RangeVar *rv) const;
	Oid ColumnType(const TableRef &table, const std::string &column) const;
	std::vector<std::string> PrimaryKey(const TableRef &table) const;
	bool DroppedInBody(const RangeVar *rv) const;
	void Add(RuleId rule, const std::string &message, const std::string &hint);

	const std::string &body_;
	const ParsedBody &parsed_;
	int statement_ = 0; /* 1-based, the statement being checked */
	std::vector<LintFinding> findings_;
	std::vector<BodyTable> created_;
	std::vector<std::pair<Oid, ColumnDef *>> added_columns_; /* to existing tables */
	std::vector<std::pair<std::string, std::string>> dropped_;
	std::vector<AddedEnumValue> enum_values_;
	std::vector<StringConstant> strings_;
};

/* Records a finding for the current statement. */
void
Linter::Add(RuleId rule, const std::string &message, const std::string &hint)
{
	LintFinding f;
	f.rule = kRules[rule].id;
	f.name = kRules[rule].name;
	f.severity = kRules[rule].severity;
	f.statement = statement_;
	f.line = parsed_.statements[statement_ - 1].line;
	f.message = message;
	f.hint = hint;
	findings_.push_back(std::move(f));
}

/* Resolves a relation: created earlier in the body, or existing now. */
TableRef
Linter::Resolve(RangeVar *rv) const
{
	TableRef t;
	if (rv == nullptr || rv->relname == nullptr)
		return t;
	for (std::size_t i = created_.size(); i-- > 0;)
		if (SameName(created_[i].schema, created_[i].name, rv->schemaname, rv->relname)) {
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
Linter::DroppedInBody(const RangeVar *rv) const
{
	for (const auto &d : dropped_)
		if (SameName(d.first, d.second, rv->schemaname, rv->relname))
			return true;
	return false;
}

/* A column's type: from the body's definitions (created table, added
 * column) or the catalog; InvalidOid when unknown. */
Oid
Linter::ColumnType(const TableRef &table, const std::string &column) const
{
	if (table.created >= 0) {
		for (ColumnDef *c : created_[table.created].columns)
			if (c->colname != nullptr && column == c->colname)
				return TypeOid(c->typeName);
		return InvalidOid;
	}
	if (!OidIsValid(table.oid))
		return InvalidOid;
	for (const auto &a : added_columns_)
		if (a.first == table.oid && a.second->colname != nullptr && column == a.second->colname)
			return TypeOid(a.second->typeName);
	Oid type = InvalidOid;
	const char *name = column.c_str();
	Oid relid = table.oid;
	PgCall([&] {
		AttrNumber attnum = get_attnum(relid, name);
		if (attnum > 0)
			type = get_atttype(relid, attnum);
	});
	return type;
}

/* The primary key columns of a table (body definition or catalog). */
std::vector<std::string>
Linter::PrimaryKey(const TableRef &table) const
{
	if (table.created >= 0)
		return created_[table.created].primary_key;
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

/* Checks one statement, then records what it creates or drops. */
void
Linter::Statement(Node *stmt)
{
	switch (nodeTag(stmt)) {
	case T_CreateStmt:
		CreateTable((CreateStmt *) stmt);
		break;
	case T_AlterTableStmt:
		AlterTable((AlterTableStmt *) stmt);
		break;
	case T_IndexStmt:
		CreateIndex((IndexStmt *) stmt);
		break;
	case T_DropStmt:
		Drop((DropStmt *) stmt);
		break;
	case T_RenameStmt:
		Rename((RenameStmt *) stmt);
		break;
	case T_AlterEnumStmt:
		AlterEnum((AlterEnumStmt *) stmt);
		break;
	case T_LockStmt:
		Lock((LockStmt *) stmt);
		break;
	case T_InsertStmt:
		Insert((InsertStmt *) stmt);
		break;
	case T_CreateSeqStmt: {
		CreateSeqStmt *s = (CreateSeqStmt *) stmt;
		if (!s->if_not_exists)
			RelationExists(s->sequence, "CREATE SEQUENCE", "Use CREATE SEQUENCE IF NOT EXISTS");
		break;
	}
	case T_ViewStmt: {
		ViewStmt *v = (ViewStmt *) stmt;
		if (!v->replace)
			RelationExists(v->view, "CREATE VIEW", "Use CREATE OR REPLACE VIEW");
		break;
	}
	case T_CreateTableAsStmt: {
		CreateTableAsStmt *c = (CreateTableAsStmt *) stmt;
		if (c->into == nullptr || c->into->rel == nullptr)
			break;
		bool matview = c->objtype == OBJECT_MATVIEW;
		if (!c->if_not_exists)
			RelationExists(c->into->rel, matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS",
			               matview ? "Use CREATE MATERIALIZED VIEW IF NOT EXISTS" : "Use CREATE TABLE IF NOT EXISTS");
		BodyTable t;
		t.schema = Str(c->into->rel->schemaname);
		t.name = Str(c->into->rel->relname);
		created_.push_back(std::move(t));
		break;
	}
	case T_CreateEnumStmt: {
		TypeExists(((CreateEnumStmt *) stmt)->typeName, "CREATE TYPE ... AS ENUM");
		break;
	}
	case T_CompositeTypeStmt: {
		RangeVar *rv = ((CompositeTypeStmt *) stmt)->typevar;
		List *names = NIL;
		PgCall([&] {
			names = rv->schemaname ? list_make2(makeString(rv->schemaname), makeString(rv->relname))
			                       : list_make1(makeString(rv->relname));
		});
		TypeExists(names, "CREATE TYPE ... AS");
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
			Add(kL015,
			    "schema " + Ident(name) +
			        " already exists (created outside migrations?), so CREATE SCHEMA fails",
			    "Use CREATE SCHEMA IF NOT EXISTS if this revision adopts a schema created by hand, or drop the "
			    "stray schema first.");
		break;
	}
	default:
		break;
	}
}

/* CREATE TABLE: L015, L013 for its foreign keys; records the table. */
void
Linter::CreateTable(CreateStmt *stmt)
{
	RangeVar *rv = stmt->relation;
	if (!stmt->if_not_exists && rv->relpersistence != RELPERSISTENCE_TEMP)
		RelationExists(rv, "CREATE TABLE", "Use CREATE TABLE IF NOT EXISTS");

	/* Record it first: a foreign key may reference the table itself. */
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
	created_.push_back(std::move(t));
	TableRef self;
	self.created = (int) created_.size() - 1;
	self.display = WrittenName(rv);

	foreach (lc, stmt->tableElts) {
		Node *e = (Node *) lfirst(lc);
		if (IsA(e, ColumnDef)) {
			ColumnDef *col = (ColumnDef *) e;
			Constraint *fk = FindConstraint(col, CONSTR_FOREIGN);
			if (fk != nullptr && col->colname != nullptr)
				ForeignKey(self, {col->colname}, fk);
		} else if (IsA(e, Constraint) && ((Constraint *) e)->contype == CONSTR_FOREIGN)
			ForeignKey(self, Names(((Constraint *) e)->fk_attrs), (Constraint *) e);
	}
}

/* ALTER TABLE: one check per subcommand. */
void
Linter::AlterTable(AlterTableStmt *stmt)
{
	if (stmt->objtype != OBJECT_TABLE)
		return;
	TableRef table = Resolve(stmt->relation);
	ListCell *lc;
	foreach (lc, stmt->cmds) {
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		switch (cmd->subtype) {
		case AT_AddColumn:
			if (cmd->def != nullptr && IsA(cmd->def, ColumnDef))
				AddColumn(table, (ColumnDef *) cmd->def);
			break;
		case AT_AddConstraint:
			if (cmd->def != nullptr && IsA(cmd->def, Constraint))
				AddConstraint(table, (Constraint *) cmd->def);
			break;
		case AT_AlterColumnType:
			if (table.Existing())
				AlterColumnType(table, cmd);
			break;
		case AT_SetNotNull:
			if (table.Existing())
				Add(kL006,
				    "ALTER COLUMN " + Quoted(cmd->name) + " SET NOT NULL on existing table " + table.display +
				        " scans every row under an ACCESS EXCLUSIVE lock",
				    "Add CHECK (" + Ident(cmd->name) +
				        " IS NOT NULL) NOT VALID, VALIDATE CONSTRAINT it (no write lock), then SET NOT NULL (no scan "
				        "once a valid check proves it) and drop the check.");
			break;
		case AT_DropColumn:
			if (table.created < 0)
				Add(kL008,
				    "DROP COLUMN " + Quoted(cmd->name) + " of table " + table.display +
				        " breaks every running application version that still reads or writes the column",
				    "First deploy an application that no longer uses the column, then drop it in a later "
				    "revision.");
			break;
		default:
			break;
		}
	}
}

/* ADD COLUMN: L001, L002, L005 (column REFERENCES) on an existing table,
 * L013 for a column REFERENCES anywhere; records the column. */
void
Linter::AddColumn(const TableRef &table, ColumnDef *col)
{
	std::string column = Quoted(col->colname);
	Constraint *fk = FindConstraint(col, CONSTR_FOREIGN);
	if (table.Existing()) {
		Constraint *dflt = FindConstraint(col, CONSTR_DEFAULT);
		Constraint *identity = FindConstraint(col, CONSTR_IDENTITY);
		Constraint *generated = FindConstraint(col, CONSTR_GENERATED);
		bool serial = IsSerial(col->typeName);
		bool has_default = dflt != nullptr && !IsNullConstant(dflt->raw_expr);
		bool primary = FindConstraint(col, CONSTR_PRIMARY) != nullptr;
		bool not_null = FindConstraint(col, CONSTR_NOTNULL) != nullptr || primary;

		if (not_null && !has_default && identity == nullptr && generated == nullptr && !serial)
			Add(kL001,
			    "ADD COLUMN " + column + (primary ? " PRIMARY KEY (so NOT NULL)" : " NOT NULL") +
			        " without DEFAULT on existing table " + table.display + " fails as soon as the table has a row",
			    "Add the column with a constant DEFAULT (no rewrite since PostgreSQL 11), or add it nullable, "
			    "backfill it, then SET NOT NULL.");

		std::string rewrite_hint = "Add the column without a default (or with a constant one), set the default for "
		                           "new rows with ALTER COLUMN ... SET DEFAULT, and backfill existing rows in batches.";
		if (has_default) {
			char *volatile_call = nullptr;
			Node *expr = dflt->raw_expr;
			PgCall([&] { FindVolatileCallC(expr, &volatile_call); });
			if (volatile_call != nullptr)
				Add(kL002,
				    "ADD COLUMN " + column + " with a DEFAULT calling volatile function " + volatile_call +
				        "() rewrites existing table " + table.display + " under an ACCESS EXCLUSIVE lock",
				    rewrite_hint);
		}
		if (serial)
			Add(kL002,
			    "ADD COLUMN " + column + " of type " + Str(strVal(llast(col->typeName->names))) +
			        " (a nextval() default) rewrites existing table " + table.display +
			        " under an ACCESS EXCLUSIVE lock",
			    rewrite_hint);
		if (identity != nullptr)
			Add(kL002,
			    "ADD COLUMN " + column + " GENERATED AS IDENTITY rewrites existing table " + table.display +
			        " under an ACCESS EXCLUSIVE lock to number its rows",
			    rewrite_hint);
		if (generated != nullptr)
			Add(kL002,
			    "ADD COLUMN " + column + " GENERATED ALWAYS AS (...) STORED rewrites existing table " +
			        table.display + " under an ACCESS EXCLUSIVE lock",
			    "Add a plain nullable column, fill it in batches and keep it current with a trigger, or accept the "
			    "rewrite in a maintenance window.");
		if (fk != nullptr && !fk->skip_validation)
			Add(kL005,
			    "ADD COLUMN " + column + " REFERENCES " + Resolve(fk->pktable).display + " on existing table " +
			        table.display + " adds a foreign key while blocking writes to both tables",
			    "Add the column without REFERENCES, then ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ... NOT "
			    "VALID, and VALIDATE CONSTRAINT it in a later statement (no write lock).");
	}
	if (fk != nullptr && col->colname != nullptr)
		ForeignKey(table, {col->colname}, fk);
	if (table.created >= 0)
		created_[table.created].columns.push_back(col);
	else if (OidIsValid(table.oid))
		added_columns_.emplace_back(table.oid, col);
}

/* ADD CONSTRAINT: L005 for FOREIGN KEY / CHECK without NOT VALID on an
 * existing table, L013 for a foreign key. */
void
Linter::AddConstraint(const TableRef &table, Constraint *con)
{
	std::string name = con->conname ? " " + Quoted(con->conname) : std::string();
	if (table.Existing() && !con->skip_validation) {
		if (con->contype == CONSTR_FOREIGN)
			Add(kL005,
			    "ADD CONSTRAINT" + name + " FOREIGN KEY on existing table " + table.display +
			        " without NOT VALID checks every row while blocking writes to it and to " +
			        Resolve(con->pktable).display,
			    "Add the constraint with NOT VALID (new rows are checked at once), then ALTER TABLE ... VALIDATE "
			    "CONSTRAINT in a later statement or revision: validation blocks no writes.");
		else if (con->contype == CONSTR_CHECK)
			Add(kL005,
			    "ADD CONSTRAINT" + name + " CHECK on existing table " + table.display +
			        " without NOT VALID scans every row under an ACCESS EXCLUSIVE lock",
			    "Add the constraint with NOT VALID (new rows are checked at once), then ALTER TABLE ... VALIDATE "
			    "CONSTRAINT in a later statement or revision: validation blocks no writes.");
	}
	if (con->contype == CONSTR_FOREIGN)
		ForeignKey(table, Names(con->fk_attrs), con);
}

/*
 * ALTER COLUMN TYPE on an existing table: L003 unless PostgreSQL can skip
 * the rewrite (no USING, and a binary-coercible change without a length
 * limit, or a longer varchar limit).
 */
void
Linter::AlterColumnType(const TableRef &table, AlterTableCmd *cmd)
{
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
	Add(kL003,
	    "ALTER COLUMN " + Quoted(cmd->name) + " TYPE " + TypeNameDisplay(def->typeName) + from +
	        (using_expr ? " USING ..." : "") + " on existing table " + table.display +
	        " rewrites the table and its indexes under an ACCESS EXCLUSIVE lock",
	    "Add a column of the new type, fill it in batches (a trigger keeps it current), switch the application "
	    "over, then drop the old column in a later revision.");
}

/* CREATE INDEX: L004 without CONCURRENTLY on an existing table, L015 when
 * the index name is taken. */
void
Linter::CreateIndex(IndexStmt *stmt)
{
	TableRef table = Resolve(stmt->relation);
	if (!table.Existing())
		return;
	if (!stmt->concurrent) {
		bool partitioned = RelKind(table.oid) == RELKIND_PARTITIONED_TABLE;
		Add(kL004,
		    "CREATE INDEX on existing table " + table.display +
		        " without CONCURRENTLY blocks writes to it while the index builds",
		    partitioned ? "A partitioned table cannot be indexed concurrently: CREATE INDEX ... ON ONLY the parent, "
		                  "CREATE INDEX CONCURRENTLY on each partition, then ALTER INDEX ... ATTACH PARTITION."
		                : "Use CREATE INDEX CONCURRENTLY name ON ... in a revision of its own (the pgmig client runs "
		                  "it outside a transaction).");
	}
	if (stmt->idxname != nullptr && !stmt->if_not_exists) {
		Oid relid = table.oid;
		const char *idxname = stmt->idxname;
		Oid existing = InvalidOid;
		PgCall([&] { existing = get_relname_relid(idxname, get_rel_namespace(relid)); });
		if (OidIsValid(existing))
			Add(kL015,
			    std::string(RelKindName(RelKind(existing))) + " " + RelationName(existing) +
			        " already exists (created outside migrations?), so CREATE INDEX fails",
			    "Use CREATE INDEX IF NOT EXISTS if this revision adopts an index created by hand, or drop the stray "
			    "index first.");
	}
}

/* DROP TABLE: L007 for every table not created in the body; records the
 * drops. */
void
Linter::Drop(DropStmt *stmt)
{
	if (stmt->removeType != OBJECT_TABLE)
		return;
	ListCell *lc;
	foreach (lc, stmt->objects) {
		List *names = (List *) lfirst(lc);
		if (list_length(names) > 3)
			continue; /* makeRangeVarFromNameList would raise; so will the DROP */
		RangeVar *rv = nullptr;
		PgCall([&] { rv = makeRangeVarFromNameList(names); });
		TableRef table = Resolve(rv);
		if (table.created < 0)
			Add(kL007,
			    "DROP TABLE " + table.display +
			        " breaks every running application version that still reads or writes it",
			    "First deploy an application that no longer uses the table, then drop it in a later revision "
			    "(renaming it first makes a forgotten use fail early and is easy to undo).");
		else
			created_.erase(created_.begin() + table.created);
		dropped_.emplace_back(Str(rv->schemaname), Str(rv->relname));
	}
}

/* ALTER TABLE RENAME TO (L009) and RENAME COLUMN (L010). */
void
Linter::Rename(RenameStmt *stmt)
{
	if (stmt->renameType == OBJECT_TABLE) {
		TableRef table = Resolve(stmt->relation);
		if (table.created >= 0) {
			created_[table.created].name = Str(stmt->newname);
			return;
		}
		Add(kL009,
		    "RENAME of table " + table.display + " to " + Ident(stmt->newname) +
		        " breaks the running application in a blue-green deploy",
		    "Keep the old name working while both application versions run: rename, then CREATE VIEW old_name AS "
		    "SELECT * FROM new_name (simple views are updatable), and drop the view in a later revision.");
	} else if (stmt->renameType == OBJECT_COLUMN && stmt->relationType == OBJECT_TABLE) {
		TableRef table = Resolve(stmt->relation);
		if (table.created >= 0)
			return;
		Add(kL010,
		    "RENAME COLUMN " + Quoted(stmt->subname) + " of table " + table.display + " to " +
		        Quoted(stmt->newname) + " breaks the running application in a blue-green deploy",
		    "Add the new column, write both and backfill, move the application to the new one, then drop the old "
		    "column in a later revision.");
	}
}

/* ALTER TYPE ... ADD VALUE: remembers the value for L011. */
void
Linter::AlterEnum(AlterEnumStmt *stmt)
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
	enum_values_.push_back({stmt->newVal, display, statement_});
}

/* L011: a string constant of the current statement equal to an enum value
 * added earlier in the body (55P04 "unsafe use of new value"). */
void
Linter::EnumValuesUsed(std::size_t from, std::size_t to)
{
	std::set<std::string> reported;
	for (const auto &s : strings_) {
		if (s.offset < from || s.offset >= to)
			continue;
		for (const auto &v : enum_values_) {
			if (v.label != s.value || v.statement >= statement_ || reported.count(v.type + "." + v.label))
				continue;
			reported.insert(v.type + "." + v.label);
			Add(kL011,
			    "'" + v.label + "' was added to enum type " + v.type + " by statement " +
			        std::to_string(v.statement) +
			        " of this body; using it before that transaction commits fails with 55P04 (unsafe use of new "
			        "value)",
			    "Move ALTER TYPE ... ADD VALUE into an earlier revision: the pgmig client commits each revision in "
			    "its own transaction (unless --atomic).");
		}
	}
}

/* LOCK TABLE ... IN ACCESS EXCLUSIVE MODE (the default mode): L012. */
void
Linter::Lock(LockStmt *stmt)
{
	if (stmt->mode != AccessExclusiveLock)
		return;
	ListCell *lc;
	foreach (lc, stmt->relations) {
		TableRef table = Resolve((RangeVar *) lfirst(lc));
		if (table.created >= 0)
			continue;
		Add(kL012,
		    "LOCK TABLE " + table.display +
		        " IN ACCESS EXCLUSIVE MODE blocks every read and write of it until the revision commits",
		    "Take the weakest mode that protects what the revision does (SHARE ROW EXCLUSIVE still allows reads), "
		    "and keep the revision short.");
	}
}

/* INSERT INTO an existing table with a column list (or DEFAULT VALUES)
 * that leaves out a NOT NULL column without a default: L014. */
void
Linter::Insert(InsertStmt *stmt)
{
	bool default_values = stmt->selectStmt == nullptr;
	if (stmt->cols == NIL && !default_values)
		return;
	TableRef table = Resolve(stmt->relation);
	if (!table.Existing())
		return;
	char kind = RelKind(table.oid);
	if (kind != RELKIND_RELATION && kind != RELKIND_PARTITIONED_TABLE)
		return;
	std::set<std::string> given;
	ListCell *lc;
	foreach (lc, stmt->cols) {
		ResTarget *rt = (ResTarget *) lfirst(lc);
		if (rt->name != nullptr)
			given.insert(rt->name);
	}
	List *required = NIL;
	Oid relid = table.oid;
	PgCall([&] { required = RequiredColumnsC(relid); });
	foreach (lc, required) {
		const char *col = (const char *) lfirst(lc);
		if (given.count(col) != 0)
			continue;
		Add(kL014,
		    "INSERT INTO " + table.display + (default_values ? " DEFAULT VALUES" : "") + " leaves out column " +
		        Quoted(col) + ", which is NOT NULL without a default, so the statement fails",
		    "Give the column a value in the INSERT, or give it a DEFAULT first.");
	}
}

/* L015 for a relation-creating statement: the name resolves now. */
void
Linter::RelationExists(RangeVar *rv, const char *what, const char *hint)
{
	if (rv == nullptr || DroppedInBody(rv))
		return;
	Oid oid = InvalidOid;
	PgCall([&] { oid = LookupRelationC(rv); });
	if (!OidIsValid(oid))
		return;
	Add(kL015,
	    std::string(RelKindName(RelKind(oid))) + " " + RelationName(oid) +
	        " already exists (created outside migrations?), so " + what + " fails",
	    std::string(hint) + " if this revision adopts an object created by hand, or drop or rename the existing one "
	                        "first.");
}

/* L015 for CREATE TYPE (enum, composite): the type name resolves now. */
void
Linter::TypeExists(List *names, const char *what)
{
	TypeName *tn = nullptr;
	PgCall([&] { tn = makeTypeNameFromNameList(names); });
	Oid type = TypeOid(tn);
	if (!OidIsValid(type))
		return;
	Add(kL015,
	    "type " + TypeDisplay(type) + " already exists (created outside migrations?), so " + what + " fails",
	    "CREATE TYPE has no IF NOT EXISTS: drop the stray type first, or leave its creation out of this revision if "
	    "it already matches.");
}

/*
 * L013: each referencing column's type against the referenced column's,
 * when both are known (from the catalog or from definitions earlier in the
 * body).  Domains count as their base types.
 */
void
Linter::ForeignKey(const TableRef &table, const std::vector<std::string> &fk_columns, Constraint *con)
{
	if (con->pktable == nullptr)
		return;
	TableRef ref = Resolve(con->pktable);
	std::vector<std::string> pk_columns = Names(con->pk_attrs);
	if (pk_columns.empty())
		pk_columns = PrimaryKey(ref);
	if (pk_columns.size() != fk_columns.size())
		return;
	for (std::size_t i = 0; i < fk_columns.size(); i++) {
		Oid fk_type = ColumnType(table, fk_columns[i]);
		Oid pk_type = ColumnType(ref, pk_columns[i]);
		if (!OidIsValid(fk_type) || !OidIsValid(pk_type) || BaseType(fk_type) == BaseType(pk_type))
			continue;
		Add(kL013,
		    "foreign key column " + Quoted(fk_columns[i].c_str()) + " of table " + table.display + " is " +
		        TypeText(fk_type) + " but the referenced column " + Quoted(pk_columns[i].c_str()) + " of table " +
		        ref.display + " is " + TypeText(pk_type),
		    "Declare the referencing column with the referenced column's type (" + TypeText(pk_type) +
		        "): a narrower type overflows as keys grow, and every check compares across types.");
	}
}

/* Scans the body's tokens, checks each statement (raw: one RawStmt per
 * parsed statement), then drops suppressed findings and sorts the rest. */
std::vector<LintFinding>
Linter::Run(List *raw)
{
	/* Tokens: string constants for L011, gaps for suppression comments. */
	int ntokens = 0;
	ScannedToken *tokens = nullptr;
	const char *text = body_.c_str();
	PgCall([&] { tokens = ScanTokensC(text, &ntokens); });
	std::vector<Directive> directives;
	std::size_t gap_start = 0;
	for (int i = 0; i <= ntokens; i++) {
		std::size_t gap_end = i < ntokens ? (std::size_t) tokens[i].start : body_.size();
		if (gap_end > gap_start)
			DirectivesInGap(body_, gap_start, gap_end, &directives);
		if (i < ntokens) {
			gap_start = (std::size_t) tokens[i].end;
			if (tokens[i].sconst != nullptr)
				strings_.push_back({(std::size_t) tokens[i].start, tokens[i].sconst});
		}
	}

	int number = 0;
	ListCell *lc;
	foreach (lc, raw) {
		RawStmt *rs = (RawStmt *) lfirst(lc);
		statement_ = ++number;
		const BodyStatement &st = parsed_.statements[number - 1];
		CheckForInterrupts();
		if (!enum_values_.empty() && !IsA(rs->stmt, AlterEnumStmt) && !IsA(rs->stmt, CommentStmt))
			EnumValuesUsed(st.offset, st.offset + st.length);
		Statement(rs->stmt);
	}

	/* Suppressions: a directive covers the next statement after it, or the
	 * whole body. */
	std::set<int> whole_file;
	std::set<std::pair<int, int>> per_statement; /* (statement, rule) */
	for (const auto &d : directives) {
		if (d.whole_file) {
			whole_file.insert(d.rules.begin(), d.rules.end());
			continue;
		}
		for (std::size_t s = 0; s < parsed_.statements.size(); s++)
			if (parsed_.statements[s].offset > d.offset) {
				for (int r : d.rules)
					per_statement.insert({(int) s + 1, r});
				break;
			}
	}
	std::vector<LintFinding> out;
	for (auto &f : findings_) {
		int r = RuleByWord(f.rule);
		if (whole_file.count(r) == 0 && per_statement.count({f.statement, r}) == 0)
			out.push_back(std::move(f));
	}
	std::stable_sort(out.begin(), out.end(), [](const LintFinding &a, const LintFinding &b) {
		return a.statement != b.statement ? a.statement < b.statement : a.rule < b.rule;
	});
	return out;
}

} // namespace

/* See lint.hpp. */
std::vector<LintFinding>
LintBody(const std::string &revision, const char *which, const std::string &body)
{
	LintMemory memory;
	ParsedBody parsed = ParseBody(revision, which, body, true);
	if (parsed.statements.empty())
		return {};
	List *raw = NIL;
	const char *text = body.c_str();
	PgCall([&] { raw = raw_parser(text, RAW_PARSE_DEFAULT); });
	if ((std::size_t) list_length(raw) != parsed.statements.size())
		throw PgmigError(ERRCODE_INTERNAL_ERROR, "pgmig lint: the body parsed into a different number of statements");
	Linter linter(body, parsed);
	return linter.Run(raw);
}

} // namespace pgmig
