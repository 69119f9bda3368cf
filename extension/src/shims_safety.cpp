/*
 * extension/src/shims_safety.cpp
 *
 * The SQL-callable functions of the safety net (safety.hpp): mig_fingerprint
 * (0.7; a SQL function before), mig_snapshot, mig_drift, mig_audit_enable, mig_audit_disable and the audit's event
 * trigger function audit_ddl.  The frame is shims.hpp.
 *
 * Locks and catalog rows: see safety.hpp and stamp.hpp (RecordSnapshot
 * takes the project lock and writes a snapshot event).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <cstring>
#include <string>
#include <vector>

#include "fingerprint.hpp"
#include "guards.hpp"
#include "safety.hpp"
#include "schema.hpp"
#include "shims.hpp"
#include "spi.hpp"
#include "stamp.hpp"

extern "C" {
#include "postgres.h"

#include "commands/event_trigger.h"
#include "fmgr.h"

PG_FUNCTION_INFO_V1(pgmig_snapshot);
PG_FUNCTION_INFO_V1(pgmig_drift);
PG_FUNCTION_INFO_V1(pgmig_fingerprint);
PG_FUNCTION_INFO_V1(pgmig_schema);
PG_FUNCTION_INFO_V1(pgmig_audit_enable);
PG_FUNCTION_INFO_V1(pgmig_audit_disable);
PG_FUNCTION_INFO_V1(pgmig_audit_ddl);
}

using namespace pgmig;

extern "C" {

/* mig_snapshot(project): one row (digest, objects). */
Datum
pgmig_snapshot(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		Fingerprint fp = RecordSnapshot(ProjectArg(fcinfo, 0));
		return {fp.digest, std::to_string(fp.objects)};
	});
}

/* mig_fingerprint(): the whole schema's rows, under the function's own
 * search_path (its SET clause) and as the caller. */
Datum
pgmig_fingerprint(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		for (const auto &r : FingerprintRows())
			rs.Add(r);
	});
}

/* mig_schema(): the schema as SQL, one block per object, in load order,
 * under the function's pinned settings (schema.hpp). */
Datum
pgmig_schema(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		for (const auto &r : SchemaRows())
			rs.Add(r);
	});
}

/* mig_drift() */
Datum
pgmig_drift(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		for (const auto &r : Drift())
			rs.Add(r);
	});
}

/* mig_audit_enable() / mig_audit_disable(): the new state. */
static Datum
SetAuditShim(FunctionCallInfo fcinfo, bool enable)
{
	(void) fcinfo;
	return CppEntry([&]() -> Datum {
		SpiConnection spi;
		bool state = SetAudit(enable);
		spi.Finish();
		return BoolGetDatum(state);
	});
}

Datum
pgmig_audit_enable(PG_FUNCTION_ARGS)
{
	return SetAuditShim(fcinfo, true);
}

Datum
pgmig_audit_disable(PG_FUNCTION_ARGS)
{
	return SetAuditShim(fcinfo, false);
}

/* The audit's event trigger (ddl_command_end and sql_drop). */
Datum
pgmig_audit_ddl(PG_FUNCTION_ARGS)
{
	return CppEntry([&]() -> Datum {
		bool drop = false;
		std::string tag;
		PgCall([&] {
			if (!CALLED_AS_EVENT_TRIGGER(fcinfo))
				ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				                errmsg("pgmig.audit_ddl() must be called as an event trigger")));
			EventTriggerData *trigdata = (EventTriggerData *) fcinfo->context;
			drop = strcmp(trigdata->event, "sql_drop") == 0;
			tag = GetCommandTagName(trigdata->tag);
		});
		SpiConnection spi;
		LogDdl(drop, tag.c_str());
		spi.Finish();
		return (Datum) 0;
	});
}

} /* extern "C" */
