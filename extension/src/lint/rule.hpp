/*
 * extension/src/lint/rule.hpp
 *
 * One lint rule: its id, name and severity, and the checks it makes.
 *
 * A rule lives in a file of its own, lNNN_<name>.cpp, which defines one
 * `const LintRule kLNNN...` (id, name, severity, then its hooks in the
 * order below, nullptr for the events it does not look at) and states its
 * hints there.  registry.hpp declares every rule and registry.cpp lists
 * each once; beside the rule,
 * lNNN_<name>.cases.sql holds the bodies it must fire on and the nearby
 * safe forms it must not fire on, and docs/lint.md has a section
 * "## LNNN name (severity)" for it.  test/t/028_lint_registry.pl checks all
 * four agree.
 *
 * The driver (driver.cpp) calls the hooks statement by statement, in the
 * body's order, rules in registry order for each event; a hook reports
 * through LintContext::Add and reads what earlier statements of the body
 * did from the context (context.hpp).  Findings are sorted by statement,
 * then rule, so the order of the hooks of different rules does not show.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_LINT_RULE_HPP
#define PGMIG_LINT_RULE_HPP

extern "C" {
#include "postgres.h"

#include "nodes/parsenodes.h"
}

namespace pgmig::lint {

struct LintContext;
struct TableRef;

struct LintRule {
	const char *id;       /* "L001" */
	const char *name;     /* "not-null-column-without-default" */
	const char *severity; /* "warning" or "error" */

	/* Every statement (RawStmt's stmt), once a CREATE TABLE or CREATE
	 * TABLE AS has recorded its table, before anything else the statement
	 * does is recorded. */
	void (*statement)(LintContext &cx, Node *stmt);
	/* ALTER TABLE (of a table) ADD COLUMN, before the column is recorded. */
	void (*add_column)(LintContext &cx, const TableRef &table, ColumnDef *col);
	/* ALTER TABLE (of a table) ADD CONSTRAINT. */
	void (*add_constraint)(LintContext &cx, const TableRef &table, Constraint *con);
	/* Every subcommand of ALTER TABLE (of a table), after the two above. */
	void (*alter_table_cmd)(LintContext &cx, const TableRef &table, AlterTableCmd *cmd);
	/* DROP TABLE: each table it names, before the drop is recorded. */
	void (*drop_table)(LintContext &cx, const TableRef &table);
};

} // namespace pgmig::lint

#endif /* PGMIG_LINT_RULE_HPP */
