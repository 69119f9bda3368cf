/*
 * extension/src/repair.cpp
 *
 * Repair of applied revisions (see repair.hpp): each entry checked on its
 * own as an upload checks it, then against what is stored under the project
 * lock, then the whole resulting graph and its applied set; only then are
 * the rows updated, one event written per repaired revision, and the
 * project's summary row rewritten.
 *
 * Copyright (c) 2026, pgmig developers
 */
#include "repair.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <unordered_map>

#include "body.hpp"
#include "errcodes.hpp"
#include "events.hpp"
#include "graph.hpp"
#include "guards.hpp"
#include "lock.hpp"
#include "nontx.hpp"
#include "project_state.hpp"
#include "spi.hpp"

namespace pgmig {

using core::Graph;
using core::Index;

namespace {

/* Set while Repair updates pgmig.revision (RepairingRevisions). */
bool repairing = false;

/* Sets `repairing` for a scope; an error leaves it false too. */
class RepairingScope {
  public:
	RepairingScope() { repairing = true; }
	~RepairingScope() { repairing = false; }
	RepairingScope(const RepairingScope &) = delete;
	RepairingScope &operator=(const RepairingScope &) = delete;
};

/* "a, b and c". */
std::string
JoinAnd(const std::vector<std::string> &items)
{
	std::string out;
	for (std::size_t i = 0; i < items.size(); i++) {
		if (i > 0)
			out += i + 1 == items.size() ? " and " : ", ";
		out += items[i];
	}
	return out;
}

} // namespace

/* See repair.hpp. */
bool
RepairingRevisions()
{
	return repairing;
}

/* See repair.hpp. */
std::vector<RepairOutcome>
Repair(const std::string &project, std::vector<UploadInput> inputs, const std::string &reason, bool schema_unchanged)
{
	CheckProject(project);
	CheckIsolation("mig_repair");
	if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
		throw PgmigError(ERRCODE_INVALID_PARAMETER_VALUE, "mig_repair needs a reason",
		                 "The reason is recorded with the repair in the project's history.",
		                 "Say why the stored revisions change, e.g. reason => 'down body dropped the wrong table'.");
	std::string who = CurrentUserName();

	/* 1. Each entry on its own, as an upload checks it. */
	std::vector<PreparedRevision> prepared = PrepareBatch(inputs, "repair");

	/* 2. Against what is stored, under the lock. */
	LockProject(project);
	ProjectState st = LoadProject(project, true);
	std::unordered_map<std::string, Index> stored;
	for (Index i = 0; i < st.meta.size(); i++)
		stored.emplace(st.meta[i].id, i);
	std::vector<RepairOutcome> out(inputs.size());
	std::vector<std::optional<std::size_t>> repair_of(st.meta.size()); /* stored index -> entry */
	for (std::size_t k = 0; k < inputs.size(); k++) {
		const UploadInput &in = inputs[k];
		const PreparedRevision &p = prepared[k];
		out[k].revision = in.revision;
		auto it = stored.find(in.revision);
		if (it == stored.end())
			throw PgmigError(PGMIG_ERRCODE_UNKNOWN_REVISION,
			                 "revision \"" + in.revision + "\" of project \"" + project + "\" is not stored",
			                 "Nothing was repaired.", "Upload it with mig_upload_batch (pgmig push).");
		const RevisionMeta &m = st.meta[it->second];
		if (!st.applied[it->second])
			throw PgmigError(PGMIG_ERRCODE_NOT_APPLIED_REPAIR,
			                 "revision \"" + in.revision + "\" is not applied: there is nothing to repair",
			                 "Nothing was repaired.",
			                 "A revision that is not applied is replaced by an upload: mig_upload_batch(..., replace "
			                 "=> true), which pgmig push does.");
		std::vector<std::string> &changed = out[k].changed;
		if (m.checksum != p.checksum)
			changed.push_back("up");
		if (m.has_down != in.down.has_value() || m.down_checksum != p.down_checksum)
			changed.push_back("down");
		if (m.message != in.message)
			changed.push_back("message");
		if (m.parents != in.parents)
			changed.push_back("parents");
		if (m.depends_on != in.depends_on)
			changed.push_back("depends_on");
		if (m.branch_labels != in.branch_labels)
			changed.push_back("branch_labels");
		if (!changed.empty() && changed.front() == "up" && !schema_unchanged)
			throw PgmigError(PGMIG_ERRCODE_CHECKSUM_MISMATCH,
			                 "revision \"" + in.revision + "\" is applied and its up body differs",
			                 "Stored checksum " + m.checksum + ", given " + p.checksum +
			                     ".  The up body is what built the schema; nothing was repaired.",
			                 "If the new up body builds exactly the same schema (a comment, a formatting change), "
			                 "say so with schema_unchanged => true: the history records that you did.  Otherwise "
			                 "write a new revision that makes the change.");
		if (!changed.empty())
			repair_of[it->second] = k;
	}
	bool any = std::any_of(out.begin(), out.end(), [](const RepairOutcome &o) { return !o.changed.empty(); });
	if (!any)
		return out;
	if (std::optional<LeaseInfo> l = ReadLease(project))
		for (const RepairOutcome &o : out)
			if (!o.changed.empty() && o.revision == l->revision && l->alive)
				ThrowBusy(project, *l);

	/* 3. The whole resulting graph must be valid, and what is applied must
	 * stay closed under parents and dependencies. */
	StoredGraph old = TakeStored(project, st);
	std::vector<core::RevisionInput> graph_inputs = std::move(old.graph).TakeRevisions();
	for (Index i = 0; i < old.meta.size(); i++)
		if (repair_of[i]) {
			const UploadInput &in = inputs[*repair_of[i]];
			graph_inputs[i] = {in.revision, in.parents, in.depends_on, in.branch_labels};
		}
	auto built = Graph::Build(std::move(graph_inputs));
	if (!built.problems.empty()) {
		const auto &first = built.problems.front();
		throw PgmigError(ProblemSqlstate(first.kind), first.message, "Nothing was repaired.");
	}
	for (Index i = 0; i < old.meta.size(); i++) {
		if (!repair_of[i])
			continue;
		const UploadInput &in = inputs[*repair_of[i]];
		for (const std::vector<std::string> *list : {&in.parents, &in.depends_on})
			for (const std::string &ref : *list) {
				std::int64_t j = built.graph.Find(ref);
				if (j >= 0 && !st.applied[static_cast<std::size_t>(j)])
					throw PgmigError(PGMIG_ERRCODE_INVALID_GRAPH,
					                 "revision \"" + in.revision + "\" is applied, but its new " +
					                     (list == &in.parents ? "parent" : "dependency") + " \"" + ref +
					                     "\" is not",
					                 "An applied revision's parents and dependencies are applied; nothing was "
					                 "repaired.",
					                 "Apply \"" + ref + "\" first, or name revisions that are applied.");
			}
	}

	/* 4. Write: the rows, one event each, the summary row. */
	{
		CatalogScope scope;
		RepairingScope repairing_rows;
		for (std::size_t k = 0; k < inputs.size(); k++) {
			if (out[k].changed.empty())
				continue;
			const UploadInput &in = inputs[k];
			const PreparedRevision &p = prepared[k];
			SpiQuery("UPDATE pgmig.revision SET up_body = $3, down_body = $4, transactional = $5, "
			         "       down_transactional = CASE WHEN $4 IS NULL THEN NULL ELSE $6 END, up_statements = $7, "
			         "       down_statements = CASE WHEN $4 IS NULL THEN NULL ELSE $8 END, checksum = $9, "
			         "       down_checksum = $10, message = $11, parents = $12, depends_on = $13, "
			         "       branch_labels = $14 "
			         " WHERE project = $1 AND revision = $2",
			         {SqlParam::Text(project), SqlParam::Text(in.revision), SqlParam::Text(*in.up),
			          SqlParam::TextOrNull(in.down), SqlParam::Bool(p.up.transactional),
			          SqlParam::Bool(p.down ? p.down->transactional : true),
			          SqlParam::Int4((int) p.up.statements.size()),
			          SqlParam::Int4(p.down ? (int) p.down->statements.size() : 0), SqlParam::Text(p.checksum),
			          SqlParam::TextOrNull(p.down_checksum), SqlParam::TextOrNull(in.message),
			          SqlParam::TextArray(in.parents), SqlParam::TextArray(in.depends_on),
			          SqlParam::TextArray(in.branch_labels)});
		}
	}
	for (std::size_t k = 0; k < inputs.size(); k++) {
		if (out[k].changed.empty())
			continue;
		std::string message = reason + " (repaired by " + who + ": " + JoinAnd(out[k].changed) + ")";
		if (out[k].changed.front() == "up")
			message += "; the caller stated that the new up body builds the same schema";
		RecordEvent(project, "repair", out[k].revision, "", message);
	}
	auto written = std::make_shared<StoredGraph>();
	written->meta = std::move(old.meta);
	std::size_t applied = 0;
	for (Index i = 0; i < written->meta.size(); i++) {
		applied += st.applied[i] ? 1 : 0;
		if (repair_of[i])
			written->meta[i] = MetaOf(inputs[*repair_of[i]], prepared[*repair_of[i]]);
	}
	StateKey key = WriteState(project, StateRevisionsOf(written->meta), built.graph, applied);
	written->graph = std::move(built.graph);
	CacheUploaded(project, std::move(written), st.applied, key);
	return out;
}

} // namespace pgmig
