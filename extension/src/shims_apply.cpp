/*
 * extension/src/shims_apply.cpp
 *
 * The SQL-callable functions that run or stamp revisions inside the
 * caller's transaction: mig_apply, mig_downgrade, mig_stamp, mig_baseline
 * and mig_roundtrip.  The frame is shims.hpp.
 *
 * Locks and catalog rows: see apply.hpp, stamp.hpp and check.hpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "apply.hpp"
#include "check.hpp"
#include "errcodes.hpp"
#include "guards.hpp"
#include "lock.hpp"
#include "shims.hpp"
#include "stamp.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(pgmig_apply);
PG_FUNCTION_INFO_V1(pgmig_downgrade);
PG_FUNCTION_INFO_V1(pgmig_stamp);
PG_FUNCTION_INFO_V1(pgmig_baseline);
PG_FUNCTION_INFO_V1(pgmig_roundtrip);
PG_FUNCTION_INFO_V1(pgmig_check);
}

using namespace pgmig;

extern "C" {

/* mig_apply and mig_downgrade share their arguments (target, project, atomic,
 * max_revisions; mig_apply also expected) and result rows. */
static Datum
RunVerb(FunctionCallInfo fcinfo, bool down)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string target = RequiredText(fcinfo, 0, "target");
		std::string project = ProjectArg(fcinfo, 1);
		bool atomic = BoolArg(fcinfo, 2, true);
		std::optional<int> max_revisions = OptionalInt(fcinfo, 3);
		EmitRuns(rs, down ? Downgrade(project, target, atomic, max_revisions)
		                  : Apply(project, target, atomic, max_revisions, ExpectedArg(fcinfo, 4)));
	});
}

/* mig_apply(target, project, atomic, max_revisions) */
Datum
pgmig_apply(PG_FUNCTION_ARGS)
{
	return RunVerb(fcinfo, false);
}

/* mig_downgrade(target, project, atomic, max_revisions) */
Datum
pgmig_downgrade(PG_FUNCTION_ARGS)
{
	return RunVerb(fcinfo, true);
}

/* mig_stamp(targets text[] | target text, project) */
Datum
pgmig_stamp(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::vector<std::string> targets;
		Oid argtype = InvalidOid;
		PgCall([&] { argtype = get_fn_expr_argtype(fcinfo->flinfo, 0); });
		if (argtype == TEXTARRAYOID) {
			if (PG_ARGISNULL(0))
				throw PgmigError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "argument \"targets\" must not be NULL");
			targets = TextArrayArg(fcinfo, 0, "targets");
		} else
			targets.push_back(RequiredText(fcinfo, 0, "target"));
		std::string project = ProjectArg(fcinfo, 1);
		for (const auto &o : Stamp(project, targets))
			rs.Add({o.revision, o.action});
	});
}

/* mig_baseline(target, project): the stamped revisions with the fingerprint. */
Datum
pgmig_baseline(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string target = RequiredText(fcinfo, 0, "target");
		std::string project = ProjectArg(fcinfo, 1);
		BaselineOutcome b = Baseline(project, target);
		for (const auto &o : b.stamped)
			rs.Add({o.revision, b.fingerprint.digest, std::to_string(b.fingerprint.objects)});
	});
}

/* mig_roundtrip(target, project, revisions) */
Datum
pgmig_roundtrip(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string target = RequiredText(fcinfo, 0, "target");
		std::string project;
		std::optional<std::vector<std::string>> only;
		Naming(Named("target", target), [&] {
			project = ProjectArg(fcinfo, 1);
			CheckProject(project);
			if (!PG_ARGISNULL(2))
				only = TextArrayArg(fcinfo, 2, "revisions");
		});
		for (const auto &r : Roundtrip(project, target, only))
			rs.Add({r.revision, r.step, r.result, r.kind.empty() ? Value() : Value(r.kind),
			        r.identity.empty() ? Value() : Value(r.identity), r.detail.empty() ? Value() : Value(r.detail)});
	});
}

/* mig_check(target, project, revisions, batch, mode) */
Datum
pgmig_check(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string target = RequiredText(fcinfo, 0, "target");
		std::string project;
		std::optional<std::vector<std::string>> only;
		std::optional<std::string> batch;
		CheckMode mode = CheckMode::kTest;
		Naming(Named("target", target), [&] {
			project = ProjectArg(fcinfo, 1);
			CheckProject(project);
			if (!PG_ARGISNULL(2))
				only = TextArrayArg(fcinfo, 2, "revisions");
			if (!PG_ARGISNULL(3)) {
				Datum json = PG_GETARG_DATUM(3);
				char *json_text = nullptr;
				PgCall([&] { json_text = DatumGetCString(DirectFunctionCall1(jsonb_out, json)); });
				batch = std::string(json_text);
			}
		});
		std::string m = RequiredText(fcinfo, 4, "mode");
		if (m != "lint" && m != "test")
			throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid mode \"" + m + "\"", "",
			                 "The mode is 'lint' (each body linted in the schema it meets) or 'test' (up, down and up "
			                 "again, and each revision on its ancestors alone).");
		mode = m == "lint" ? CheckMode::kLint : CheckMode::kTest;
		auto opt = [](const std::string &s) { return s.empty() ? Value() : Value(s); };
		for (const auto &r : Check(project, target, only, batch, mode))
			rs.Add({r.revision, r.step, r.result, r.line > 0 ? Value(std::to_string(r.line)) : Value(), opt(r.sqlstate),
			        opt(r.message), opt(r.detail), opt(r.hint), opt(r.rule), opt(r.name), opt(r.severity), opt(r.kind),
			        opt(r.identity)});
	});
}

} /* extern "C" */
