/*
 * extension/src/spi.cpp
 *
 * Guarded SPI queries with typed parameters, text results copied into C++
 * strings, and the catalog access scope (see spi.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstdlib>
#include <exception>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "spi.hpp"

extern "C" {
#include "access/xact.h"
#include "catalog/namespace.h"
#include "nodes/makefuncs.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
}

namespace pgmig {

SqlParam
SqlParam::Text(const std::string &s)
{
	SqlParam p;
	p.kind = Kind::kText;
	p.text = s;
	return p;
}

SqlParam
SqlParam::TextOrNull(const std::optional<std::string> &s)
{
	SqlParam p;
	p.kind = Kind::kText;
	p.is_null = !s.has_value();
	if (s)
		p.text = *s;
	return p;
}

SqlParam
SqlParam::TextArray(const std::vector<std::string> &a)
{
	SqlParam p;
	p.kind = Kind::kTextArray;
	p.array = a;
	return p;
}

SqlParam
SqlParam::Bool(bool v)
{
	SqlParam p;
	p.kind = Kind::kBool;
	p.b = v;
	return p;
}

SqlParam
SqlParam::Int4(std::int32_t v)
{
	SqlParam p;
	p.kind = Kind::kInt4;
	p.i = v;
	return p;
}

SqlParam
SqlParam::Int8(std::int64_t v)
{
	SqlParam p;
	p.kind = Kind::kInt8;
	p.i = v;
	return p;
}

SqlParam
SqlParam::Float8(double v)
{
	SqlParam p;
	p.kind = Kind::kFloat8;
	p.f = v;
	return p;
}

/* The type OID of one parameter. */
static Oid
ParamType(const SqlParam &p)
{
	switch (p.kind) {
	case SqlParam::Kind::kText:
		return TEXTOID;
	case SqlParam::Kind::kTextArray:
		return TEXTARRAYOID;
	case SqlParam::Kind::kBool:
		return BOOLOID;
	case SqlParam::Kind::kInt4:
		return INT4OID;
	case SqlParam::Kind::kInt8:
		return INT8OID;
	case SqlParam::Kind::kFloat8:
		return FLOAT8OID;
	}
	return TEXTOID;
}

/* Builds the Datum of one parameter; runs inside PgCall. */
static Datum
ParamDatum(const SqlParam &p, Oid *type)
{
	*type = ParamType(p);
	if (p.is_null)
		return (Datum) 0;
	switch (p.kind) {
	case SqlParam::Kind::kText:
		return PointerGetDatum(cstring_to_text_with_len(p.text.data(), (int) p.text.size()));
	case SqlParam::Kind::kTextArray: {
		int n = (int) p.array.size();
		Datum *elems = (Datum *) palloc(sizeof(Datum) * (n > 0 ? n : 1));
		for (int i = 0; i < n; i++)
			elems[i] = PointerGetDatum(cstring_to_text_with_len(p.array[i].data(), (int) p.array[i].size()));
		return PointerGetDatum(construct_array(elems, n, TEXTOID, -1, false, TYPALIGN_INT));
	}
	case SqlParam::Kind::kBool:
		return BoolGetDatum(p.b);
	case SqlParam::Kind::kInt4:
		return Int32GetDatum((int32) p.i);
	case SqlParam::Kind::kInt8:
		return Int64GetDatum(p.i);
	case SqlParam::Kind::kFloat8:
		return Float8GetDatum(p.f);
	}
	return (Datum) 0;
}

/* The parameters as SPI takes them (types, values, nulls), palloc'd;
 * runs inside PgCall. */
static void
ParamArrays(const std::vector<SqlParam> &params, Oid **types, Datum **values, char **nulls)
{
	int nargs = (int) params.size();
	*types = (Oid *) palloc(sizeof(Oid) * (nargs > 0 ? nargs : 1));
	*values = (Datum *) palloc(sizeof(Datum) * (nargs > 0 ? nargs : 1));
	*nulls = (char *) palloc(nargs + 1);
	for (int i = 0; i < nargs; i++) {
		(*values)[i] = ParamDatum(params[i], &(*types)[i]);
		(*nulls)[i] = params[i].is_null ? 'n' : ' ';
	}
	(*nulls)[nargs] = '\0';
}

/* One row from its ncols C strings (NULL for a null value); outside PgCall. */
static Row
RowOf(char *const *cells, int ncols)
{
	Row row;
	row.reserve(ncols);
	for (int c = 0; c < ncols; c++)
		row.push_back(cells[c] ? Value(std::string(cells[c])) : std::nullopt);
	return row;
}

/*
 * A cell of SpiForEachRow's batch: the value's bytes (data == NULL for a
 * null value) in the batch's memory context.
 */
struct Cell {
	const char *data;
	int len;
};

/*
 * A cell in text form; runs inside PgCall.  A text or varchar value's bytes
 * are its text form, so they are taken as stored (detoasted when needed)
 * rather than copied by the output function; a boolean is "t" or "f", as
 * boolout writes it; any other type goes through its output function.
 */
static Cell
CellOf(HeapTuple tuple, TupleDesc desc, int col)
{
	bool isnull;
	Datum d = heap_getattr(tuple, col + 1, desc, &isnull);
	if (isnull)
		return {nullptr, 0};
	Oid type = TupleDescAttr(desc, col)->atttypid;
	if (type == TEXTOID || type == VARCHAROID) {
		text *t = DatumGetTextPP(d);
		return {VARDATA_ANY(t), (int) VARSIZE_ANY_EXHDR(t)};
	}
	if (type == BOOLOID)
		return {DatumGetBool(d) ? "t" : "f", 1};
	char *s = SPI_getvalue(tuple, desc, col + 1);
	return {s, (int) strlen(s)};
}

/*
 * Saved plans of pgmig's own queries, by query text.  Every writer call runs
 * a dozen fixed catalog queries; parsing and planning them on each call cost
 * more than executing them (the lease check alone expands pg_stat_activity).
 * The plan cache invalidates saved plans on DDL and on a search_path change,
 * and permissions are checked at execution, so a saved plan is as correct as
 * a fresh one.  Bounded: past kMaxSavedPlans, queries are planned each time.
 */
static constexpr std::size_t kMaxSavedPlans = 128;
static std::unordered_map<std::string, SPIPlanPtr> saved_plans;

/* Runs a query with parameters: from a saved plan when cache_plan is set. */
static std::vector<Row>
RunQuery(const char *sql, const std::vector<SqlParam> &params, bool cache_plan)
{
	int nargs = (int) params.size();
	int rc = 0;
	uint64 nrows = 0;
	int ncols = 0;
	char **cells = nullptr;
	std::string key;
	SPIPlanPtr plan = nullptr;
	if (cache_plan) {
		key = sql;
		for (const auto &p : params)
			key += '\x01' + std::to_string((int) p.kind);
		auto it = saved_plans.find(key);
		if (it != saved_plans.end())
			plan = it->second;
		else if (saved_plans.size() >= kMaxSavedPlans)
			cache_plan = false;
	}
	if (cache_plan && plan == nullptr) {
		/* prepared and saved before it runs, so a failing run does not leak it */
		PgCall([&] {
			Oid *types = (Oid *) palloc(sizeof(Oid) * (nargs > 0 ? nargs : 1));
			for (int i = 0; i < nargs; i++)
				types[i] = ParamType(params[i]);
			SPIPlanPtr fresh = SPI_prepare(sql, nargs, types);
			if (fresh == NULL)
				elog(ERROR, "pgmig: SPI_prepare failed: %s", SPI_result_code_string(SPI_result));
			if (SPI_keepplan(fresh) != 0)
				elog(ERROR, "pgmig: SPI_keepplan failed");
			plan = fresh;
			pfree(types);
		});
		saved_plans.emplace(key, plan);
	}

	PgCall([&] {
		Oid *types;
		Datum *values;
		char *nulls;
		ParamArrays(params, &types, &values, &nulls);
		if (plan != nullptr)
			rc = SPI_execute_plan(plan, values, nulls, false, 0);
		else
			rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);
		if (rc >= 0 && SPI_tuptable != NULL) {
			nrows = SPI_processed;
			ncols = SPI_tuptable->tupdesc->natts;
			cells = (char **) palloc0(sizeof(char *) * (nrows * ncols + 1));
			for (uint64 r = 0; r < nrows; r++)
				for (int c = 0; c < ncols; c++)
					cells[r * ncols + c] = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
			SPI_freetuptable(SPI_tuptable);
		}
		pfree(types);
		pfree(values);
		pfree(nulls);
	});
	if (rc < 0)
		throw PgmigError(ERRCODE_INTERNAL_ERROR, std::string("pgmig: SPI failed: ") + SPI_result_code_string(rc),
		                 std::string("query: ") + sql);

	std::vector<Row> rows;
	rows.reserve(nrows);
	for (uint64 r = 0; r < nrows; r++)
		rows.push_back(RowOf(cells + r * ncols, ncols));
	if (cells != nullptr)
		PgCall([&] {
			for (uint64 k = 0; k < nrows * ncols; k++)
				if (cells[k])
					pfree(cells[k]);
			pfree(cells);
		});
	return rows;
}

/*
 * See spi.hpp.  A cursor over the query, fetched kBatch rows at a time; each
 * batch's values are made as C strings in a memory context of their own,
 * copied into the batch's rows outside PgCall (so a C++ allocation never
 * happens under PG_TRY), and the context is reset for the next batch.  So
 * neither the whole SPI tuple table nor all the C strings of a large result
 * exist at once: in a new backend, reading a project of 10,000 revisions
 * spent a quarter of its time faulting in fresh pages for them (about
 * 180 ms of CPU down to 145 ms).
 */
void
SpiForEachRow(const char *sql, const std::vector<SqlParam> &params, const std::function<void(Row &row)> &fn)
{
	constexpr long kBatch = 1000;
	int nargs = (int) params.size();
	Portal portal = nullptr;
	MemoryContext cells_cxt = nullptr;
	SPITupleTable *batch = nullptr; /* the last fetch's rows, which cells point into */
	PgCall([&] {
		Oid *types;
		Datum *values;
		char *nulls;
		ParamArrays(params, &types, &values, &nulls);
		/* not read-only: a new snapshot, as SpiQuery takes (a caller that has
		 * just taken the project lock must see what was committed before) */
		portal = SPI_cursor_open_with_args(nullptr, sql, nargs, types, values, nulls, false, 0);
		cells_cxt = AllocSetContextCreate(CurrentMemoryContext, "pgmig SpiForEachRow", ALLOCSET_DEFAULT_SIZES);
	});
	/* On an error (here or in fn) the portal and the context stay until the
	 * (sub)transaction ends, which drops them; the error aborts it anyway. */
	for (;;) {
		uint64 nrows = 0;
		int ncols = 0;
		Cell *cells = nullptr;
		PgCall([&] {
			if (batch) {
				SPI_freetuptable(batch);
				batch = nullptr;
			}
			MemoryContextReset(cells_cxt);
			SPI_cursor_fetch(portal, true, kBatch);
			if (SPI_tuptable == NULL)
				return;
			batch = SPI_tuptable;
			TupleDesc desc = SPI_tuptable->tupdesc;
			nrows = SPI_processed;
			ncols = desc->natts;
			/* the tuples stay until the next fetch's reset: cells point into them */
			MemoryContext old = MemoryContextSwitchTo(cells_cxt);
			cells = (Cell *) palloc0(sizeof(Cell) * (nrows * ncols + 1));
			for (uint64 r = 0; r < nrows; r++)
				for (int c = 0; c < ncols; c++)
					cells[r * ncols + c] = CellOf(SPI_tuptable->vals[r], desc, c);
			MemoryContextSwitchTo(old);
		});
		if (nrows == 0)
			break;
		Row row;
		for (uint64 r = 0; r < nrows; r++) {
			row.clear();
			row.reserve(ncols);
			for (int c = 0; c < ncols; c++) {
				const Cell &cell = cells[r * ncols + c];
				row.push_back(cell.data ? Value(std::string(cell.data, cell.len)) : std::nullopt);
			}
			fn(row);
		}
	}
	PgCall([&] {
		if (batch)
			SPI_freetuptable(batch);
		SPI_cursor_close(portal);
		MemoryContextDelete(cells_cxt);
	});
}

/* See spi.hpp. */
std::vector<Row>
SpiQuery(const char *sql, const std::vector<SqlParam> &params)
{
	return RunQuery(sql, params, true);
}

/* See spi.hpp. */
std::vector<Row>
SpiQueryOnce(const char *sql, const std::vector<SqlParam> &params)
{
	return RunQuery(sql, params, false);
}

/* See spi.hpp. */
std::vector<std::string>
SplitWords(const Value &v)
{
	std::vector<std::string> out;
	if (!v)
		return out;
	std::size_t i = 0;
	const std::string &s = *v;
	while (i < s.size()) {
		while (i < s.size() && s[i] == ' ')
			i++;
		std::size_t j = i;
		while (j < s.size() && s[j] != ' ')
			j++;
		if (j > i)
			out.emplace_back(s, i, j - i);
		i = j;
	}
	return out;
}

/* Connects SPI. */
SpiConnection::SpiConnection()
{
	PgCall([] {
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "pgmig: SPI_connect failed");
	});
}

/* Disconnects SPI on the success path. */
void
SpiConnection::Finish()
{
	if (finished_)
		return;
	finished_ = true;
	PgCall([] { SPI_finish(); });
}

static Oid cached_owner = InvalidOid;
static LocalTransactionId cached_owner_lxid = InvalidLocalTransactionId;

/* See spi.hpp.  Read through SPI as the current user: pg_extension is
 * readable by everyone. */
Oid
ExtensionOwner()
{
	if (cached_owner_lxid == MyProc->lxid && OidIsValid(cached_owner))
		return cached_owner;
	auto rows = SpiQuery("SELECT e.extowner::pg_catalog.oid FROM pg_catalog.pg_extension e "
	                  "WHERE e.extname OPERATOR(pg_catalog.=) 'pgmig'");
	if (rows.empty() || !rows[0][0])
		throw PgmigError(ERRCODE_UNDEFINED_OBJECT, "extension \"pgmig\" is not installed in this database");
	cached_owner = (Oid) std::strtoul(rows[0][0]->c_str(), nullptr, 10);
	cached_owner_lxid = MyProc->lxid;
	return cached_owner;
}

/* See spi.hpp.  RangeVarGetRelid with missing_ok, as to_regclass does: a
 * schema the user may not use is still an error (42501). */
Oid
LookupRelation(const std::string &schema, const std::string &name)
{
	Oid relid = InvalidOid;
	const char *nsp = schema.empty() ? nullptr : schema.c_str();
	const char *rel = name.c_str();
	PgCall([&] {
		RangeVar *rv = makeRangeVar(const_cast<char *>(nsp), const_cast<char *>(rel), -1);
		relid = RangeVarGetRelid(rv, NoLock, true);
	});
	return relid;
}

/* See spi.hpp. */
Oid
LookupRelationIn(const std::string &nsp, const std::string &name)
{
	Oid relid = InvalidOid;
	const char *n = nsp.c_str();
	const char *r = name.c_str();
	PgCall([&] {
		Oid nspid = get_namespace_oid(n, true);
		if (OidIsValid(nspid))
			relid = get_relname_relid(r, nspid);
	});
	return relid;
}

/* See spi.hpp. */
std::vector<std::string>
RelationSearchPath(Oid user)
{
	UserSwitch as_user(user, SECURITY_LOCAL_USERID_CHANGE);
	char **names = nullptr;
	int n = 0;
	PgCall([&] {
		List *path = fetch_search_path(true);
		names = (char **) palloc0(sizeof(char *) * (list_length(path) + 1));
		ListCell *lc;
		foreach (lc, path) {
			Oid nsp = lfirst_oid(lc);
			if (isAnyTempNamespace(nsp))
				continue;
			char *name = get_namespace_name(nsp);
			if (name != NULL)
				names[n++] = name;
		}
		list_free(path);
	});
	std::vector<std::string> out;
	for (int i = 0; i < n; i++)
		out.emplace_back(names[i]);
	return out;
}

/* See spi.hpp. */
bool
PgmigRelationExists(const char *name)
{
	static LocalTransactionId checked_lxid = InvalidLocalTransactionId;
	static std::map<std::string, bool> present;
	if (checked_lxid != MyProc->lxid) {
		present.clear();
		checked_lxid = MyProc->lxid;
	}
	auto it = present.find(name);
	if (it != present.end())
		return it->second;
	bool exists;
	{
		CatalogScope scope;
		exists = LookupRelation("pgmig", name) != InvalidOid;
	}
	present.emplace(name, exists);
	return exists;
}

/* See spi.hpp. */
bool
PgmigColumnExists(const char *relation, const char *column)
{
	static LocalTransactionId checked_lxid = InvalidLocalTransactionId;
	static std::map<std::string, bool> present;
	if (checked_lxid != MyProc->lxid) {
		present.clear();
		checked_lxid = MyProc->lxid;
	}
	std::string key = std::string(relation) + "." + column;
	auto it = present.find(key);
	if (it != present.end())
		return it->second;
	bool exists = false;
	if (PgmigRelationExists(relation)) {
		Oid relid;
		{
			CatalogScope scope;
			relid = LookupRelation("pgmig", relation);
		}
		PgCall([&] { exists = get_attnum(relid, column) != InvalidAttrNumber; });
	}
	present.emplace(key, exists);
	return exists;
}

/* Opens the catalog scope: owner identity, pinned search_path. */
CatalogScope::CatalogScope()
	: owner_(ExtensionOwner()), uncaught_(std::uncaught_exceptions()), guc_(),
	  user_(owner_, SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION)
{
	guc_.Set("search_path", "pg_catalog, pg_temp", true);
}

/* See spi.hpp.  Neither setting has an assign hook: CloseUnguarded stays
 * safe. */
void
CatalogScope::KeyedPlans()
{
	guc_.Set("plan_cache_mode", "force_generic_plan", true);
	guc_.Set("enable_seqscan", "off", true);
}

/* Undoes the search_path pin on the success path; an error path leaves it
 * to the (sub)transaction abort. */
CatalogScope::~CatalogScope()
{
	if (std::uncaught_exceptions() == uncaught_)
		guc_.CloseUnguarded();
}

} // namespace pgmig
