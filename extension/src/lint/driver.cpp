/*
 * extension/src/lint/driver.cpp
 *
 * The linter's driver (lint.hpp): parses the body, walks its statements,
 * hands each statement and its parts to the rules of the registry, records
 * what the statement does, then applies the suppression directives and
 * orders the findings.
 *
 * Design:
 *  - The body is parsed twice with the server's grammar: once by ParseBody,
 *    which validates it and gives each statement's number and line (and
 *    raises the upload's own error for a body that does not parse), and once
 *    here with raw_parser for the parse trees, one RawStmt per BodyStatement.
 *    The body's tokens (scan.cpp) give the string constants (L011) and the
 *    suppression directives.
 *  - For each statement, in the body's order: a CREATE TABLE or CREATE
 *    TABLE AS records its table first (a foreign key may reference the
 *    table itself); every rule's statement hook runs; ALTER TABLE hands each
 *    subcommand to the add_column, add_constraint and alter_table_cmd hooks
 *    and records an added or dropped column before the next subcommand;
 *    DROP TABLE hands each table to drop_table and records the drop before
 *    the next (other DROPs of relations are recorded); then a rename or an
 *    added enum value is recorded.  So a hook sees what earlier statements
 *    (and earlier subcommands) did, not what its own statement does, except
 *    a CREATE TABLE's own table.
 *  - Findings are ordered by statement, then rule (a stable sort: a rule's
 *    findings for one statement keep the order its hook made them in).
 *  - Never executes the body, writes nothing; no lock on user relations
 *    (catalog.cpp).  All parse trees and lookups live in a private memory
 *    context deleted at the end, so linting many bodies in one call (upload
 *    batches) does not accumulate memory.  Every PostgreSQL call is inside
 *    PgCall and every PgCall lambda is C-only (guards.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <cstddef>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "body.hpp"
#include "guards.hpp"
#include "lint.hpp"
#include "lint/context.hpp"
#include "lint/registry.hpp"
#include "lint/scan.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/namespace.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "nodes/parsenodes.h"
#include "nodes/pg_list.h"
#include "parser/parser.h"
#include "utils/memutils.h"
}

namespace pgmig {

namespace lint {

namespace {

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

/* ALTER TABLE of a table: each subcommand to the rules, then an added or
 * dropped column is recorded before the next subcommand. */
void
AlterTable(LintContext &cx, AlterTableStmt *stmt)
{
	if (stmt->objtype != OBJECT_TABLE)
		return;
	TableRef table = cx.Resolve(stmt->relation);
	ListCell *lc;
	foreach (lc, stmt->cmds) {
		AlterTableCmd *cmd = (AlterTableCmd *) lfirst(lc);
		ColumnDef *col = cmd->subtype == AT_AddColumn && cmd->def != nullptr && IsA(cmd->def, ColumnDef)
		                     ? (ColumnDef *) cmd->def
		                     : nullptr;
		Constraint *con = cmd->subtype == AT_AddConstraint && cmd->def != nullptr && IsA(cmd->def, Constraint)
		                      ? (Constraint *) cmd->def
		                      : nullptr;
		for (int r = 0; r < kLintRuleCount; r++) {
			const LintRule &rule = *kLintRules[r];
			if (col != nullptr && rule.add_column != nullptr)
				rule.add_column(cx, table, col);
			if (con != nullptr && rule.add_constraint != nullptr)
				rule.add_constraint(cx, table, con);
			if (rule.alter_table_cmd != nullptr)
				rule.alter_table_cmd(cx, table, cmd);
		}
		/* ADD COLUMN IF NOT EXISTS of a column there is: skipped, nothing changes. */
		bool skipped =
		    col != nullptr && cmd->missing_ok && col->colname != nullptr && cx.FindColumn(table, col->colname).exists;
		if (col != nullptr && !skipped)
			cx.RecordAddColumn(table, col);
		else if (cmd->subtype == AT_DropColumn)
			cx.RecordDropColumn(table, cmd->name);
	}
}

/* DROP TABLE: each table to the rules, then its drop is recorded before
 * the next.  DROP INDEX, SEQUENCE, VIEW, MATERIALIZED VIEW and FOREIGN
 * TABLE: each name is recorded (a dropped materialized view the body
 * created is forgotten, as a table). */
void
DropRelations(LintContext &cx, DropStmt *stmt)
{
	ObjectType type = stmt->removeType;
	if (type != OBJECT_TABLE && type != OBJECT_INDEX && type != OBJECT_SEQUENCE && type != OBJECT_VIEW &&
	    type != OBJECT_MATVIEW && type != OBJECT_FOREIGN_TABLE)
		return;
	ListCell *lc;
	foreach (lc, stmt->objects) {
		List *names = (List *) lfirst(lc);
		if (list_length(names) > 3)
			continue; /* makeRangeVarFromNameList would raise; so will the DROP */
		RangeVar *rv = nullptr;
		PgCall([&] { rv = makeRangeVarFromNameList(names); });
		if (type != OBJECT_TABLE && type != OBJECT_MATVIEW) {
			cx.RecordDropRelation(rv);
			continue;
		}
		TableRef table = cx.Resolve(rv);
		if (type == OBJECT_TABLE)
			for (int r = 0; r < kLintRuleCount; r++)
				if (kLintRules[r]->drop_table != nullptr)
					kLintRules[r]->drop_table(cx, table);
		cx.RecordDropTable(rv, table);
	}
}

/* Checks one statement with every rule and records what it does (see file
 * header for the order). */
void
Statement(LintContext &cx, Node *stmt)
{
	if (IsA(stmt, CreateStmt))
		cx.RecordCreateTable((CreateStmt *) stmt);
	else if (IsA(stmt, CreateTableAsStmt))
		cx.RecordCreateTableAs((CreateTableAsStmt *) stmt);
	for (int r = 0; r < kLintRuleCount; r++)
		if (kLintRules[r]->statement != nullptr)
			kLintRules[r]->statement(cx, stmt);
	switch (nodeTag(stmt)) {
	case T_AlterTableStmt:
		AlterTable(cx, (AlterTableStmt *) stmt);
		break;
	case T_DropStmt:
		DropRelations(cx, (DropStmt *) stmt);
		break;
	case T_RenameStmt:
		cx.RecordRename((RenameStmt *) stmt);
		break;
	case T_AlterEnumStmt:
		cx.RecordEnumValue((AlterEnumStmt *) stmt);
		break;
	default:
		break;
	}
}

/* Scans the body's tokens, checks each statement (raw: one RawStmt per
 * parsed statement), then drops suppressed findings and sorts the rest. */
std::vector<LintFinding>
Run(LintContext &cx, List *raw)
{
	/* Tokens: string constants for L011, gaps for suppression comments. */
	int ntokens = 0;
	ScannedToken *tokens = nullptr;
	const char *text = cx.body.c_str();
	PgCall([&] { tokens = ScanTokensC(text, &ntokens); });
	std::vector<Directive> directives;
	std::size_t gap_start = 0;
	for (int i = 0; i <= ntokens; i++) {
		std::size_t gap_end = i < ntokens ? (std::size_t) tokens[i].start : cx.body.size();
		if (gap_end > gap_start)
			DirectivesInGap(cx.body, gap_start, gap_end, &directives);
		if (i < ntokens) {
			gap_start = (std::size_t) tokens[i].end;
			if (tokens[i].sconst != nullptr)
				cx.strings.push_back({(std::size_t) tokens[i].start, tokens[i].sconst});
		}
	}

	int number = 0;
	ListCell *lc;
	foreach (lc, raw) {
		RawStmt *rs = (RawStmt *) lfirst(lc);
		cx.statement = ++number;
		CheckForInterrupts();
		Statement(cx, rs->stmt);
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
		for (std::size_t s = 0; s < cx.parsed.statements.size(); s++)
			if (cx.parsed.statements[s].offset > d.offset) {
				for (int r : d.rules)
					per_statement.insert({(int) s + 1, r});
				break;
			}
	}
	std::vector<LintFinding> out;
	for (auto &f : cx.findings) {
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

} // namespace lint

/* See lint.hpp. */
std::vector<LintFinding>
LintBody(const std::string &revision, const char *which, const std::string &body)
{
	lint::LintMemory memory;
	ParsedBody parsed = ParseBody(revision, which, body, true);
	if (parsed.statements.empty())
		return {};
	List *raw = NIL;
	const char *text = body.c_str();
	PgCall([&] { raw = raw_parser(text, RAW_PARSE_DEFAULT); });
	if ((std::size_t) list_length(raw) != parsed.statements.size())
		throw PgmigError(ERRCODE_INTERNAL_ERROR, "pgmig lint: the body parsed into a different number of statements");
	lint::LintContext cx(body, parsed);
	return lint::Run(cx, raw);
}

} // namespace pgmig
