/*
 * extension/src/spi.hpp
 *
 * A small, guarded SPI layer.  Queries take typed parameters (never pasted
 * into the SQL text) and return every value as text, copied into std::string
 * before the next PostgreSQL call, so no palloc'd result outlives its SPI
 * context and no C++ object lives across an ereport.
 *
 * CatalogScope is the only way pgmig reads or writes its catalog: it switches
 * to the extension owner with SECURITY_RESTRICTED_OPERATION and pins
 * search_path to pg_catalog, pg_temp, so neither the caller's privileges nor
 * its search_path matter to catalog access.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_SPI_HPP
#define PGMIG_SPI_HPP

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "guards.hpp"

namespace pgmig {

/* One query parameter. */
struct SqlParam {
	enum class Kind { kText, kTextArray, kBool, kInt4, kInt8, kFloat8 };
	Kind kind = Kind::kText;
	bool is_null = false;
	std::string text;
	std::vector<std::string> array;
	bool b = false;
	std::int64_t i = 0;
	double f = 0;

	static SqlParam Text(const std::string &s);
	static SqlParam TextOrNull(const std::optional<std::string> &s);
	static SqlParam TextArray(const std::vector<std::string> &a);
	static SqlParam Bool(bool v);
	static SqlParam Int4(std::int32_t v);
	static SqlParam Int8(std::int64_t v);
	static SqlParam Float8(double v);
};

using Value = std::optional<std::string>;
using Row = std::vector<Value>;

/* Runs one statement through SPI; returns its rows as text.  Throws PgError
 * on a PostgreSQL error and PgmigError on an SPI failure code.  The plan is
 * saved and reused by later calls with the same text (spi.cpp): use it for
 * pgmig's fixed queries, and SpiQueryOnce for text built from data. */
std::vector<Row> SpiQuery(const char *sql, const std::vector<SqlParam> &params = {});

/* SpiQuery without saving the plan. */
std::vector<Row> SpiQueryOnce(const char *sql, const std::vector<SqlParam> &params = {});

/* Runs a read-only query and hands each row to fn (which may move its
 * values), a batch at a time, so that a large result is never held whole
 * (spi.cpp).  Errors as SpiQuery. */
void SpiForEachRow(const char *sql, const std::vector<SqlParam> &params, const std::function<void(Row &row)> &fn);

/* Splits a space-separated list (pgmig ids never contain blanks). */
std::vector<std::string> SplitWords(const Value &v);

/* SPI_connect / SPI_finish.  On an error path the transaction abort closes
 * the connection, so the destructor does nothing. */
class SpiConnection {
public:
	SpiConnection();
	void Finish();

private:
	bool finished_ = false;
};

/* See file header. */
class CatalogScope {
public:
	CatalogScope();
	~CatalogScope();
	/* For the queries a writer call runs every time, whose cost must not
	 * follow the size of pgmig's tables: each planned once
	 * (plan_cache_mode force_generic_plan: their arrays of keys are short,
	 * planning would cost more than running), and by index whatever the
	 * planner's statistics say (enable_seqscan off: statistics taken while
	 * a table was small must not turn a probe into a scan). */
	void KeyedPlans();
	CatalogScope(const CatalogScope &) = delete;
	CatalogScope &operator=(const CatalogScope &) = delete;

private:
	Oid owner_;
	int uncaught_;
	GucNestLevel guc_;
	UserSwitch user_;
};

/* The OID of the role that owns the extension (cached per transaction). */
Oid ExtensionOwner();

/* The relation named schema.name (schema may be empty: the session's
 * search_path), looked up in C as the current user, so that no SQL runs
 * under that path; InvalidOid when there is none. */
Oid LookupRelation(const std::string &schema, const std::string &name);

/* The relation `name` in the schema named nsp, by name only (no privilege
 * check, no error): InvalidOid when either does not exist. */
Oid LookupRelationIn(const std::string &nsp, const std::string &name);

/* The schemas, in order, through which an unqualified relation name is
 * resolved for `user` in this session (implicit pg_catalog included,
 * temporary schemas left out). */
std::vector<std::string> RelationSearchPath(Oid user);

/* Whether the relation pgmig.<name> exists, looked up once per transaction as
 * the extension owner: the library also serves databases whose extension is
 * at an older version, without the newer tables. */
bool PgmigRelationExists(const char *name);

/* Whether pgmig.<relation> has the column (cached per transaction, as
 * PgmigRelationExists). */
bool PgmigColumnExists(const char *relation, const char *column);

} // namespace pgmig

#endif /* PGMIG_SPI_HPP */
