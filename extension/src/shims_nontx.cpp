/*
 * extension/src/shims_nontx.cpp
 *
 * The SQL-callable functions of the non-transactional protocol (nontx.hpp):
 * mig_begin_nontx, mig_finish_nontx, mig_abort_nontx, mig_lease and
 * mig_recover, and mig_record_failure, with which the client reports a
 * failure of a body that rolled back with its transaction.  The frame is
 * shims.hpp.
 *
 * Locks and catalog rows: see nontx.hpp and events.hpp.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "events.hpp"
#include "guards.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "shims.hpp"
#include "spi.hpp"

extern "C" {
#include "postgres.h"

#include "fmgr.h"
#include "utils/builtins.h"

PG_FUNCTION_INFO_V1(pgmig_begin_nontx);
PG_FUNCTION_INFO_V1(pgmig_finish_nontx);
PG_FUNCTION_INFO_V1(pgmig_abort_nontx);
PG_FUNCTION_INFO_V1(pgmig_lease);
PG_FUNCTION_INFO_V1(pgmig_recover);
PG_FUNCTION_INFO_V1(pgmig_record_failure);
}

using namespace pgmig;

extern "C" {

/* mig_begin_nontx(target, project, direction): zero or one row. */
Datum
pgmig_begin_nontx(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		const TargetProjectDirection args = ReadTargetProjectDirection(fcinfo);
		const std::string &target = args.target, &project = args.project;
		const bool down = args.down;
		if (auto s = BeginNontx(project, target, down, ExpectedArg(fcinfo, 3)))
			rs.Add({s->revision, s->body, s->run_as, s->checksum});
	});
}

/* mig_finish_nontx(revision, project): one row. */
Datum
pgmig_finish_nontx(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string revision = RequiredText(fcinfo, 0, "revision");
		std::string project;
		Naming(Named("revision", revision), [&] {
			project = ProjectArg(fcinfo, 1);
			CheckProject(project);
		});
		EmitRuns(rs, {FinishNontx(project, revision)});
	});
}

/* mig_abort_nontx(revision, sqlstate, message, project): what was done. */
Datum
pgmig_abort_nontx(PG_FUNCTION_ARGS)
{
	return CppEntry([&]() -> Datum {
		std::string revision = RequiredText(fcinfo, 0, "revision");
		std::string sqlstate = TextArg(fcinfo, 1).value_or("");
		std::string message = TextArg(fcinfo, 2).value_or("");
		std::string project;
		Naming(Named("revision", revision), [&] {
			project = ProjectArg(fcinfo, 3);
			CheckProject(project);
		});
		SpiConnection spi;
		std::string action = AbortNontx(project, revision, sqlstate, message);
		Datum d = (Datum) 0;
		PgCall([&] { d = CStringGetTextDatum(action.c_str()); });
		d = CopyOut(d);
		spi.Finish();
		return d;
	});
}

/* mig_record_failure(revision, direction, sqlstate, message, project) */
Datum
pgmig_record_failure(PG_FUNCTION_ARGS)
{
	return CppEntry([&]() -> Datum {
		std::string revision = RequiredText(fcinfo, 0, "revision");
		bool down = false;
		std::string sqlstate, message, project;
		Naming(Named("revision", revision), [&] {
			down = DirectionIsDown(fcinfo, 1);
			sqlstate = RequiredText(fcinfo, 2, "sqlstate");
			message = RequiredText(fcinfo, 3, "message");
			project = ProjectArg(fcinfo, 4);
		});
		SpiConnection spi;
		RecordClientFailure(project, revision, down, sqlstate, message);
		spi.Finish();
		PG_RETURN_VOID();
	});
}

/* mig_lease(project): zero or one row. */
Datum
pgmig_lease(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		if (auto l = Lease(project))
			rs.Add({l->revision, l->direction, std::to_string(l->backend_pid), l->started_at, l->started_by,
			        std::string(l->alive ? "t" : "f")});
	});
}

/* mig_recover(project): zero or one row. */
Datum
pgmig_recover(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		if (auto r = Recover(project))
			rs.Add({r->first, r->second});
	});
}

} /* extern "C" */
