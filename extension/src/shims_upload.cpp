/*
 * extension/src/shims_upload.cpp
 *
 * The SQL-callable functions that store revisions and check bodies:
 * mig_upload, mig_upload_batch (a JSON array, validated entry by entry
 * before anything else), mig_repair (the same array), mig_set_policy,
 * mig_lint, the helper upgrade_body_checksum of the 0.4 to 0.5 update, and
 * the trigger that keeps pgmig.revision immutable but to mig_repair.  The
 * frame is shims.hpp.
 *
 * Locks and catalog rows: see upload.hpp (Upload, SetPolicy); mig_lint and
 * upgrade_body_checksum take none and write nothing.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "body.hpp"
#include "errcodes.hpp"
#include "guards.hpp"
#include "lint.hpp"
#include "lock.hpp"
#include "repair.hpp"
#include "shims.hpp"
#include "spi.hpp"
#include "upload.hpp"

extern "C" {
#include "postgres.h"

#include "commands/trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

PG_FUNCTION_INFO_V1(pgmig_upload);
PG_FUNCTION_INFO_V1(pgmig_upload_batch);
PG_FUNCTION_INFO_V1(pgmig_lint);
PG_FUNCTION_INFO_V1(pgmig_set_policy);
PG_FUNCTION_INFO_V1(pgmig_upgrade_body_checksum);
PG_FUNCTION_INFO_V1(pgmig_repair);
PG_FUNCTION_INFO_V1(pgmig_refuse_revision_update);
}

namespace pgmig {
namespace {

/* Rows for upload. */
Values
UploadRow(const UploadOutcome &o)
{
	return {o.revision, o.action, std::string(o.transactional ? "t" : "f"), o.checksum};
}

} // namespace

/* See upload.hpp. */
std::vector<UploadInput>
ParseUploadBatch(const std::string &json_str)
{
	/*
	 * Every entry must be an object with known keys of the right JSON
	 * types; the first problem is reported with the entry's position and
	 * revision.  Run in the catalog scope for its pinned search_path.
	 */
	std::vector<Row> rows;
	{
		CatalogScope scope;
		std::vector<Row> bad = SpiQuery(
		    "SELECT CASE WHEN jsonb_typeof(j) <> 'array' THEN 'revisions must be a JSON array of objects' ELSE ("
		    "  SELECT format('entry %s%s: %s', o, "
		    "         CASE WHEN jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> 'revision') = 'string' "
		    "              THEN format(' (revision \"%s\")', e ->> 'revision') ELSE '' END, p.problem) "
		    "    FROM jsonb_array_elements(j) WITH ORDINALITY AS x(e, o) "
		    "    CROSS JOIN LATERAL ("
		    "      SELECT 'not a JSON object' AS problem, 0 AS rank WHERE jsonb_typeof(e) <> 'object' "
		    "      UNION ALL "
		    "      SELECT format('unknown key \"%s\" (allowed: revision, up, down, parents, depends_on, "
		    "branch_labels, message, checksum, down_checksum)', k), 1 "
		    "        FROM jsonb_object_keys(CASE WHEN jsonb_typeof(e) = 'object' THEN e ELSE '{}' END) k "
		    "       WHERE k NOT IN ('revision', 'up', 'down', 'parents', 'depends_on', 'branch_labels', 'message', "
		    "                       'checksum', 'down_checksum') "
		    "      UNION ALL "
		    "      SELECT format('\"%s\" must be a string', k), 2 "
		    "        FROM unnest(ARRAY['revision', 'up', 'down', 'message', 'checksum', 'down_checksum']) k "
		    "       WHERE jsonb_typeof(e) = 'object' AND jsonb_typeof(e -> k) NOT IN ('string', 'null') "
		    "      UNION ALL "
		    "      SELECT format('\"%s\" must be an array of strings', k), 3 "
		    "        FROM unnest(ARRAY['parents', 'depends_on', 'branch_labels']) k "
		    "       WHERE jsonb_typeof(e) = 'object' AND e -> k IS NOT NULL AND "
		    "             CASE WHEN jsonb_typeof(e -> k) <> 'array' THEN true "
		    "                  ELSE EXISTS (SELECT 1 FROM jsonb_array_elements(e -> k) v "
		    "                                WHERE jsonb_typeof(v) <> 'string') END"
		    "    ) p "
		    "   ORDER BY o, p.rank LIMIT 1) END "
		    "  FROM (SELECT $1::jsonb AS j) s",
		    {SqlParam::Text(json_str)});
		if (!bad.empty() && bad[0][0])
			throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "invalid revisions batch: " + *bad[0][0]);

		rows = SpiQuery(
		    "SELECT r.revision, r.up, r.down, r.message, "
		    "       pg_catalog.array_to_string(r.parents, E'\\x1f'), pg_catalog.cardinality(r.parents), "
		    "       pg_catalog.array_to_string(r.depends_on, E'\\x1f'), pg_catalog.cardinality(r.depends_on), "
		    "       pg_catalog.array_to_string(r.branch_labels, E'\\x1f'), pg_catalog.cardinality(r.branch_labels), "
		    "       r.checksum, r.down_checksum "
		    "  FROM pg_catalog.jsonb_to_recordset($1::pg_catalog.jsonb) "
		    "       AS r(revision text, up text, down text, message text, parents text[], depends_on text[], "
		    "            branch_labels text[], checksum text, down_checksum text)",
		    {SqlParam::Text(json_str)});
	}
	std::vector<UploadInput> inputs;
	inputs.reserve(rows.size());
	std::size_t entry = 0;
	for (auto &row : rows) {
		entry++;
		if (!row[0])
			throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE,
			                 "invalid revisions batch: entry " + std::to_string(entry) + " has no \"revision\"");
		UploadInput in;
		in.revision = *row[0];
		in.up = row[1];
		in.down = row[2];
		in.message = row[3];
		auto split = [&](const Value &v, const Value &n, const char *what) {
			std::vector<std::string> items;
			if (!v || !n || *n == "0")
				return items;
			std::size_t start = 0;
			const std::string &s = *v;
			while (true) {
				std::size_t pos = s.find('\x1f', start);
				items.emplace_back(s, start, pos == std::string::npos ? std::string::npos : pos - start);
				if (pos == std::string::npos)
					break;
				start = pos + 1;
			}
			if (std::to_string(items.size()) != *n)
				throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE,
				                 "revision \"" + in.revision + "\": invalid entry in " + what);
			return items;
		};
		in.parents = split(row[4], row[5], "parents");
		in.depends_on = split(row[6], row[7], "depends_on");
		in.branch_labels = split(row[8], row[9], "branch_labels");
		in.client_checksum = row[10];
		in.client_down_checksum = row[11];
		inputs.push_back(std::move(in));
	}
	return inputs;
}

} // namespace pgmig

using namespace pgmig;

extern "C" {

/* mig_upload(revision, up, parents, down, depends_on, branch_labels, message, replace, project) */
Datum
pgmig_upload(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		UploadInput in;
		in.revision = RequiredText(fcinfo, 0, "revision");
		bool replace = false;
		std::string project;
		Naming(Named("revision", in.revision), [&] {
			in.up = TextArg(fcinfo, 1);
			in.parents = TextArrayArg(fcinfo, 2, "parents");
			in.down = TextArg(fcinfo, 3);
			in.depends_on = TextArrayArg(fcinfo, 4, "depends_on");
			in.branch_labels = TextArrayArg(fcinfo, 5, "branch_labels");
			in.message = TextArg(fcinfo, 6);
			replace = BoolArg(fcinfo, 7, false);
			project = ProjectArg(fcinfo, 8);
			CheckProject(project);
		});
		std::vector<UploadInput> inputs;
		inputs.push_back(std::move(in));
		return UploadRow(Upload(project, std::move(inputs), replace).at(0));
	});
}

/*
 * mig_upload_batch(revisions jsonb, replace, project, stamp_targets): 0.6
 * added stamp_targets (text[], NULL by default: every stored body is
 * linted; see Upload); a database still at an older version declares three
 * arguments, and the library reads the fourth only when it is there.
 */
Datum
pgmig_upload_batch(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		if (PG_ARGISNULL(0))
			throw PgmigError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "argument \"revisions\" must not be NULL");
		Datum json = PG_GETARG_DATUM(0);
		bool replace = false;
		std::string project;
		std::optional<std::vector<std::string>> stamp_targets;
		Naming("mig_upload_batch", [&] {
			replace = BoolArg(fcinfo, 1, false);
			project = ProjectArg(fcinfo, 2);
			CheckProject(project);
			if (PG_NARGS() > 3 && !PG_ARGISNULL(3))
				stamp_targets = TextArrayArg(fcinfo, 3, "stamp_targets");
		});

		char *json_text = nullptr;
		PgCall([&] { json_text = DatumGetCString(DirectFunctionCall1(jsonb_out, json)); });
		std::vector<UploadInput> inputs = ParseUploadBatch(json_text);
		auto out = Upload(project, std::move(inputs), replace, stamp_targets);
		for (const auto &o : out)
			rs.Add(UploadRow(o));
	});
}

/*
 * mig_repair(revisions, reason, schema_unchanged, project): one row per
 * entry (revision, the fields changed as text[]); see repair.hpp.
 */
Datum
pgmig_repair(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		if (PG_ARGISNULL(0))
			throw PgmigError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "argument \"revisions\" must not be NULL");
		Datum json = PG_GETARG_DATUM(0);
		std::string reason;
		bool schema_unchanged = false;
		std::string project;
		Naming("mig_repair", [&] {
			reason = TextArg(fcinfo, 1).value_or("");
			schema_unchanged = BoolArg(fcinfo, 2, false);
			project = ProjectArg(fcinfo, 3);
			CheckProject(project);
		});
		char *json_text = nullptr;
		PgCall([&] { json_text = DatumGetCString(DirectFunctionCall1(jsonb_out, json)); });
		std::vector<UploadInput> inputs = ParseUploadBatch(json_text);
		for (const RepairOutcome &o : Repair(project, std::move(inputs), reason, schema_unchanged)) {
			std::string changed = "{";
			for (std::size_t i = 0; i < o.changed.size(); i++)
				changed += (i > 0 ? "," : "") + o.changed[i];
			rs.Add({o.revision, changed + "}"});
		}
	});
}

/*
 * The trigger revision_immutable (BEFORE UPDATE ON pgmig.revision, FOR
 * EACH ROW): refuses every update (PM020) but mig_repair's.  C rather than
 * PL/pgSQL (before 0.8) so that what lets mig_repair through is a flag of
 * this library that no SQL can set.  No C++ object lives in this frame:
 * ereport leaves it by longjmp.
 */
Datum
pgmig_refuse_revision_update(PG_FUNCTION_ARGS)
{
	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR, (errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
		                errmsg("refuse_revision_update() must be called as a trigger")));
	TriggerData *trigdata = (TriggerData *) fcinfo->context;
	if (RepairingRevisions() && TRIGGER_FIRED_BY_UPDATE(trigdata->tg_event))
		return PointerGetDatum(trigdata->tg_newtuple);
	TupleDesc desc = trigdata->tg_relation->rd_att;
	char *revision = SPI_getvalue(trigdata->tg_trigtuple, desc, SPI_fnumber(desc, "revision"));
	char *project = SPI_getvalue(trigdata->tg_trigtuple, desc, SPI_fnumber(desc, "project"));
	ereport(ERROR,
	        (errcode(PGMIG_ERRCODE_IMMUTABLE),
	         errmsg("revision \"%s\" of project \"%s\" is immutable", revision ? revision : "?",
	                project ? project : "?"),
	         errdetail("Stored revisions cannot be updated."),
	         errhint("Upload a new revision; a revision that is not applied can be replaced with "
	                 "pgmig.mig_upload(..., replace => true); the down body and metadata of an applied one are "
	                 "changed with pgmig.mig_repair.")));
	PG_RETURN_NULL(); /* not reached */
}

/* mig_set_policy(project, lint): one row (project, lint). */
Datum
pgmig_set_policy(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		std::string project = ProjectArg(fcinfo, 0);
		PolicyInfo p = SetPolicy(project, TextArg(fcinfo, 1));
		return {p.project, p.lint};
	});
}

/* mig_lint(sql, revision): the linter's findings for a body (lint.hpp),
 * ordered by statement, then rule.  The revision name only appears in parse
 * errors. */
Datum
pgmig_lint(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string sql = RequiredText(fcinfo, 0, "sql");
		std::string revision = RequiredText(fcinfo, 1, "revision");
		for (const auto &f : LintBody(revision, "up", sql))
			rs.Add({f.rule, f.name, f.severity, std::to_string(f.statement), std::to_string(f.line), f.message,
			        f.hint});
	});
}

} /* extern "C" */

/* pgmig.upgrade_body_checksum(body): the checksum of a body as 0.5 computes
 * it (over UTF-8); defined and dropped again by pgmig--0.4--0.5.sql. */
extern "C" Datum
pgmig_upgrade_body_checksum(PG_FUNCTION_ARGS)
{
	return pgmig::CppEntry([&]() -> Datum {
		char *body = nullptr;
		pgmig::PgCall([&] { body = text_to_cstring(PG_GETARG_TEXT_PP(0)); });
		std::string sum = pgmig::BodyChecksum(body);
		Datum d = (Datum) 0;
		pgmig::PgCall([&] { d = CStringGetTextDatum(sum.c_str()); });
		return d;
	});
}
