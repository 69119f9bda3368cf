/*
 * extension/src/shims.cpp
 *
 * The frame of the SQL-callable functions (see shims.hpp): reading
 * arguments and building result rows from text values.  The functions
 * themselves are in shims_upload.cpp, shims_apply.cpp, shims_inspect.cpp,
 * shims_nontx.cpp and shims_safety.cpp.
 *
 * Locks and catalog rows: none.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "apply.hpp"
#include "errcodes.hpp"
#include "guards.hpp"
#include "lock.hpp"
#include "shims.hpp"
#include "spi.hpp"
#include "sqltext.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
}

namespace pgmig {

/* A text argument, or nullopt for NULL. */
std::optional<std::string>
TextArg(FunctionCallInfo fcinfo, int n)
{
	if (PG_ARGISNULL(n))
		return std::nullopt;
	char *s = nullptr;
	PgCall([&] { s = text_to_cstring(PG_GETARG_TEXT_PP(n)); });
	return std::string(s);
}

/* A text argument that must not be NULL. */
std::string
RequiredText(FunctionCallInfo fcinfo, int n, const char *name)
{
	auto v = TextArg(fcinfo, n);
	if (!v)
		throw PgmigError(ERRCODE_NULL_VALUE_NOT_ALLOWED, std::string("argument \"") + name + "\" must not be NULL");
	return *v;
}

/* A text[] argument (NULL is an empty array; NULL elements are refused). */
std::vector<std::string>
TextArrayArg(FunctionCallInfo fcinfo, int n, const char *name)
{
	std::vector<std::string> out;
	if (PG_ARGISNULL(n))
		return out;
	Datum *elems = nullptr;
	bool *nulls = nullptr;
	int count = 0;
	char **strings = nullptr;
	PgCall([&] {
		ArrayType *arr = PG_GETARG_ARRAYTYPE_P(n);
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &count);
		strings = (char **) palloc0(sizeof(char *) * (count + 1));
		for (int i = 0; i < count; i++)
			if (!nulls[i])
				strings[i] = TextDatumGetCString(elems[i]);
	});
	for (int i = 0; i < count; i++) {
		if (strings[i] == nullptr)
			throw PgmigError(ERRCODE_NULL_VALUE_NOT_ALLOWED,
			                 std::string("argument \"") + name + "\" must not contain NULL elements");
		out.emplace_back(strings[i]);
	}
	return out;
}

/* An optional integer argument: nothing when NULL or not passed (a function
 * declared by an older install script has fewer arguments). */
std::optional<int>
OptionalInt(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return std::nullopt;
	return PG_GETARG_INT32(n);
}

/* The direction argument: 'up' or 'down'. */
bool
DirectionIsDown(FunctionCallInfo fcinfo, int n)
{
	std::string d = RequiredText(fcinfo, n, "direction");
	if (d != "up" && d != "down")
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid direction \"" + d + "\"",
		                 "", "direction is 'up' (apply) or 'down' (downgrade).");
	return d == "down";
}

/* See shims.hpp. */
TargetProjectDirection
ReadTargetProjectDirection(FunctionCallInfo fcinfo)
{
	TargetProjectDirection a;
	a.target = RequiredText(fcinfo, 0, "target");
	Naming(Named("target", a.target), [&] {
		a.project = ProjectArg(fcinfo, 1);
		CheckProject(a.project);
		a.down = DirectionIsDown(fcinfo, 2);
	});
	return a;
}

/* Boolean argument with a default for NULL. */
bool
BoolArg(FunctionCallInfo fcinfo, int n, bool dflt)
{
	return PG_ARGISNULL(n) ? dflt : PG_GETARG_BOOL(n);
}

/* "{a,b}" for ids and labels (they never need quoting). */
std::string
ArrayLiteral(const std::vector<std::string> &items)
{
	std::string s = "{";
	for (std::size_t i = 0; i < items.size(); i++)
		s += (i ? "," : "") + items[i];
	return s + "}";
}

/* The interval literal for a duration in seconds. */
std::string
Seconds(double s)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%.6f seconds", s);
	return buf;
}

/* The C strings of a row of text values (NULL for SQL NULL), for
 * BuildTupleFromCStrings; valid while `row` is. */
std::vector<char *>
CStrings(const Values &row)
{
	std::vector<char *> cstr(row.size());
	for (std::size_t i = 0; i < row.size(); i++)
		cstr[i] = row[i] ? const_cast<char *>(row[i]->c_str()) : nullptr;
	return cstr;
}

/* A single composite result built from text values. */
Datum
OneRow(FunctionCallInfo fcinfo, const Values &row)
{
	std::vector<char *> cstr = CStrings(row);
	char **vals = cstr.data();
	Datum result = (Datum) 0;
	PgCall([&] {
		TupleDesc desc;
		if (get_call_result_type(fcinfo, NULL, &desc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "pgmig: function returning a record called in a context that cannot accept it");
		desc = BlessTupleDesc(desc);
		HeapTuple tuple = BuildTupleFromCStrings(TupleDescGetAttInMetadata(desc), vals);
		result = HeapTupleGetDatum(tuple);
	});
	return result;
}

/* Copies a result Datum out of SPI's memory before SPI_finish frees it. */
Datum
CopyOut(Datum d)
{
	Datum out = (Datum) 0;
	PgCall([&] { out = SPI_datumTransfer(d, false, -1); });
	return out;
}

/* Rows for apply/downgrade. */
void
EmitRuns(ResultSet &rs, const std::vector<RunOutcome> &runs)
{
	for (const auto &r : runs)
		rs.Add({r.revision, std::to_string(r.statements), Seconds(r.seconds), r.xid});
}

/* The project argument (last, default 'default'). */
std::string
ProjectArg(FunctionCallInfo fcinfo, int n)
{
	return RequiredText(fcinfo, n, "project");
}

/* `revision "x"` / `target "x"` for Naming. */
std::string
Named(const char *kind, const std::string &value)
{
	return std::string(kind) + " " + core::QuoteForMessage(value, 200, false);
}

/*
 * The `expected` argument (0.5): a JSON object of revision id -> checksum,
 * or nothing when NULL or not passed (a function declared by an older
 * install script has fewer arguments).
 */
std::optional<Expected>
ExpectedArg(FunctionCallInfo fcinfo, int n)
{
	if (PG_NARGS() <= n || PG_ARGISNULL(n))
		return std::nullopt;
	/* walked in C: the client passes it on every step */
	bool is_object = false;
	char *bad_key = nullptr;
	char **pairs = nullptr;
	int npairs = 0;
	PgCall([&] {
		Jsonb *jb = PG_GETARG_JSONB_P(n);
		if (!JB_ROOT_IS_OBJECT(jb) || JB_ROOT_IS_SCALAR(jb))
			return;
		is_object = true;
		int count = (int) JB_ROOT_COUNT(jb);
		pairs = (char **) palloc0(sizeof(char *) * (2 * count + 2));
		JsonbIterator *it = JsonbIteratorInit(&jb->root);
		JsonbValue v;
		JsonbIteratorToken tok;
		char *key = nullptr;
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE) {
			if (tok == WJB_KEY)
				key = pnstrdup(v.val.string.val, v.val.string.len);
			else if (tok == WJB_VALUE) {
				if (v.type != jbvString) {
					bad_key = key;
					return;
				}
				pairs[2 * npairs] = key;
				pairs[2 * npairs + 1] = pnstrdup(v.val.string.val, v.val.string.len);
				npairs++;
			}
		}
	});
	if (!is_object)
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "argument \"expected\" must be a JSON object",
		                 "It maps revision ids to the checksums of the up bodies the caller pushed: "
		                 "{\"0001_users\": \"<sha-256 in hex>\", ...}.");
	if (bad_key != nullptr)
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE,
		                 std::string("argument \"expected\": the checksum of revision \"") + bad_key + "\" is not a string");
	Expected out;
	for (int k = 0; k < npairs; k++)
		out.emplace(pairs[2 * k], pairs[2 * k + 1]);
	return out;
}

} // namespace pgmig
