/*
 * extension/src/safety.cpp
 *
 * Fingerprints, drift and the DDL audit (see safety.hpp).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <map>
#include <set>
#include <utility>

#include "errcodes.hpp"
#include "fingerprint.hpp"
#include "safety.hpp"

extern "C" {
#include "postgres.h"

#include "miscadmin.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
}

namespace pgmig {

/* SQL for the digest of a jsonb array of objects, as in mig_fingerprint_digest(),
 * and for that array from a relation of (kind, identity, definition). */
#define PGMIG_DIGEST_OF(json) \
	"pg_catalog.encode(pg_catalog.sha256(pg_catalog.convert_to((" json ")::text, 'UTF8')), 'hex')"
#define PGMIG_OBJECTS_OF(rel) \
	"(SELECT COALESCE(pg_catalog.jsonb_agg(pg_catalog.jsonb_build_object('kind', kind, 'identity', identity, " \
	"'definition', definition) ORDER BY kind COLLATE \"C\", identity COLLATE \"C\"), '[]'::pg_catalog.jsonb) " \
	"FROM " rel ")"

int fingerprint_mode = kFingerprintOn;
char *run_id = nullptr;

namespace {

/* Depth of PgmigDdlScope and the transaction it was opened in. */
int ddl_depth = 0;
LocalTransactionId ddl_lxid = InvalidLocalTransactionId;

/* Whether DDL running now is pgmig's own (a body or clean-up). */
bool
InPgmigDdl()
{
	return ddl_depth > 0 && ddl_lxid == MyProc->lxid;
}

} // namespace

/* Opens a scope of pgmig's own DDL. */
PgmigDdlScope::PgmigDdlScope()
{
	if (ddl_lxid != MyProc->lxid)
		ddl_depth = 0;
	ddl_lxid = MyProc->lxid;
	ddl_depth++;
}

/* Closes it (also on the error path: the depth is checked against lxid). */
PgmigDdlScope::~PgmigDdlScope()
{
	if (ddl_depth > 0)
		ddl_depth--;
}

namespace {

/* The live fingerprint as taken before pgmig changed the schema: by the
 * current call (pgmig.fingerprint on) or by the first call of the session
 * with pgmig.fingerprint off, for mig_snapshot to use at the end. */
std::optional<std::vector<Row>> call_before;
std::optional<std::vector<Row>> session_base;

} // namespace

/* See safety.hpp.  The library also serves databases still at 0.1 or 0.2. */
bool
SafetyNetInstalled()
{
	return PgmigRelationExists("schema_change");
}

/* See safety.hpp. */
bool
ScopedRecording()
{
	return fingerprint_mode == kFingerprintOn && PgmigRelationExists("schema_object");
}

namespace {

/* Whether a 'full' schema_change row exists (without one there is no base). */
bool
SnapshotExists()
{
	/* a base, once found, stays (an acceptance inserts the new one before it
	 * deletes the old): asked once per transaction, not per statement that
	 * a body's first ALTER of an object runs */
	static LocalTransactionId found_in = InvalidLocalTransactionId;
	if (found_in == MyProc->lxid)
		return true;
	if (!SafetyNetInstalled())
		return false;
	CatalogScope scope;
	scope.KeyedPlans(); /* every writer call asks: by schema_change_full (0.7), not a scan of every record */
	if (SpiQuery("SELECT 1 FROM pgmig.schema_change WHERE kind = 'full' LIMIT 1", {}).empty())
		return false;
	found_in = MyProc->lxid;
	return true;
}

} // namespace

namespace {

/* Whether pgmig.run_base exists (0.4 or later). */
bool
RunBaseInstalled()
{
	return PgmigRelationExists("run_base");
}

/*
 * Whether this call belongs to a client run whose "before" lives in
 * pgmig.run_base: pgmig.run_id set, pgmig.fingerprint off (with it on,
 * each call records its own change) and the table installed.
 */
bool
RunKeyed()
{
	return run_id != nullptr && run_id[0] != '\0' && fingerprint_mode == kFingerprintOff && RunBaseInstalled();
}

/*
 * Stores the live schema as the run's "before" unless the run has one.
 * Rows older than a day belong to runs that ended without their snapshot
 * (a killed client) and are deleted on the way.
 */
void
NoteRunBase()
{
	CatalogScope scope;
	if (!SpiQuery("SELECT 1 FROM pgmig.run_base WHERE run_id = $1", {SqlParam::Text(run_id)}).empty())
		return;
	SpiQuery("DELETE FROM pgmig.run_base WHERE taken_at < pg_catalog.now() - '1 day'::pg_catalog.interval", {});
	SpiQuery("INSERT INTO pgmig.run_base (run_id, objects) "
	         "SELECT $1, " PGMIG_OBJECTS_OF("pgmig.mig_fingerprint()"),
	         {SqlParam::Text(run_id)});
}

/* The run's "before" (and deletes it), or nothing when the run has none. */
std::optional<std::vector<Row>>
TakeRunBase()
{
	CatalogScope scope;
	/* the LEFT JOIN keeps one all-NULL row for a run whose "before" had no
	 * objects: no rows at all means the run has no note */
	std::vector<Row> rows = SpiQuery(
	    "WITH d AS (DELETE FROM pgmig.run_base WHERE run_id = $1 RETURNING objects) "
	    "SELECT x.kind, x.identity, x.definition "
	    "  FROM d LEFT JOIN LATERAL pg_catalog.jsonb_to_recordset(d.objects) "
	    "         AS x(kind text, identity text, definition text) ON true",
	    {SqlParam::Text(run_id)});
	if (rows.empty())
		return std::nullopt;
	rows.erase(std::remove_if(rows.begin(), rows.end(), [](const Row &r) { return !r.at(0); }), rows.end());
	return rows;
}

} // namespace

/* See safety.hpp. */
std::vector<Row>
LiveFingerprint()
{
	CatalogScope scope;
	return FingerprintRows();
}

/*
 * See safety.hpp.  With the scoped record (pgmig.fingerprint on, 0.7),
 * nothing is taken: the call's touched objects are being collected since
 * it began (ForgetSchemaBefore), and its record compares them with the
 * recorded schema.
 */
void
NoteSchemaBefore()
{
	if (call_before || session_base || ScopedRecording() || !SnapshotExists())
		return;
	if (fingerprint_mode != kFingerprintOff)
		call_before = LiveFingerprint();
	else if (RunKeyed())
		NoteRunBase();
	else
		session_base = LiveFingerprint();
}

/* See safety.hpp. */
bool
SchemaNoted()
{
	return call_before.has_value() || session_base.has_value() || RunKeyed();
}

/* See safety.hpp. */
void
ForgetSchemaBefore()
{
	call_before.reset();
	if (!TouchingAcross())
		StartTouching();
}

namespace {

/* Whether pgmig.schema_object exists (0.7 or later). */
bool
KnownTable()
{
	return PgmigRelationExists("schema_object");
}

/* Applies the changes of schema_change row event_id to pgmig.schema_object:
 * removed objects (definition null) deleted, the others written. */
void
ApplyToKnown(const std::string &event_id)
{
	SpiQuery("WITH c AS (SELECT x.kind, x.identity, x.definition FROM pgmig.schema_change s, "
	         "             pg_catalog.jsonb_to_recordset(s.changes) AS x(kind text, identity text, definition text) "
	         "            WHERE s.event_id = $1::bigint), "
	         "del AS (DELETE FROM pgmig.schema_object o USING c "
	         "         WHERE c.definition IS NULL AND o.kind = c.kind AND o.identity = c.identity) "
	         "INSERT INTO pgmig.schema_object AS o (kind, identity, definition, event_id) "
	         "SELECT c.kind, c.identity, c.definition, $1::bigint FROM c WHERE c.definition IS NOT NULL "
	         "ON CONFLICT (kind, identity) DO UPDATE SET definition = EXCLUDED.definition, event_id = EXCLUDED.event_id",
	         {SqlParam::Text(event_id)});
}

/*
 * The recorded rows of the anchors (class, identity), as ResolveTouched
 * names them, by the rules of RowOfAnchor (fingerprint.cpp): for a
 * relation its own row, its columns, constraints, triggers and policies
 * (identities "<relation>.<name>") and its grants; for a type its row, its
 * constraints and grants; for a function its row and grants; for a schema
 * its row and grants; an extension's and an event trigger's row.  Three
 * probes of the identity index per anchor: its identity, the range
 * "<identity>.*" and its grants' identity; the rows found are then kept by
 * kind.
 */
std::vector<Row>
KnownRows(const std::vector<std::string> &classes, const std::vector<std::string> &identities)
{
	static const std::map<char, std::string> kAcl = {
	    {'r', "relation "}, {'t', "type "}, {'f', "function "}, {'n', "schema "}};
	/* each probe carries the index of its anchor, so a row found is matched
	 * against that anchor only */
	std::vector<std::string> keys, key_anchor, low, high, range_anchor;
	for (std::size_t i = 0; i < classes.size(); i++) {
		char c = classes[i][0];
		const std::string &id = identities[i];
		std::string a = std::to_string(i);
		keys.push_back(id);
		key_anchor.push_back(a);
		if (kAcl.count(c)) {
			keys.push_back(kAcl.at(c) + id);
			key_anchor.push_back(a);
		}
		if (c == 'r' || c == 't') {
			low.push_back(id + ".");
			high.push_back(id + "/"); /* '/' follows '.': the range holds "<id>.<anything>" */
			range_anchor.push_back(a);
		}
	}
	if (keys.empty())
		return {};
	std::vector<Row> found = SpiQuery(
	    "SELECT o.kind, o.identity, o.definition, k.anchor "
	    "  FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::int[])) AS k(identity, anchor), "
	    "       LATERAL (SELECT * FROM pgmig.schema_object o WHERE o.identity = k.identity COLLATE \"C\") o "
	    "UNION ALL "
	    "SELECT o.kind, o.identity, o.definition, p.anchor "
	    "  FROM ROWS FROM (pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::text[]), "
	    "                  pg_catalog.unnest($5::int[])) AS p(low, high, anchor), "
	    "       LATERAL (SELECT * FROM pgmig.schema_object o "
	    "                 WHERE o.identity >= p.low COLLATE \"C\" AND o.identity < p.high COLLATE \"C\") o",
	    {SqlParam::TextArray(keys), SqlParam::TextArray(key_anchor), SqlParam::TextArray(low),
	     SqlParam::TextArray(high), SqlParam::TextArray(range_anchor)});
	std::vector<Row> out;
	for (auto &r : found) {
		std::size_t a = std::stoul(*r[3]);
		if (RowOfAnchor(classes[a][0], identities[a], *r[0], *r[1])) {
			r.pop_back();
			out.push_back(std::move(r)); /* a row two anchors share comes twice: callers key by (kind, identity) */
		}
	}
	return out;
}

/*
 * The "before" of the anchors a scope covers: the live rows taken just
 * before the call first changed the object (TouchedSet::captured), else the
 * recorded rows.
 */
std::vector<Row>
BeforeRows(const TouchedSet &set, const ResolvedScope &rs)
{
	std::vector<Row> out;
	std::vector<std::string> classes, identities;
	std::set<std::string> seen;
	for (std::size_t i = 0; i < rs.anchor_classes.size(); i++) {
		std::string key = rs.anchor_classes[i] + rs.anchor_identities[i];
		if (!seen.insert(key).second)
			continue;
		auto it = set.captured.find(key);
		if (it != set.captured.end()) {
			out.insert(out.end(), it->second.begin(), it->second.end());
		} else {
			classes.push_back(rs.anchor_classes[i]);
			identities.push_back(rs.anchor_identities[i]);
		}
	}
	std::vector<Row> known = KnownRows(classes, identities);
	out.insert(out.end(), known.begin(), known.end());
	return out;
}

/* (kind, identity) -> definition of rows. */
std::map<std::pair<std::string, std::string>, std::string>
ByKey(const std::vector<Row> &rows)
{
	std::map<std::pair<std::string, std::string>, std::string> m;
	for (const auto &r : rows)
		m[{*r[0], *r[1]}] = *r[2];
	return m;
}

/*
 * Records what the call changed, from the objects it touched: their live
 * rows against their recorded ones.  Costs what the call touched, not what
 * the schema holds.  The row's digest is null: the digest of the whole
 * schema would cost a pass over the catalog.
 */
Fingerprint
RecordScoped(const std::string &project, const TouchedSet &set)
{
	ResolvedScope rs = ResolveTouched(set);
	auto after = ByKey(FingerprintRows(rs.scope));
	auto before = ByKey(BeforeRows(set, rs));
	std::vector<std::string> kinds, identities, definitions, gone;
	for (const auto &[key, def] : after) {
		auto it = before.find(key);
		if (it != before.end() && it->second == def)
			continue;
		kinds.push_back(key.first);
		identities.push_back(key.second);
		definitions.push_back(def);
		gone.push_back("f");
	}
	for (const auto &[key, def] : before) {
		if (after.count(key))
			continue;
		kinds.push_back(key.first);
		identities.push_back(key.second);
		definitions.push_back("");
		gone.push_back("t");
	}
	/* the record and the recorded schema's rows in one statement */
	std::vector<Row> rows = SpiQuery(
	    "WITH c AS (SELECT u.kind, u.identity, CASE WHEN u.gone THEN NULL ELSE u.definition END AS definition "
	    "             FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), "
	    "                             pg_catalog.unnest($3::text[]), pg_catalog.unnest($4::bool[])) "
	    "                  AS u(kind, identity, definition, gone)), "
	    "ins AS (INSERT INTO pgmig.schema_change AS s (event_id, project, kind, digest, changes) "
	    "        SELECT pg_catalog.nextval('pgmig.event_event_id_seq'), $5, 'delta', NULL, " PGMIG_OBJECTS_OF("c") " "
	    "        RETURNING s.event_id), "
	    "del AS (DELETE FROM pgmig.schema_object o USING c "
	    "         WHERE c.definition IS NULL AND o.kind = c.kind AND o.identity = c.identity), "
	    "put AS (INSERT INTO pgmig.schema_object AS o (kind, identity, definition, event_id) "
	    "        SELECT c.kind, c.identity, c.definition, ins.event_id FROM c, ins WHERE c.definition IS NOT NULL "
	    "        ON CONFLICT (kind, identity) DO UPDATE SET definition = EXCLUDED.definition, "
	    "                                                   event_id = EXCLUDED.event_id) "
	    "SELECT event_id::text FROM ins",
	    {SqlParam::TextArray(kinds), SqlParam::TextArray(identities), SqlParam::TextArray(definitions),
	     SqlParam::TextArray(gone), SqlParam::Text(project)});
	return {*rows.at(0).at(0), "", (int) kinds.size()};
}

/*
 * Accepts the live schema as the new base (a 'full' row) and deletes the
 * rows it supersedes, those older than the previous base: the previous
 * base and the changes after it stay until the next acceptance, so that a
 * call committing concurrently with this one never loses its row.
 */
Fingerprint
AcceptLive(const std::string &project)
{
	/* first the lock: it waits for the calls recording their change now, and
	 * the schema is read after they committed (read committed), so that the
	 * rows written below hold their changes */
	if (KnownTable())
		SpiQuery("LOCK TABLE pgmig.schema_object IN SHARE ROW EXCLUSIVE MODE", {});
	std::vector<Row> rows = SpiQuery(
	    "WITH obj AS (SELECT " PGMIG_OBJECTS_OF("pgmig.mig_fingerprint()") " AS o) "
	    "INSERT INTO pgmig.schema_change AS c (event_id, project, kind, digest, changes) "
	    "SELECT pg_catalog.nextval('pgmig.event_event_id_seq'), $1, 'full', " PGMIG_DIGEST_OF("obj.o") ", obj.o "
	    "  FROM obj "
	    "RETURNING c.event_id::text, c.digest, pg_catalog.jsonb_array_length(c.changes)::text",
	    {SqlParam::Text(project)});
	Fingerprint f{*rows.at(0).at(0), *rows.at(0).at(1), std::stoi(*rows.at(0).at(2))};
	SpiQuery("DELETE FROM pgmig.schema_change WHERE event_id < (SELECT pg_catalog.max(event_id) "
	         "  FROM pgmig.schema_change WHERE kind = 'full' AND event_id < $1::bigint)",
	         {SqlParam::Text(f.event_id)});
	if (KnownTable()) {
		/* the recorded schema becomes the live one */
		SpiQuery("DELETE FROM pgmig.schema_object", {});
		SpiQuery("INSERT INTO pgmig.schema_object (kind, identity, definition, event_id) "
		         "SELECT x.kind, x.identity, x.definition, c.event_id "
		         "  FROM pgmig.schema_change c, "
		         "       pg_catalog.jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text) "
		         " WHERE c.event_id = $1::bigint",
		         {SqlParam::Text(f.event_id)});
	}
	return f;
}

/* Records what changed since `before` as a schema_change row of project. */
Fingerprint
RecordChange(const std::string &project, const std::vector<Row> &before)
{
	std::vector<std::string> kinds, identities, definitions;
	for (const auto &r : before) {
		kinds.push_back(*r[0]);
		identities.push_back(*r[1]);
		definitions.push_back(*r[2]);
	}
	std::vector<Row> rows = SpiQuery(
	    "WITH a AS (SELECT kind, identity, definition FROM pgmig.mig_fingerprint()), "
	    "b AS (SELECT u.kind, u.identity, u.definition "
	    "        FROM ROWS FROM (pg_catalog.unnest($1::text[]), pg_catalog.unnest($2::text[]), "
	    "                        pg_catalog.unnest($3::text[])) AS u(kind, identity, definition)), "
	    "d AS (SELECT COALESCE(a.kind, b.kind) AS kind, COALESCE(a.identity, b.identity) AS identity, a.definition "
	    "        FROM a FULL JOIN b ON b.kind = a.kind AND b.identity = a.identity "
	    "       WHERE a.definition IS DISTINCT FROM b.definition), "
	    "live AS (SELECT " PGMIG_OBJECTS_OF("a") " AS o), "
	    "chg AS (SELECT " PGMIG_OBJECTS_OF("d") " AS o) "
	    "INSERT INTO pgmig.schema_change AS c (event_id, project, kind, digest, changes) "
	    "SELECT pg_catalog.nextval('pgmig.event_event_id_seq'), $4, 'delta', " PGMIG_DIGEST_OF("live.o") ", chg.o "
	    "  FROM chg, live "
	    "RETURNING c.event_id::text, c.digest, (SELECT pg_catalog.jsonb_array_length(live.o) FROM live)::text",
	    {SqlParam::TextArray(kinds), SqlParam::TextArray(identities), SqlParam::TextArray(definitions),
	     SqlParam::Text(project)});
	if (KnownTable())
		ApplyToKnown(*rows.at(0).at(0));
	return {*rows.at(0).at(0), *rows.at(0).at(1), std::stoi(*rows.at(0).at(2))};
}

/* Only the digest of the live schema, under a new event id (nothing stored). */
Fingerprint
DigestOnly()
{
	std::vector<Row> rows = SpiQuery(
	    "WITH obj AS (SELECT " PGMIG_OBJECTS_OF("pgmig.mig_fingerprint()") " AS o) "
	    "SELECT pg_catalog.nextval('pgmig.event_event_id_seq')::text, " PGMIG_DIGEST_OF("obj.o") ", "
	    "       pg_catalog.jsonb_array_length(obj.o)::text FROM obj",
	    {});
	return {*rows.at(0).at(0), *rows.at(0).at(1), std::stoi(*rows.at(0).at(2))};
}

} // namespace

/*
 * See safety.hpp.  Without any base yet, every mode accepts the live
 * schema: the first fingerprint is the starting point.
 */
Fingerprint
TakeFingerprint(FingerprintMode mode, const std::string &project)
{
	std::optional<std::vector<Row>> before = session_base ? session_base : call_before;
	call_before.reset();
	session_base.reset();
	if (!before && mode == FingerprintMode::kChange && RunKeyed())
		before = TakeRunBase();
	bool have_base = SnapshotExists();
	bool scoped = mode == FingerprintMode::kChange && !before && ScopedRecording() && Touching();
	CatalogScope scope;
	Fingerprint fp;
	if (mode == FingerprintMode::kAccept || !have_base)
		fp = AcceptLive(project);
	else if (mode == FingerprintMode::kChange && before)
		fp = RecordChange(project, *before);
	else if (scoped) {
		scope.KeyedPlans();
		fp = RecordScoped(project, Touched());
	}
	else
		fp = DigestOnly();
	StopTouching();
	return fp;
}

/*
 * See safety.hpp.  The "before" of the whole schema is the live schema now,
 * with the rows of what the call touched so far put back to their recorded
 * state: the call's record then holds everything it changed, before this
 * statement and after, and nothing else.
 */
void
NoteWholeBefore()
{
	TouchedSet &set = Touched();
	if (set.whole)
		return;
	set.whole = true;
	SpiConnection spi; /* a statement of the body is running: a nested connection */
	if (!ScopedRecording() || call_before || !SnapshotExists()) {
		spi.Finish();
		return;
	}
	CatalogScope scope;
	ResolvedScope rs = ResolveTouched(set);
	auto rows = ByKey(FingerprintRows());
	for (const auto &r : FingerprintRows(rs.scope))
		rows.erase({*r[0], *r[1]});
	for (const auto &[key, def] : ByKey(BeforeRows(set, rs)))
		rows[key] = def;
	std::vector<Row> before;
	before.reserve(rows.size());
	for (const auto &[key, def] : rows)
		before.push_back({key.first, key.second, def});
	call_before = std::move(before);
	spi.Finish();
}

/* See fingerprint.hpp. */
void
CaptureFirstTouch(const std::vector<std::pair<Oid, Oid>> &targets)
{
	TouchedSet &set = Touched();
	TouchedSet fresh;
	for (const auto &target : targets)
		if (!set.live.count(target))
			fresh.objects.push_back({target.first, target.second, '\0', {}});
	if (fresh.objects.empty() || set.whole)
		return;
	SpiConnection spi; /* a statement of the body is about to run: a nested connection */
	if (ScopedRecording() && SnapshotExists()) {
		CatalogScope scope;
		scope.KeyedPlans();
		ResolvedScope rs = ResolveTouched(fresh);
		std::vector<Row> rows = FingerprintRows(rs.scope);
		for (std::size_t i = 0; i < rs.anchor_classes.size(); i++) {
			std::string key = rs.anchor_classes[i] + rs.anchor_identities[i];
			if (set.captured.count(key))
				continue;
			std::vector<Row> mine;
			for (const auto &r : rows)
				if (RowOfAnchor(rs.anchor_classes[i][0], rs.anchor_identities[i], *r[0], *r[1]))
					mine.push_back(r);
			set.captured[key] = std::move(mine);
		}
	}
	spi.Finish();
}

/* See safety.hpp. */
std::optional<Fingerprint>
FingerprintIfEnabled(FingerprintMode mode, const std::string &project)
{
	if (fingerprint_mode == kFingerprintOff || !SafetyNetInstalled())
		return std::nullopt;
	return TakeFingerprint(mode, project);
}

/* See safety.hpp. */
std::vector<Row>
Drift()
{
	CatalogScope scope;
	std::vector<Row> snap = SpiQuery(
	    "WITH base AS (SELECT pg_catalog.max(event_id) AS event_id FROM pgmig.schema_change WHERE kind = 'full') "
	    "SELECT (SELECT pg_catalog.count(*) FROM pgmig.event e WHERE e.event_id > base.event_id "
	    "           AND e.kind IN ('apply', 'downgrade') AND e.fingerprint IS NULL "
	    "           AND NOT EXISTS (SELECT 1 FROM pgmig.schema_change c WHERE c.event_id >= e.event_id))::text "
	    "  FROM base WHERE base.event_id IS NOT NULL",
	    {});
	if (snap.empty())
		throw PgmigError(PGMIG_ERRCODE_NO_FINGERPRINT, "no schema fingerprint has been recorded in this database",
		                 "Drift is measured against the fingerprint pgmig records with its changes.",
		                 "Adopt the database with pgmig.mig_baseline(target), or record the current schema with "
		                 "pgmig.mig_snapshot().");
	if (*snap[0][0] != "0")
		Notice(NOTICE, "pgmig: " + *snap[0][0] + " pgmig change(s) were made with pgmig.fingerprint off and not "
		                   "recorded since",
		       "Until pgmig.mig_snapshot() records them, what they changed shows up as drift.");
	if (KnownTable())
		return SpiQuery(
		    "WITH live AS (SELECT kind COLLATE \"C\" AS kind, identity COLLATE \"C\" AS identity, definition "
		    "                FROM pgmig.mig_fingerprint()) "
		    "SELECT CASE WHEN rec.kind IS NULL THEN 'added' WHEN live.kind IS NULL THEN 'removed' ELSE 'changed' END, "
		    "       COALESCE(live.kind, rec.kind), COALESCE(live.identity, rec.identity), rec.definition, "
		    "       live.definition "
		    "  FROM pgmig.schema_object rec FULL JOIN live ON live.kind = rec.kind AND live.identity = rec.identity "
		    " WHERE rec.definition IS DISTINCT FROM live.definition "
		    " ORDER BY COALESCE(live.kind, rec.kind), COALESCE(live.identity, rec.identity)",
		    {});
	return SpiQuery(
	    "WITH b AS (SELECT c.event_id, c.changes FROM pgmig.schema_change c WHERE c.kind = 'full' "
	    "            ORDER BY c.event_id DESC LIMIT 1), "
	    "     base AS (SELECT x.kind, x.identity, x.definition "
	    "                FROM b, pg_catalog.jsonb_to_recordset(b.changes) AS x(kind text, identity text, definition text)), "
	    "     chg AS (SELECT DISTINCT ON (x.kind, x.identity) x.kind, x.identity, x.definition "
	    "               FROM pgmig.schema_change c, b, "
	    "                    pg_catalog.jsonb_to_recordset(c.changes) AS x(kind text, identity text, definition text) "
	    "              WHERE c.kind = 'delta' AND c.event_id > b.event_id "
	    "              ORDER BY x.kind, x.identity, c.event_id DESC), "
	    "     rec AS (SELECT base.kind, base.identity, base.definition FROM base "
	    "              WHERE NOT EXISTS (SELECT 1 FROM chg WHERE chg.kind = base.kind AND chg.identity = base.identity) "
	    "             UNION ALL SELECT chg.kind, chg.identity, chg.definition FROM chg WHERE chg.definition IS NOT NULL), "
	    "     live AS (SELECT kind, identity, definition FROM pgmig.mig_fingerprint()) "
	    "SELECT CASE WHEN rec.kind IS NULL THEN 'added' WHEN live.kind IS NULL THEN 'removed' ELSE 'changed' END, "
	    "       COALESCE(live.kind, rec.kind), COALESCE(live.identity, rec.identity), rec.definition, live.definition "
	    "  FROM rec FULL JOIN live ON live.kind = rec.kind AND live.identity = rec.identity "
	    " WHERE rec.definition IS DISTINCT FROM live.definition "
	    " ORDER BY COALESCE(live.kind, rec.kind) COLLATE \"C\", COALESCE(live.identity, rec.identity) COLLATE \"C\"",
	    {});
}

/* See safety.hpp.  As the extension owner, which owns the event triggers. */
bool
SetAudit(bool enable)
{
	CatalogScope scope;
	if (enable) {
		SpiQuery("ALTER EVENT TRIGGER pgmig_audit_ddl ENABLE", {});
		SpiQuery("ALTER EVENT TRIGGER pgmig_audit_drop ENABLE", {});
	} else {
		SpiQuery("ALTER EVENT TRIGGER pgmig_audit_ddl DISABLE", {});
		SpiQuery("ALTER EVENT TRIGGER pgmig_audit_drop DISABLE", {});
	}
	return enable;
}

/*
 * See safety.hpp.  The commands are read from the event trigger's own
 * functions; objects in temporary schemas and commands run by extension
 * scripts are left out, and so is everything while this backend holds a
 * non-transactional lease (the client is running a revision's statement).
 */
void
LogDdl(bool drop, const char *tag)
{
	if (InPgmigDdl())
		return;
	std::string role;
	std::string session;
	std::string app;
	std::string statement;
	PgCall([&] {
		role = GetUserNameFromId(GetUserId(), false);
		session = GetUserNameFromId(GetSessionUserId(), false);
		const char *a = GetConfigOption("application_name", true, false);
		app = a ? a : "";
		statement = debug_query_string ? debug_query_string : "";
	});
	CatalogScope scope;
	std::vector<Row> lease = SpiQuery("SELECT 1 FROM pgmig.nontx_lease WHERE backend_pid = pg_catalog.pg_backend_pid()", {});
	if (!lease.empty())
		return;
	std::vector<SqlParam> params = {SqlParam::Text(tag), SqlParam::Text(role), SqlParam::Text(session),
	                                SqlParam::Text(app), SqlParam::Text(statement)};
	if (drop)
		SpiQuery("INSERT INTO pgmig.ddl_log (command_tag, object_type, object_identity, role_name, session_user_name, "
		         "                           application, backend_pid, statement) "
		         "SELECT $1, d.object_type, d.object_identity, $2, $3, $4, pg_catalog.pg_backend_pid(), $5 "
		         "  FROM pg_catalog.pg_event_trigger_dropped_objects() d "
		         " WHERE d.original AND NOT d.is_temporary",
		         params);
	else
		SpiQuery("INSERT INTO pgmig.ddl_log (command_tag, object_type, object_identity, role_name, session_user_name, "
		         "                           application, backend_pid, statement) "
		         "SELECT c.command_tag, c.object_type, c.object_identity, $2, $3, $4, pg_catalog.pg_backend_pid(), $5 "
		         "  FROM pg_catalog.pg_event_trigger_ddl_commands() c "
		         " WHERE NOT c.in_extension AND c.schema_name IS DISTINCT FROM 'pg_temp' "
		         "   AND COALESCE(c.schema_name, '') !~ '^pg_temp_'",
		         params);
}

} // namespace pgmig
