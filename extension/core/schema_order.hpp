/*
 * extension/core/schema_order.hpp
 *
 * The order in which mig_schema lists the objects of a schema: sorted for a
 * reader (by phase, then kind, then identity), and still loadable, because an
 * object never comes before one it depends on.
 *
 * Design.  The server hands over one block per object (its statements) and
 * the dependencies between blocks it found in pg_depend.  The order is
 * Kahn's topological sort in which the next block is always the smallest
 * ready one: with no dependency across phases the result is the plain sort,
 * and a dependency (a view on a view, a table whose default calls a
 * function, a domain over a domain) moves only the blocks it must.  A cycle
 * (which PostgreSQL's own catalogs do not produce between these blocks) is
 * broken at its smallest block, so the function always returns every block
 * once.  Plain C++: the unit tests drive it without a server.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_CORE_SCHEMA_ORDER_HPP
#define PGMIG_CORE_SCHEMA_ORDER_HPP

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace pgmig::core {

/* One object of the schema and the statements that create it. */
struct SchemaBlock {
	int phase = 0;
	std::string kind;
	std::string identity;
	std::string statement;
};

/*
 * The indexes of blocks in load order.  Each pair of needs is (a, b): block
 * a must come after block b.  Pairs naming a block out of range, or a block
 * itself, are ignored.
 */
std::vector<std::size_t> LoadOrder(const std::vector<SchemaBlock> &blocks,
                                   const std::vector<std::pair<std::size_t, std::size_t>> &needs);

} // namespace pgmig::core

#endif /* PGMIG_CORE_SCHEMA_ORDER_HPP */
