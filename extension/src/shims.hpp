/*
 * extension/src/shims.hpp
 *
 * The frame shared by pgmig's SQL-callable functions (shims_*.cpp).  Each
 * one is a thin extern "C" shim: read the arguments, call the engine inside
 * CppEntry (the catch-all that turns C++ exceptions back into PostgreSQL
 * errors), and return rows through a materialized tuplestore built from text
 * values with the result type's input functions.
 *
 * The shims keep the conventions of a PostgreSQL module: every function is
 * declared with PG_FUNCTION_INFO_V1 in an extern "C" block of the file that
 * defines it; a function declared by an older install script may have fewer
 * arguments or result columns, which the readers below allow for.
 *
 * Locks and catalog rows: none here; see the engine header each shim calls.
 *
 * Copyright (c) 2026, pgmig developers
 */
#ifndef PGMIG_SHIMS_HPP
#define PGMIG_SHIMS_HPP

#include <optional>
#include <string>
#include <vector>

#include "apply.hpp"
#include "guards.hpp"
#include "spi.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "funcapi.h"
}

namespace pgmig {

using Values = std::vector<Value>;

/* A text argument, or nullopt for NULL. */
std::optional<std::string> TextArg(FunctionCallInfo fcinfo, int n);

/* A text argument that must not be NULL. */
std::string RequiredText(FunctionCallInfo fcinfo, int n, const char *name);

/* A text[] argument (NULL is an empty array; NULL elements are refused). */
std::vector<std::string> TextArrayArg(FunctionCallInfo fcinfo, int n, const char *name);

/* An optional integer argument: nothing when NULL or not passed. */
std::optional<int> OptionalInt(FunctionCallInfo fcinfo, int n);

/* The direction argument: 'up' or 'down'. */
bool DirectionIsDown(FunctionCallInfo fcinfo, int n);

/* Boolean argument with a default for NULL. */
bool BoolArg(FunctionCallInfo fcinfo, int n, bool dflt);

/* The project argument (last, default 'default'). */
std::string ProjectArg(FunctionCallInfo fcinfo, int n);

/* The arguments (target, project, direction) at 0, 1, 2 of mig_plan and
 * mig_begin_nontx: the project checked, errors naming the target. */
struct TargetProjectDirection {
	std::string target;
	std::string project;
	bool down = false;
};
TargetProjectDirection ReadTargetProjectDirection(FunctionCallInfo fcinfo);

/* The `expected` argument (0.5): revision id -> checksum, or nothing. */
std::optional<Expected> ExpectedArg(FunctionCallInfo fcinfo, int n);

/* "{a,b}" for ids and labels (they never need quoting). */
std::string ArrayLiteral(const std::vector<std::string> &items);

/* The interval literal for a duration in seconds. */
std::string Seconds(double s);

/* The C strings of a row of text values (NULL for SQL NULL). */
std::vector<char *> CStrings(const Values &row);

/* A materialized result set filled from text values. */
class ResultSet {
public:
	explicit ResultSet(FunctionCallInfo fcinfo)
	{
		PgCall([&] {
			InitMaterializedSRF(fcinfo, 0);
			ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
			store_ = rsinfo->setResult;
			meta_ = TupleDescGetAttInMetadata(rsinfo->setDesc);
			natts_ = rsinfo->setDesc->natts;
		});
	}

	/* Adds one row; values are converted by the column types' input functions. */
	void Add(const Values &row)
	{
		/* Extra trailing values are for columns a function declared by an
		 * older install script does not have (mig_apply's xid in 0.1). */
		if (row.size() < (std::size_t) natts_)
			throw PgmigError(ERRCODE_INTERNAL_ERROR, "pgmig: result row has too few columns");
		std::vector<char *> cstr = CStrings(row);
		char **vals = cstr.data();
		PgCall([&] {
			HeapTuple tuple = BuildTupleFromCStrings(meta_, vals);
			tuplestore_puttuple(store_, tuple);
			heap_freetuple(tuple);
		});
	}

private:
	Tuplestorestate *store_ = nullptr;
	AttInMetadata *meta_ = nullptr;
	int natts_ = 0;
};

/*
 * The frame of every set-returning shim: the C++ entry guard, the
 * materialized result and the SPI connection; `fill` reads the arguments and
 * adds the rows.
 */
template <typename Fill>
Datum
SetReturning(FunctionCallInfo fcinfo, Fill fill)
{
	return CppEntry([&]() -> Datum {
		ResultSet rs(fcinfo);
		SpiConnection spi;
		fill(rs);
		spi.Finish();
		return (Datum) 0;
	});
}

/* A single composite result built from text values. */
Datum OneRow(FunctionCallInfo fcinfo, const Values &row);

/* Copies a result Datum out of SPI's memory before SPI_finish frees it. */
Datum CopyOut(Datum d);

/*
 * The frame of every shim returning one record: the C++ entry guard and the
 * SPI connection; `row` reads the arguments and returns the values, which
 * are copied out of SPI's memory.
 */
template <typename MakeRow>
Datum
SingleRow(FunctionCallInfo fcinfo, MakeRow row)
{
	return CppEntry([&]() -> Datum {
		SpiConnection spi;
		Datum d = CopyOut(OneRow(fcinfo, row()));
		spi.Finish();
		return d;
	});
}

/* Rows for apply/downgrade. */
void EmitRuns(ResultSet &rs, const std::vector<RunOutcome> &runs);

/*
 * Runs fn (argument checks of a call that concerns one revision or target)
 * and puts `what` in front of the message of any error it raises, so that
 * every message names the revision the call was about.
 */
template <typename Fn>
void
Naming(const std::string &what, Fn &&fn)
{
	try {
		fn();
	} catch (PgmigError &e) {
		throw PgmigError(e.sqlstate(), what + ": " + e.message(), e.detail(), e.hint());
	}
}

/* `revision "x"` / `target "x"` for Naming. */
std::string Named(const char *kind, const std::string &value);

} // namespace pgmig

#endif /* PGMIG_SHIMS_HPP */
