/*
 * extension/src/schema.hpp
 *
 * mig_schema(): the database's schema as SQL, one block of statements per
 * object, sorted for a reader and loadable in that order (issue 18).  It is
 * what the client writes to the schema file, and what it compares between
 * a database and the schema its migrations build in a shadow database.
 *
 * Design.  One query lists the blocks in PostgreSQL's own words
 * (pg_get_functiondef, pg_get_viewdef, pg_get_constraintdef,
 * pg_get_indexdef, pg_get_triggerdef, pg_get_ruledef,
 * pg_get_statisticsobjdef, pg_get_expr, format_type) over the objects
 * mig_fingerprint sees, and collations, extended statistics, rules, replica
 * identity and column privileges: no OIDs, no owners, no tablespaces;
 * privileges as GRANT and REVOKE, comments as COMMENT ON.  Objects that
 * another statement creates (the index of a primary key, a partition's copy
 * of its parent's constraints, indexes and triggers, an identity column's
 * sequence, an array type) have no block of their own.  Three small
 * queries give what the order needs: which catalog rows belong to which
 * block (a default to its table, a view's rule to the view, a domain's
 * constraint to the domain), the comments, and pg_depend's edges between
 * blocks; the core's LoadOrder (schema_order.hpp) then sorts.  The text
 * does not depend on the session: the SQL function pins search_path,
 * DateStyle, IntervalStyle, TimeZone, extra_float_digits, bytea_output and
 * quote_all_identifiers (pgmig--0.7--0.8.sql).
 *
 * Not rendered (the environment, or out of a schema file's scope): owners,
 * tablespaces, statistics targets and storage, access methods, operators,
 * casts, text search configurations, publications, foreign servers,
 * whether a materialized view is populated.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_SCHEMA_HPP
#define PGMIG_SCHEMA_HPP

#include <vector>

#include "spi.hpp"

namespace pgmig {

/* Rows (kind, identity, statement) of the whole schema, in load order. */
std::vector<Row> SchemaRows();

} // namespace pgmig

#endif /* PGMIG_SCHEMA_HPP */
