/*
 * extension/src/stamp.cpp
 *
 * Stamp, baseline and snapshot (see stamp.hpp).  A stamp says the schema is
 * what its revisions make: it becomes the base drift is measured from.
 *
 * Locks: the project lock (LockAndLoad; RecordSnapshot takes it itself).
 * Writes: pgmig.applied (insert how = 'stamp', delete), pgmig.event (kind
 * stamp, baseline or snapshot, with the fingerprint when taken),
 * pgmig.project_state's applied version.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include <optional>
#include <string>
#include <vector>

#include "errcodes.hpp"
#include "events.hpp"
#include "lock.hpp"
#include "project_state.hpp"
#include "safety.hpp"
#include "spi.hpp"
#include "stamp.hpp"

namespace pgmig {

using core::Index;

namespace {

/*
 * Stamp and baseline: sets the applied set to the ancestors of targets
 * without running anything, and records one event of the given kind with
 * the schema's fingerprint (always for a baseline, else when
 * pgmig.fingerprint is on).  A baseline requires that nothing is applied.
 */
std::vector<StampOutcome>
StampAs(const std::string &project, const std::vector<std::string> &targets, const char *kind, Fingerprint *taken)
{
	bool baseline = std::string(kind) == "baseline";
	ProjectState st = LockAndLoad(project, baseline ? "mig_baseline" : "mig_stamp");
	if (baseline) {
		std::size_t applied = 0;
		for (bool a : st.applied)
			applied += a ? 1 : 0;
		if (applied > 0)
			throw PgmigError(PGMIG_ERRCODE_NOT_FRESH,
			                 "project \"" + project + "\" already has applied revisions",
			                 std::to_string(applied) + " revision(s) are recorded as applied; a baseline adopts a "
			                                           "database that pgmig has not managed yet.",
			                 "Use pgmig.mig_stamp to move the applied set, and pgmig.mig_snapshot to record the "
			                 "schema.");
	}
	if (targets.empty())
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "pgmig.mig_stamp needs at least one target",
		                 "", "Use 'base' to clear the applied set.");
	std::vector<Index> resolved = ResolveOrThrow(st, project, targets);
	std::vector<bool> want = st.graph.Ancestors(resolved);
	std::string who = CurrentUserName();
	std::string target_text;
	for (const auto &t : targets)
		target_text += (target_text.empty() ? "" : " ") + t;

	std::vector<StampOutcome> out;
	std::vector<Index> order = st.graph.Order();
	/* removals children first, then additions parents first */
	for (auto it = order.rbegin(); it != order.rend(); ++it)
		if (st.applied[*it] && !want[*it])
			out.push_back({st.meta[*it].id, "removed"});
	for (Index i : order)
		if (!st.applied[i] && want[i])
			out.push_back({st.meta[i].id, "added"});

	CatalogScope scope;
	for (const auto &o : out) {
		if (o.action == "removed")
			SpiQuery("DELETE FROM pgmig.applied WHERE project = $1 AND revision = $2",
			      {SqlParam::Text(project), SqlParam::Text(o.revision)});
		else
			SpiQuery("INSERT INTO pgmig.applied (project, revision, applied_by, checksum, how) "
			      "SELECT project, revision, $3, checksum, 'stamp' FROM pgmig.revision "
			      "WHERE project = $1 AND revision = $2",
			      {SqlParam::Text(project), SqlParam::Text(o.revision), SqlParam::Text(who)});
	}
	std::size_t added = 0;
	for (const auto &o : out)
		added += o.action == "added" ? 1 : 0;
	if (!out.empty())
		BumpApplied(project, (int) added - (int) (out.size() - added));
	/* a stamp says the schema is what its revisions make: it becomes the
	 * base drift is measured from (with pgmig.fingerprint on, as for apply) */
	std::optional<Fingerprint> fp = baseline ? std::optional(TakeFingerprint(FingerprintMode::kAccept, project))
	                                         : FingerprintIfEnabled(FingerprintMode::kAccept, project);
	if (fp && taken)
		*taken = *fp;
	InsertEvent("project, kind, target, who, message", "$1, $2, $3, $4, $5",
	            {SqlParam::Text(project), SqlParam::Text(kind), SqlParam::Text(target_text), SqlParam::Text(who),
	             SqlParam::Text("added " + std::to_string(added) + ", removed " + std::to_string(out.size() - added))},
	            fp);
	return out;
}

} // namespace

/* See stamp.hpp. */
std::vector<StampOutcome>
Stamp(const std::string &project, const std::vector<std::string> &targets)
{
	return StampAs(project, targets, "stamp", nullptr);
}

/* See stamp.hpp. */
BaselineOutcome
Baseline(const std::string &project, const std::string &target)
{
	BaselineOutcome b;
	b.stamped = StampAs(project, {target}, "baseline", &b.fingerprint);
	return b;
}

/* See stamp.hpp.  Under the project lock, so that it records a schema no
 * call of the project is changing.  After calls of this session made with
 * pgmig.fingerprint off, it records what they changed; in a session that
 * changed nothing, it accepts the live schema (drift included). */
Fingerprint
RecordSnapshot(const std::string &project)
{
	CheckProject(project);
	CheckIsolation("mig_snapshot");
	LockProject(project);
	/* with a note from this session's calls: their change; else accept */
	Fingerprint fp = TakeFingerprint(SchemaNoted() ? FingerprintMode::kChange : FingerprintMode::kAccept, project);
	std::string who = CurrentUserName();
	CatalogScope scope;
	InsertEvent("project, kind, who, message", "$1, 'snapshot', $2, $3",
	            {SqlParam::Text(project), SqlParam::Text(who), SqlParam::Text(std::to_string(fp.objects) + " objects")},
	            fp);
	return fp;
}

} // namespace pgmig
