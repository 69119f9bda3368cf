/*
 * extension/src/roundtrip.cpp
 *
 * The round trip of pending revisions (see roundtrip.hpp and the comment on
 * Roundtrip below for the order of the steps).  Schemas are compared as
 * fingerprints' rows: (kind, identity) -> definition.
 *
 * Locks: the project lock (LockAndLoad); what the bodies take.
 * Writes: nothing that stays (one subtransaction around it all, rolled
 * back).
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "body.hpp"
#include "boundary.hpp"
#include "lock.hpp"
#include "project_state.hpp"
#include "roundtrip.hpp"
#include "run.hpp"
#include "safety.hpp"
#include "spi.hpp"

namespace pgmig {

using core::Index;

namespace {

/* A fingerprint as a map (kind, identity) -> definition. */
using SchemaMap = std::map<std::pair<std::string, std::string>, std::string>;

/* The live schema, as a map. */
SchemaMap
LiveSchema()
{
	SchemaMap m;
	for (const auto &r : LiveFingerprint())
		m.emplace(std::make_pair(*r[0], *r[1]), *r[2]);
	return m;
}

/*
 * Runs one body of a revision for the round trip, in a subtransaction that
 * is committed into the caller's on success.  Returns the error message on
 * failure (the subtransaction is then rolled back), else nothing.  The
 * subtransaction also covers fetching the body: an error there is caught
 * and the run goes on, so it must be rolled back like a body's.
 */
std::optional<std::string>
TryBody(const std::string &project, const RevisionMeta &m, bool down)
{
	const char *which = down ? "down" : "up";
	int failing_line = 0;
	try {
		SubTransaction sub;
		StoredBody b = FetchBody(project, m.id, down);
		ParsedBody parsed = ParseBody(m.id, which, b.body, down);
		Oid uploader = UploaderForExecution(m.id, b.uploader);
		RunStatements(m.id, which, b.body, parsed, uploader, &failing_line);
		sub.Commit();
	} catch (PgError &e) {
		if (failing_line > 0)
			EnrichBodyError(e, m.id, which, failing_line, 0, 1);
		int code = e.sqlerrcode();
		BoundaryRepair();
		if (code == ERRCODE_QUERY_CANCELED || code == ERRCODE_ADMIN_SHUTDOWN)
			throw;
		char state[6];
		for (int i = 0; i < 5; i++) {
			state[i] = PGUNSIXBIT(code);
			code >>= 6;
		}
		state[5] = '\0';
		return std::string(state) + ": " + e.what();
	}
	return std::nullopt;
}

/* Adds one finding row per object that differs between two schemas. */
void
CompareSchemas(std::vector<RoundtripRow> &out, const std::string &revision, const char *step, const SchemaMap &want,
               const SchemaMap &got, const char *extra, const char *missing, const char *changed)
{
	std::size_t before = out.size();
	for (const auto &[key, def] : got) {
		auto it = want.find(key);
		if (it == want.end())
			out.push_back({revision, step, extra, key.first, key.second, def});
		else if (it->second != def)
			out.push_back({revision, step, changed, key.first, key.second, "was: " + it->second + "\nnow: " + def});
	}
	for (const auto &[key, def] : want)
		if (got.find(key) == got.end())
			out.push_back({revision, step, missing, key.first, key.second, def});
	if (out.size() == before)
		out.push_back({revision, step, "ok", "", "", ""});
}

} // namespace

/*
 * See roundtrip.hpp.  Everything runs in one subtransaction that is rolled
 * back at the end, so the database is left as it was (catalog included:
 * nothing is recorded).  Per pending revision towards target, parents
 * first: up (a failure stops the run: later revisions need it), then, in a
 * nested subtransaction rolled back afterwards, down and up again, each
 * compared with the schema it should give back; then on to the next
 * revision from the state after the first up.  Revisions not in `only` (when
 * given) are applied without the checks.  Non-transactional revisions cannot
 * run inside it and are skipped.
 */
std::vector<RoundtripRow>
Roundtrip(const std::string &project, const std::string &target, const std::optional<std::vector<std::string>> &only)
{
	ProjectState st = LockAndLoad(project, "mig_roundtrip");
	std::vector<Index> targets = ResolveOrThrow(st, project, {target});
	std::vector<Index> plan = st.graph.UpgradePlan(targets, st.applied);
	std::set<std::string> checked;
	if (only)
		checked.insert(only->begin(), only->end());
	std::vector<RoundtripRow> out;
	SubTransaction all;
	for (Index i : plan) {
		const RevisionMeta &m = st.meta[i];
		bool check = !only || checked.count(m.id) > 0;
		if (!m.transactional) {
			out.push_back({m.id, "up", "skipped", "", "", "non-transactional: it runs outside a transaction, so not here"});
			continue;
		}
		SchemaMap before_up = check ? LiveSchema() : SchemaMap{};
		if (std::optional<std::string> err = TryBody(project, m, false)) {
			out.push_back({m.id, "up", "failed", "", "", *err});
			break;
		}
		if (!check)
			continue;
		out.push_back({m.id, "up", "ok", "", "", ""});
		if (!m.has_down) {
			out.push_back({m.id, "down", "no down body", "", "", "the revision cannot be downgraded"});
			continue;
		}
		if (!m.down_transactional) {
			out.push_back({m.id, "down", "skipped", "", "", "non-transactional down body"});
			continue;
		}
		SchemaMap after_up = LiveSchema();
		SubTransaction cycle;
		if (std::optional<std::string> err = TryBody(project, m, true)) {
			out.push_back({m.id, "down", "failed", "", "", *err});
			cycle.Rollback();
			continue;
		}
		CompareSchemas(out, m.id, "down", before_up, LiveSchema(), "left behind", "removed", "changed");
		if (std::optional<std::string> err = TryBody(project, m, false))
			out.push_back({m.id, "up again", "failed", "", "", *err});
		else
			CompareSchemas(out, m.id, "up again", after_up, LiveSchema(), "differs", "differs", "differs");
		cycle.Rollback();
	}
	all.Rollback();
	return out;
}

} // namespace pgmig
