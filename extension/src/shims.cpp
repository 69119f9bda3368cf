/*
 * extension/src/shims.cpp
 *
 * The SQL-callable functions of pgmig.  Each one is a thin extern "C" shim:
 * read the arguments, call the engine inside CppEntry (the catch-all that
 * turns C++ exceptions back into PostgreSQL errors), and return rows through
 * a materialized tuplestore built from text values with the result type's
 * input functions.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "body.hpp"
#include "apply.hpp"
#include "inspect.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "roundtrip.hpp"
#include "stamp.hpp"
#include "upload.hpp"
#include "errcodes.hpp"
#include "events.hpp"
#include "guards.hpp"
#include "lint.hpp"
#include "safety.hpp"
#include "spi.hpp"
#include "sqltext.hpp"

extern "C" {
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/event_trigger.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"

PG_FUNCTION_INFO_V1(pgmig_upload);
PG_FUNCTION_INFO_V1(pgmig_upload_batch);
PG_FUNCTION_INFO_V1(pgmig_apply);
PG_FUNCTION_INFO_V1(pgmig_downgrade);
PG_FUNCTION_INFO_V1(pgmig_stamp);
PG_FUNCTION_INFO_V1(pgmig_heads);
PG_FUNCTION_INFO_V1(pgmig_status);
PG_FUNCTION_INFO_V1(pgmig_sync);
PG_FUNCTION_INFO_V1(pgmig_history);
PG_FUNCTION_INFO_V1(pgmig_plan);
PG_FUNCTION_INFO_V1(pgmig_revisions);
PG_FUNCTION_INFO_V1(pgmig_begin_nontx);
PG_FUNCTION_INFO_V1(pgmig_finish_nontx);
PG_FUNCTION_INFO_V1(pgmig_abort_nontx);
PG_FUNCTION_INFO_V1(pgmig_lease);
PG_FUNCTION_INFO_V1(pgmig_recover);
PG_FUNCTION_INFO_V1(pgmig_snapshot);
PG_FUNCTION_INFO_V1(pgmig_drift);
PG_FUNCTION_INFO_V1(pgmig_baseline);
PG_FUNCTION_INFO_V1(pgmig_audit_enable);
PG_FUNCTION_INFO_V1(pgmig_audit_disable);
PG_FUNCTION_INFO_V1(pgmig_audit_ddl);
PG_FUNCTION_INFO_V1(pgmig_lint);
PG_FUNCTION_INFO_V1(pgmig_set_policy);
PG_FUNCTION_INFO_V1(pgmig_roundtrip);
PG_FUNCTION_INFO_V1(pgmig_upgrade_body_checksum);
PG_FUNCTION_INFO_V1(pgmig_record_failure);
}

namespace pgmig {
namespace {

using Values = std::vector<Value>;

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
void
EmitRuns(ResultSet &rs, const std::vector<RunOutcome> &runs)
{
	for (const auto &r : runs)
		rs.Add({r.revision, std::to_string(r.statements), Seconds(r.seconds), r.xid});
}

/* Rows for upload. */
Values
UploadRow(const UploadOutcome &o)
{
	return {o.revision, o.action, std::string(o.transactional ? "t" : "f"), o.checksum};
}

/* The project argument (last, default 'default'). */
std::string
ProjectArg(FunctionCallInfo fcinfo, int n)
{
	return RequiredText(fcinfo, n, "project");
}

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
std::string
Named(const char *kind, const std::string &value)
{
	return std::string(kind) + " " + core::QuoteForMessage(value, 200, false);
}

} // namespace
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

/* mig_upload_batch(revisions jsonb, replace, project) */
Datum
pgmig_upload_batch(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		if (PG_ARGISNULL(0))
			throw PgmigError(ERRCODE_NULL_VALUE_NOT_ALLOWED, "argument \"revisions\" must not be NULL");
		Datum json = PG_GETARG_DATUM(0);
		bool replace = false;
		std::string project;
		Naming("mig_upload_batch", [&] {
			replace = BoolArg(fcinfo, 1, false);
			project = ProjectArg(fcinfo, 2);
			CheckProject(project);
		});

		char *json_text = nullptr;
		PgCall([&] { json_text = DatumGetCString(DirectFunctionCall1(jsonb_out, json)); });
		std::string json_str(json_text);
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
		auto out = Upload(project, std::move(inputs), replace);
		for (const auto &o : out)
			rs.Add(UploadRow(o));
	});
}

/*
 * The `expected` argument (0.5): a JSON object of revision id -> checksum,
 * or nothing when NULL or not passed (a function declared by an older
 * install script has fewer arguments).
 */
static std::optional<Expected>
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

/* mig_heads(project) */
Datum
pgmig_heads(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		for (const auto &h : Heads(project))
			rs.Add({h.revision, std::string(h.applied ? "t" : "f"), ArrayLiteral(h.branch_labels), h.message});
	});
}

/* mig_status(project) */
Datum
pgmig_status(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		StatusInfo s = Status(ProjectArg(fcinfo, 0));
		return {ArrayLiteral(s.current), ArrayLiteral(s.heads), std::to_string(s.applied), std::to_string(s.pending),
		        ArrayLiteral(s.pending_revisions), ArrayLiteral(s.nontransactional_pending)};
	});
}

/* mig_sync(project): one row from pgmig.project_state. */
Datum
pgmig_sync(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		SyncInfo s = Sync(ProjectArg(fcinfo, 0)).value_or(SyncInfo{});
		return {s.digest, std::to_string(s.revisions), std::to_string(s.pending), ArrayLiteral(s.nontransactional)};
	});
}

/*
 * Whether the caller may read text that comes from bodies: a superuser or a
 * role with pgmig_deployer's privileges.  Bodies may hold secrets (a
 * password in a literal), and a reader may not see them.
 */
static bool
MayReadBodies()
{
	bool may = false;
	PgCall([&] {
		Oid deployer = get_role_oid("pgmig_deployer", true);
		may = superuser() || (OidIsValid(deployer) && has_privs_of_role(GetUserId(), deployer));
	});
	return may;
}

/* mig_history(project): the event log, read as the extension owner.  A
 * failure's message is PostgreSQL's error from the body, which may quote a
 * value of it: NULL for a reader (its SQLSTATE stays). */
Datum
pgmig_history(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		CheckProject(project);
		std::vector<Row> rows;
		{
			CatalogScope scope;
			rows = SpiQuery("SELECT event_id, at, kind, revision, target, who, duration, sqlstate, message "
			             "FROM pgmig.event WHERE project = $1 ORDER BY event_id",
			             {SqlParam::Text(project)});
		}
		bool may_see = MayReadBodies();
		for (auto &r : rows) {
			if (!may_see && r[2] == "failure")
				r[8] = std::nullopt;
			rs.Add(r);
		}
	});
}

/* mig_plan(target, project, direction) */
Datum
pgmig_plan(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string target = RequiredText(fcinfo, 0, "target");
		std::string project;
		bool down = false;
		Naming(Named("target", target), [&] {
			project = ProjectArg(fcinfo, 1);
			CheckProject(project);
			down = DirectionIsDown(fcinfo, 2);
		});
		/* the statements' text only for who may run them */
		bool may_see = MayReadBodies();
		for (const auto &p : PlanStatements(project, target, down))
			rs.Add({std::to_string(p.step), p.revision, std::to_string(p.statement), std::to_string(p.line),
			        std::string(p.transactional ? "t" : "f"), p.lock, may_see ? Value(p.sql) : std::nullopt});
	});
}

/* mig_revisions(project) */
Datum
pgmig_revisions(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string project = ProjectArg(fcinfo, 0);
		for (const auto &r : Revisions(project))
			rs.Add(r);
	});
}

/* mig_begin_nontx(target, project, direction): zero or one row. */
Datum
pgmig_begin_nontx(PG_FUNCTION_ARGS)
{
	return SetReturning(fcinfo, [&](ResultSet &rs) {
		std::string target = RequiredText(fcinfo, 0, "target");
		std::string project;
		bool down = false;
		Naming(Named("target", target), [&] {
			project = ProjectArg(fcinfo, 1);
			CheckProject(project);
			down = DirectionIsDown(fcinfo, 2);
		});
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

/* mig_snapshot(project): one row (digest, objects). */
Datum
pgmig_snapshot(PG_FUNCTION_ARGS)
{
	return SingleRow(fcinfo, [&]() -> Values {
		Fingerprint fp = RecordSnapshot(ProjectArg(fcinfo, 0));
		return {fp.digest, std::to_string(fp.objects)};
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
