/*
 * extension/src/lint/l004_index_without_concurrently.cpp
 *
 * L004 index-without-concurrently (warning): CREATE INDEX without
 * CONCURRENTLY on an existing table blocks writes to it while the index
 * builds.  A partitioned table cannot be indexed concurrently; the hint
 * then gives the ON ONLY / ATTACH PARTITION route.
 *
 * docs/lint.md has its section; l004_index_without_concurrently.cases.sql
 * beside this file holds the bodies it fires on and the safe forms it does
 * not.  Reads the table's relkind through the syscache; no lock on user
 * relations.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <string>

#include "lint/catalog.hpp"
#include "lint/context.hpp"
#include "lint/registry.hpp"
#include "lint/rule.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_class.h"
}

namespace pgmig::lint {

namespace {

const char kHint[] = "Use CREATE INDEX CONCURRENTLY name ON ... in a revision of its own (the pgmig client runs "
                     "it outside a transaction).";
const char kPartitionedHint[] = "A partitioned table cannot be indexed concurrently: CREATE INDEX ... ON ONLY the "
                                "parent, CREATE INDEX CONCURRENTLY on each partition, then ALTER INDEX ... ATTACH "
                                "PARTITION.";

/* CREATE INDEX without CONCURRENTLY on an existing table. */
void
CheckStatement(LintContext &cx, Node *stmt)
{
	if (!IsA(stmt, IndexStmt))
		return;
	IndexStmt *index = (IndexStmt *) stmt;
	TableRef table = cx.Resolve(index->relation);
	if (!table.Existing() || index->concurrent)
		return;
	bool partitioned = RelKind(table.oid) == RELKIND_PARTITIONED_TABLE;
	cx.Add(kL004IndexWithoutConcurrently,
	       "CREATE INDEX on existing table " + table.display +
	           " without CONCURRENTLY blocks writes to it while the index builds",
	       partitioned ? kPartitionedHint : kHint);
}

} // namespace

const LintRule kL004IndexWithoutConcurrently = {
	"L004", "index-without-concurrently", "warning", CheckStatement, nullptr, nullptr, nullptr, nullptr,
};

} // namespace pgmig::lint
